"""The COUNTER uses per import, report, platform and month kept at import
(CounterMonthUses) always give the uses the counts in force give: through replacing, a
revert, a standard view of the same platform, a harvest replacing its earlier import by its
key, and the migration that fills them for imports made before they were kept."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum
from django.db.models.fields.json import KeyTextTransform

from stats import services
from stats.counteruses import counter_rows, counter_uses, counter_uses_from
from stats.models import CounterMonthUses, CounterUsage, StatsImport
from stats.tests.factories import CounterPlatformFactory, EMaterialServiceFactory

from .test_counter import tabular

MONTHS = ["Jan-2024", "Feb-2024", "Mar-2024", "Apr-2024", "May-2024", "Jun-2024"]


def report(report_id: str, first: int, last: int, rows: list[tuple], *, created="2024-07-05T10:00:00Z") -> bytes:
    """A release 5 report of months first..last of 2024 (1 = January). `rows`: (title,
    platform, access method, metric type, [count per month])."""
    header = [("Report_Name", report_id), ("Report_ID", report_id), ("Release", "5"),
              ("Institution_Name", "Louna-kirjastot"), ("Institution_ID", "ISNI:0000000000000000"),
              ("Metric_Types", "Total_Item_Requests; Unique_Item_Requests"), ("Report_Filters", ""),
              ("Report_Attributes", ""), ("Exceptions", ""),
              ("Reporting_Period", f"Begin_Date=2024-{first:02d}-01; End_Date=2024-{last:02d}-28"),
              ("Created", created), ("Created_By", "Demo Vendor")]
    columns = ["Title", "Publisher", "Platform", "Access_Method", "Metric_Type", "Reporting_Period_Total",
               *MONTHS[first - 1:last]]
    lines = [[title, "Demo", platform, method, metric, str(sum(counts)), *map(str, counts)]
             for title, platform, method, metric, counts in rows]
    return tabular(header, columns, lines)


def from_counts(year: int) -> dict:
    """The reference: {(institution, report, platform, month): uses} grouped straight from
    the counts in force (CounterUsage), as counter_rows read them before the sums were kept."""
    rows = (CounterUsage.objects
            .filter(month__gte=date(year, 1, 1), month__lte=date(year, 12, 1), metric_type="Total_Item_Requests",
                    replaced_by__isnull=True, source_import__kind=StatsImport.Kind.COUNTER,
                    source_import__reverted_at__isnull=True)
            .exclude(access_method__iexact="TDM")
            .annotate(institution=KeyTextTransform("institution", "source_import__counter_scope"))
            .values_list("institution", "report_id", "platform", "month").annotate(total=Sum("count")).order_by())
    return {tuple(row[:-1]): int(row[-1]) for row in rows}


def from_sums(year: int) -> dict:
    """The same from the sums kept at import, as counter_rows reads them now."""
    rows = (CounterMonthUses.objects
            .filter(month__gte=date(year, 1, 1), month__lte=date(year, 12, 1), replaced_by__isnull=True,
                    source_import__kind=StatsImport.Kind.COUNTER, source_import__reverted_at__isnull=True)
            .annotate(institution=KeyTextTransform("institution", "source_import__counter_scope"))
            .values_list("institution", "report_id", "platform", "month").annotate(total=Sum("uses")).order_by())
    return {tuple(row[:-1]): int(row[-1]) for row in rows}


def assert_same_uses(year: int) -> dict:
    """The sums in force equal the counts in force, and so do the services' uses the rule
    makes of them (counter_uses against the rule applied to the reference)."""
    reference = from_counts(year)
    assert from_sums(year) == reference
    _usage, claims = counter_rows(year=year)
    rows = [("c", "", None, report_id, platform, institution, month.month, total)
            for (institution, report_id, platform, month), total in reference.items()] + list(claims)
    assert counter_uses(year=year) == counter_uses_from(rows)
    return reference


# Two platforms; text and data mining (in either case), which is left out; a month of no
# uses, which still makes the report present there; another metric, not counted.
TR_ROWS = [("Kirja A", "Ellibs", "Regular", "Total_Item_Requests", [10, 20, 30]),
           ("Kirja A", "Ellibs", "Regular", "Unique_Item_Requests", [5, 5, 5]),
           ("Lehti C", "Ellibs", "Regular", "Total_Item_Requests", [100, 0, 100]),
           ("Kirja A", "Ellibs", "TDM", "Total_Item_Requests", [7, 7, 7]),
           ("Kirja B", "Ellibs", "tdm", "Total_Item_Requests", [3, 3, 3]),
           ("Kirja D", "BookBites", "Regular", "Total_Item_Requests", [0, 4, 0])]


@pytest.mark.django_db
def test_the_sums_kept_at_import_give_the_uses_of_the_counts_in_force(coordinator):
    ellibs = EMaterialServiceFactory(code="ellibs", name="Ellibs")
    CounterPlatformFactory(service=ellibs, name="Ellibs")
    first = services.counter_import_save(data=report("TR", 1, 3, TR_ROWS), file_name="tr-q1.tsv", by=None)
    # A few rows per import: a row per platform and month of the uses metric.
    assert first.counter_month_uses.count() == 6
    assert assert_same_uses(2024)[("ISNI:0000000000000000", "TR", "BookBites", date(2024, 1, 1))] == 0
    assert counter_uses(year=2024).services[ellibs.pk]["months"] == {1: 110, 2: 20, 3: 130}

    # February to April again: February and March of the first replaced, January stays.
    second = services.counter_import_save(
        data=report("TR", 2, 4, [("Kirja A", "Ellibs", "Regular", "Total_Item_Requests", [21, 31, 41]),
                                 ("Kirja A", "Ellibs", "TDM", "Total_Item_Requests", [9, 9, 9])]),
        file_name="tr-feb-apr.tsv", by=None)
    assert set(first.counter_month_uses.filter(replaced_by=second).values_list("month", flat=True)) == {
        date(2024, 2, 1), date(2024, 3, 1)}
    assert first.counter_month_uses.filter(replaced_by__isnull=True).count() == 2  # January, both platforms
    assert_same_uses(2024)
    assert counter_uses(year=2024).services[ellibs.pk]["months"] == {1: 110, 2: 21, 3: 31, 4: 41}

    # Reverted: its sums go, the first's are in force again.
    services.import_revert(stats_import=second, by=coordinator)
    assert not second.counter_month_uses.exists()
    assert not CounterMonthUses.objects.filter(replaced_by__isnull=False).exists()
    assert_same_uses(2024)
    assert counter_uses(year=2024).services[ellibs.pk]["months"] == {1: 110, 2: 20, 3: 130}

    # A standard view of the same platform and months: kept beside TR, still counted once.
    services.counter_import_save(
        data=report("TR_J1", 1, 3, [("Lehti C", "Ellibs", "Regular", "Total_Item_Requests", [100, 0, 100])]),
        file_name="tr_j1-q1.tsv", by=None)
    assert_same_uses(2024)
    uses = counter_uses(year=2024).services[ellibs.pk]
    assert uses["months"] == {1: 110, 2: 20, 3: 130} and uses["sources"] == ["TR"]


@pytest.mark.django_db
def test_a_harvest_replacing_its_earlier_import_by_key_replaces_its_sums_too():
    """A harvested month (services.counter_import_save with a source key, as stats/sushi
    does) harvested again with other figures: the earlier import's counts and sums go."""
    key = "sushi:1:TR:2024-03"
    rows = [("Kirja A", "Ellibs", "Regular", "Total_Item_Requests", [30])]
    first = services.counter_import_save(data=report("TR", 3, 3, rows), file_name="a.tsv", by=None, source_key=key)
    assert services.counter_import_save(data=report("TR", 3, 3, rows), file_name="a.tsv", by=None,
                                        source_key=key) == first  # the same answer: nothing saved twice
    assert CounterMonthUses.objects.count() == 1
    second = services.counter_import_save(
        data=report("TR", 3, 3, [("Kirja A", "Ellibs", "Regular", "Total_Item_Requests", [33])],
                    created="2024-07-06T10:00:00Z"),
        file_name="b.tsv", by=None, source_key=key)
    assert second != first and not first.counter_month_uses.exists()
    assert assert_same_uses(2024) == {("ISNI:0000000000000000", "TR", "Ellibs", date(2024, 3, 1)): 33}


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_sums_of_earlier_imports_month_by_month():
    """Migration 0017: imports made before the sums were kept get them from their counts,
    the replaced months marked as their counts are."""
    executor = MigrationExecutor(connection)
    executor.migrate([("stats", "0016_counter_month_uses")])
    old = executor.loader.project_state([("stats", "0016_counter_month_uses")]).apps
    year = old.get_model("stats", "StatisticsYear").objects.create(year=2024)
    Import, Usage = old.get_model("stats", "StatsImport"), old.get_model("stats", "CounterUsage")

    def made(name, months):
        return Import.objects.create(statistics_year=year, kind="counter", file_name=name, rows=1, sha256=name,
                                     counter_scope={"report_id": "TR", "institution": "ISNI:0000000000000000",
                                                    "platforms": ["Ellibs"], "begin": months[0], "end": months[-1]})

    first, second = made("q1.tsv", ["2024-01-01", "2024-03-01"]), made("feb-mar.tsv", ["2024-02-01", "2024-03-01"])
    counts = []
    for record, month, replaced_by in ((first, 1, None), (first, 2, second), (first, 3, second),
                                       (second, 2, None), (second, 3, None)):
        for title, method, metric, count in (("A", "Regular", "Total_Item_Requests", 10 * month + record.pk),
                                             ("B", "Regular", "Total_Item_Requests", 0),
                                             ("A", "TDM", "Total_Item_Requests", 1000),
                                             ("A", "Regular", "Unique_Item_Requests", 500)):
            counts.append(Usage(source_import=record, report_id="TR", release="5", platform="Ellibs", title=title,
                                access_method=method, metric_type=metric, month=date(2024, month, 1), count=count,
                                replaced_by=replaced_by))
    Usage.objects.bulk_create(counts)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    sums = {(row.source_import_id, row.month.month): (row.uses, row.replaced_by_id)
            for row in CounterMonthUses.objects.all()}
    assert sums == {(first.pk, 1): (10 + first.pk, None), (first.pk, 2): (20 + first.pk, second.pk),
                    (first.pk, 3): (30 + first.pk, second.pk), (second.pk, 2): (20 + second.pk, None),
                    (second.pk, 3): (30 + second.pk, None)}
    assert assert_same_uses(2024) == {("ISNI:0000000000000000", "TR", "Ellibs", date(2024, 1, 1)): 10 + first.pk,
                                      ("ISNI:0000000000000000", "TR", "Ellibs", date(2024, 2, 1)): 20 + second.pk,
                                      ("ISNI:0000000000000000", "TR", "Ellibs", date(2024, 3, 1)): 30 + second.pk}
