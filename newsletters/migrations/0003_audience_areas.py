# The audience becomes a cooperation area (added beside the old columns; 0004 copies, 0005 drops).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consortium', '0001_initial'),
        ('newsletters', '0002_item_image_random_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='block',
            name='area',
            field=models.ForeignKey(blank=True, help_text='Empty: every member. An area: only the libraries of that area.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='consortium.cooperationarea', verbose_name='audience'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='areas',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='item',
            name='area',
            field=models.ForeignKey(blank=True, help_text='Empty: every member. An area: only the libraries of that area.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='consortium.cooperationarea', verbose_name='audience'),
        ),
        migrations.AddField(
            model_name='subscriber',
            name='areas',
            field=models.ManyToManyField(blank=True, help_text="The subscriber also gets the parts meant for these areas' libraries.", related_name='+', to='consortium.cooperationarea', verbose_name='cooperation areas'),
        ),
    ]
