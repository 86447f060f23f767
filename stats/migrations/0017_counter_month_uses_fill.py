"""The uses per import, report, platform and month (CounterMonthUses) for the COUNTER
imports made before counter_import_save kept them: the same sums it keeps (the uses metric,
the access method TDM left out), one INSERT … SELECT … GROUP BY over the counts, so the
rows never pass through Python. Grouped by `replaced_by` too: a month's counts replaced by
a later import give a row marked the same way, so what is in force is unchanged. Reverted
imports have no counts left, so they get no rows. Undone: the rows go."""

from django.db import migrations

# The same as stats.counteruses (a migration keeps its own copy: the module may change).
USES_METRIC = "Total_Item_Requests"
TDM = "TDM"


def fill(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    usage, sums, imports = (quote(apps.get_model("stats", name)._meta.db_table)
                            for name in ("CounterUsage", "CounterMonthUses", "StatsImport"))
    # CounterUsage's keys have no constraint in the database (see the model) and these do:
    # a count whose import is gone, or marked replaced by one that is gone (out of force
    # either way), is left out rather than failing the migration.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sums} (source_import_id, report_id, platform, month, uses, replaced_by_id) "
            f"SELECT source_import_id, report_id, platform, month, SUM(count), replaced_by_id FROM {usage} "
            f"WHERE metric_type = %s AND UPPER(access_method) <> %s "
            f"AND source_import_id IN (SELECT id FROM {imports}) "
            f"AND (replaced_by_id IS NULL OR replaced_by_id IN (SELECT id FROM {imports})) "
            "GROUP BY source_import_id, report_id, platform, month, replaced_by_id",
            [USES_METRIC, TDM])


def empty(apps, schema_editor):
    apps.get_model("stats", "CounterMonthUses").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0016_counter_month_uses"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
