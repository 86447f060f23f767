# The old audience columns, copied to areas by 0004.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('newsletters', '0004_audience_areas_data'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='block',
            name='audience',
        ),
        migrations.RemoveField(
            model_name='delivery',
            name='louna',
        ),
        migrations.RemoveField(
            model_name='item',
            name='audience',
        ),
        migrations.RemoveField(
            model_name='subscriber',
            name='louna',
        ),
    ]
