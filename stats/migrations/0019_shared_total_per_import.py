"""A shared figure's total, key and inputs kept per import (SharedServiceTotal.replaced_by),
as its parts are: a later split marks the earlier row instead of overwriting it, so a revert
brings it back. The rows already here are each their year's one split, all in force; a total
an earlier import overwrote before this migration is gone and comes back with no revert."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0018_column_mapping_id_target'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='sharedservicetotal',
            name='stats_shared_total_once_per_year',
        ),
        migrations.AddField(
            model_name='sharedservicetotal',
            name='replaced_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replaced_shared_totals', to='stats.statsimport', verbose_name='replaced by'),
        ),
        migrations.AlterField(
            model_name='sharedservicetotal',
            name='source_import',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='shared_totals', to='stats.statsimport', verbose_name='import'),
        ),
        migrations.AddConstraint(
            model_name='sharedservicetotal',
            constraint=models.UniqueConstraint(condition=models.Q(('replaced_by__isnull', True)), fields=('statistics_year', 'metric'), name='stats_shared_total_in_force_once'),
        ),
    ]
