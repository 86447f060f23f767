"""Annual reports as versions. On PostgreSQL a trigger keeps them as they were made: a
version's figures, details and changes never change, a delivered version does not change
at all, and no version is deleted (a DELETE is refused; TRUNCATE, used only to empty a test
database, is not). The one UPDATE let through is an undelivered version becoming delivered
(and a user's deletion emptying created_by or delivered_by)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


GUARD = """
CREATE OR REPLACE FUNCTION stats_annualreport_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'annual report versions are kept (DELETE refused)';
    END IF;
    IF OLD.delivered THEN
        IF (NEW.delivered, NEW.delivered_at) IS DISTINCT FROM (OLD.delivered, OLD.delivered_at)
           OR (NEW.created_by_id IS NOT NULL AND NEW.created_by_id IS DISTINCT FROM OLD.created_by_id)
           OR (NEW.delivered_by_id IS NOT NULL AND NEW.delivered_by_id IS DISTINCT FROM OLD.delivered_by_id) THEN
            RAISE EXCEPTION 'a delivered annual report is never changed';
        END IF;
    END IF;
    IF (NEW.statistics_year_id, NEW.municipality_id, NEW.version, NEW.figures, NEW.details, NEW.changes,
        NEW.job_run_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.statistics_year_id, OLD.municipality_id, OLD.version, OLD.figures, OLD.details, OLD.changes,
        OLD.job_run_id, OLD.created_at) THEN
        RAISE EXCEPTION 'the figures of an annual report version never change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS stats_annualreport_guard ON stats_annualreport;
CREATE TRIGGER stats_annualreport_guard BEFORE UPDATE OR DELETE ON stats_annualreport
    FOR EACH ROW EXECUTE FUNCTION stats_annualreport_guard();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS stats_annualreport_guard ON stats_annualreport;
DROP FUNCTION IF EXISTS stats_annualreport_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


# The metrics other apps' figure sources give (a frozen copy of stats.metrics.SOURCE_METRICS).
SOURCE_METRICS = [
    ("ematerial_acquisitions_eur", "Yhteiset e-aineistot: hankinnat euroina",
     "Gemensamma e-material: förvärv i euro", "Shared e-materials: acquisitions in euros", "euros",
     "municipality", True, "E-aineistojen hankintamenot"),
    ("ematerial_titles_acquired", "Yhteiset e-aineistot: hankitut nimekkeet",
     "Gemensamma e-material: förvärvade titlar", "Shared e-materials: titles acquired", "titles",
     "municipality", True, "E-aineistojen hankinnat, nimekkeet"),
    ("ematerial_licences_acquired", "Yhteiset e-aineistot: hankitut lisenssit",
     "Gemensamma e-material: förvärvade licenser", "Shared e-materials: licences acquired", "items",
     "municipality", True, "E-aineistojen hankinnat, lisenssit"),
]


def source_metrics(apps, schema_editor):
    Metric = apps.get_model("stats", "Metric")
    for code, fi, sv, en, unit, level, shared, _okm in SOURCE_METRICS:
        Metric.objects.get_or_create(code=code, defaults={"name_fi": fi, "name_sv": sv, "name_en": en, "unit": unit,
                                                          "level": level, "is_shared": shared})


class Migration(migrations.Migration):

    dependencies = [
        ('consortium', '0006_job_run_outbox'),
        ('stats', '0006_counter_usage'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AnnualReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('figures', models.JSONField(default=dict, verbose_name='figures')),
                ('details', models.JSONField(default=dict, verbose_name='details')),
                ('changes', models.JSONField(default=list, verbose_name='changes')),
                ('job_run_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='job run')),
                ('created_at', models.DateTimeField(verbose_name='computed')),
                ('delivered', models.BooleanField(default=False, verbose_name='delivered')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered on')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                ('delivered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='delivered by')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='consortium.municipality', verbose_name='municipality')),
                ('statistics_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='stats.statisticsyear', verbose_name='statistics year')),
            ],
            options={
                'verbose_name': 'annual report version',
                'verbose_name_plural': 'annual report versions',
                'ordering': ['statistics_year', 'municipality', 'version'],
                'constraints': [models.UniqueConstraint(fields=('statistics_year', 'municipality', 'version'), name='stats_report_version_once'), models.UniqueConstraint(condition=models.Q(('job_run_id__isnull', False)), fields=('job_run_id', 'municipality'), name='stats_report_once_per_job_run'), models.CheckConstraint(condition=models.Q(models.Q(('delivered', False), ('delivered_at__isnull', True)), models.Q(('delivered', True), ('delivered_at__isnull', False)), _connector='OR'), name='stats_report_delivered_has_date')],
            },
        ),
        migrations.RunPython(guard, unguard),
        migrations.RunPython(source_metrics, migrations.RunPython.noop),
    ]
