"""Reads of the statistics. Every query here is one per page whatever the number of
service points or municipalities (the pages' query counts are pinned in the tests)."""

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, Subquery, Sum

from consortium.models import Municipality, ServicePoint

from . import series
from .models import (
    TOTAL_FIELDS,
    Figure,
    Metric,
    MetricVersion,
    MunicipalityLock,
    MunicipalityYearTotal,
    SharedServiceTotal,
    StatisticsYear,
    StatsImport,
)
from .permissions import louna_municipality_ids, statistics_libraries, visible_municipality_ids

__all__ = ("year_list", "year_get", "year_metrics", "metric_set_codes", "current_figures", "expected_service_points", "point_rows",
           "municipality_totals",
           "shared_totals", "sum_rows", "add_key_figures", "import_list", "import_get", "municipality_get", "municipality_year_figures", "year_attention",
           "locked_municipalities", "louna_locks")

CENT, TENTH = Decimal("0.01"), Decimal("0.1")


def locked_municipalities(*, year: int) -> dict[int, Municipality]:
    """{municipality id: the locked municipality its figures are reported under} for the
    year's municipality locks (MunicipalityLock): each locked municipality, and the
    municipalities its joint library organisation also serves (their figures are in the
    locked series). One query when nothing is locked, two otherwise."""
    locked = {lock.municipality_id: lock.municipality for lock in
              MunicipalityLock.objects.filter(statistics_year__year=year).select_related("municipality")}
    if not locked:
        return {}
    result = dict(locked)
    for member_id, host_id in series.host_ids(series.joint_series()).items():
        if host_id in locked:
            result.setdefault(member_id, locked[host_id])
    return result


def louna_locks(*, year: int) -> tuple[dict, list, dict]:
    """(locked_municipalities of the year, those of them among the Louna municipalities, by
    name, {locked id: name}): what refuses a change to a figure split among the Louna
    municipalities. One query when nothing is locked."""
    locked = locked_municipalities(year=year)
    if not locked:
        return locked, [], {}
    names = {m.pk: m.name for m in Municipality.objects.filter(pk__in=list(locked))}
    return locked, sorted(set(locked) & louna_municipality_ids(), key=lambda pk: names.get(pk, "")), names


def year_list():
    return StatisticsYear.objects.all()


def louna_municipalities() -> list[Municipality]:
    """The municipalities a shared figure is split among, by name."""
    return list(Municipality.objects.filter(pk__in=louna_municipality_ids()).order_by("name_fi"))


def year_get(*, year: int) -> StatisticsYear:
    return StatisticsYear.objects.get(year=year)


def year_metrics(*, year: int, level: str | None = None) -> list[Metric]:
    """The year's metric set in its order (the set it was reported under); one query."""
    versions = MetricVersion.objects.filter(year=year).select_related("metric").order_by("position", "metric__code")
    if level:
        versions = versions.filter(metric__level=level)
    metrics = []
    for version in versions:
        version.metric.okm_variable = version.okm_variable
        metrics.append(version.metric)
    if not metrics:  # a year opened before it had a set: every metric, as the first set would be
        everything = Metric.objects.exclude(level=Metric.Level.SERVICE).order_by("pk")
        metrics = list(everything.filter(level=level) if level else everything)
    return metrics


def metric_set_codes(*, year: int) -> set[str] | None:
    """The codes of the year's metric set: the metrics whose figures the year takes. A year
    not yet given a set gets the latest earlier year's (services.metric_set_ensure), so that
    one's; None when no year up to it has a set (the first set holds every metric). One
    query."""
    latest = MetricVersion.objects.filter(year__lte=year).order_by("-year").values("year")[:1]
    codes = set(MetricVersion.objects.filter(year=Subquery(latest)).values_list("metric__code", flat=True))
    return codes or None


def current_figures(*, statistics_year):
    """The figures in force: those no later import has replaced."""
    return Figure.objects.filter(statistics_year=statistics_year, replaced_by__isnull=True)


def municipality_get(*, user, pk: int) -> Municipality:
    """A municipality the person may see; any other id is not found."""
    return Municipality.objects.get(pk=pk, pk__in=visible_municipality_ids(user))


def _open_during(year: int) -> Q:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=end)) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


def expected_service_points(*, year: int, municipality_ids):
    """The service points of the municipalities' member (or Louna) libraries open at some
    time during the year: those that owe figures."""
    return ServicePoint.objects.filter(_open_during(year), library__in=statistics_libraries(),
                                       library__municipality_id__in=municipality_ids)


def point_rows(*, statistics_year: StatisticsYear, municipality_ids, metrics=None) -> list[dict]:
    """Every service point of the municipalities that owes figures or has them, with its
    year's figures by metric code (a missing code: no figure) and `values` in the order of
    the year's service-point metrics (None where missing); three queries."""
    if metrics is None:
        metrics = year_metrics(year=statistics_year.year, level=Metric.Level.SERVICE_POINT)
    figures, demo = {}, set()
    for point_id, code, value, is_demo in (current_figures(statistics_year=statistics_year).filter(
            service_point__isnull=False, municipality_id__in=municipality_ids)
            .values_list("service_point_id", "metric__code", "value", "is_demo")):
        values = figures.setdefault(point_id, {})
        values[code] = values.get(code, 0) + value  # months add up to the year
        if is_demo:
            demo.add(point_id)
    points = (ServicePoint.objects.filter(Q(pk__in=expected_service_points(
        year=statistics_year.year, municipality_ids=municipality_ids).values("pk")) | Q(pk__in=list(figures)))
        .select_related("library__municipality").order_by("library__municipality__name_fi", "name"))
    rows = []
    for point in points:
        values = figures.get(point.pk)
        rows.append({"service_point": point, "municipality": point.library.municipality, "figures": values,
                     "is_demo": point.pk in demo,
                     "values": [values.get(metric.code) for metric in metrics] if values else None})
    return rows


def municipality_totals(*, statistics_year: StatisticsYear, municipality_ids, metrics=None) -> list[dict]:
    """Each municipality's totals, computed from the figures in force: for every metric of
    the year the sum of its service points' figures (or the municipality's own figure),
    and how many service points lack figures. Four queries for any number of
    municipalities and points."""
    if metrics is None:
        metrics = year_metrics(year=statistics_year.year)
    codes = [metric.code for metric in metrics] or list(TOTAL_FIELDS)
    municipalities = list(Municipality.objects.filter(pk__in=municipality_ids).order_by("name_fi"))
    sums = {(row["municipality_id"], row["metric__code"]): row["value"] for row in (
        current_figures(statistics_year=statistics_year).filter(municipality_id__in=municipality_ids)
        .values("municipality_id", "metric__code").annotate(value=Sum("value")).order_by())}
    expected_points = expected_service_points(year=statistics_year.year, municipality_ids=municipality_ids)
    # The points owed and the points with figures are matched here rather than in one
    # COUNT(DISTINCT) over a subquery: that took seconds at the whole country's size.
    owed = list(expected_points.values_list("pk", "library__municipality_id").order_by())
    with_points = set(current_figures(statistics_year=statistics_year).filter(
        service_point__isnull=False, municipality_id__in=municipality_ids)
        .values_list("service_point_id", flat=True).distinct().order_by())
    expected = Counter(municipality_id for _pk, municipality_id in owed)
    with_figures = Counter(municipality_id for pk, municipality_id in owed if pk in with_points)
    result = []
    for municipality in municipalities:
        # row[code] is 0 without a figure, for sums and the stored totals; row["figures"]
        # keeps None there, for what people read: a zero is a figure, and Louna's shared
        # services are no figure at all for a member outside Louna.
        row = {"municipality": municipality, "has_figures": False, "figures": {}}
        for code in codes:
            value = sums.get((municipality.pk, code))
            row["has_figures"] |= value is not None
            row[code] = value or 0
            row["figures"][code] = value
        row["service_points"] = expected.get(municipality.pk, 0)
        row["service_points_missing"] = max(0, row["service_points"] - with_figures.get(municipality.pk, 0))
        result.append(row)
    return result


def add_key_figures(rows: list[dict], *, statistics_year: StatisticsYear) -> None:
    """Add to each municipality row the key figures users compare: loans per resident (by the
    latest population at or before the year) and the change in loans from the year before
    (live from the previous year's service-point figures). Two queries for any size."""
    from consortium.models import MunicipalityPopulation

    ids = [row["municipality"].pk for row in rows]
    # A joint library organisation's loans are its whole series': per resident of every
    # municipality it serves (none until each of them has a population).
    hosts = {pk: host for pk, host in series.host_ids(series.joint_series()).items() if host in ids}
    latest = {}
    for municipality_id, year, population in (MunicipalityPopulation.objects.filter(
            municipality_id__in=[*ids, *hosts], year__lte=statistics_year.year).order_by("year")
            .values_list("municipality_id", "year", "population")):
        latest[municipality_id] = population  # the latest year wins
    populations = series.combined_weights(latest, host_ids_wanted=ids, hosts=hosts)
    for pk in {pk for pk in ids if pk not in latest} | {host for pk, host in hosts.items() if pk not in latest}:
        populations[pk] = None
    previous = dict(Figure.objects.filter(
        statistics_year__year=statistics_year.year - 1, replaced_by__isnull=True, metric__code="loans",
        municipality_id__in=ids).values("municipality_id").annotate(loans=Sum("value")).order_by()
        .values_list("municipality_id", "loans"))
    for row in rows:
        pk = row["municipality"].pk
        population = populations.get(pk)
        row["population"] = population
        # Decimals, rounded here: the |number filter cuts further digits off rather than rounding.
        row["loans_per_resident"] = (Decimal(row["loans"]) / population).quantize(CENT, ROUND_HALF_UP) \
            if population else None
        before = previous.get(pk)
        row["previous_loans"] = before
        # No change until both years have figures: an empty year is not a fall of 100 %.
        row["loans_change"] = (Decimal(100 * (row["loans"] - before)) / before).quantize(TENTH, ROUND_HALF_UP) \
            if before and row.get("has_figures", True) else None


_NOT_SUMMED = {"municipality", "has_figures", "figures", "population", "loans_per_resident", "previous_loans",
               "loans_change"}


def sum_rows(rows: list[dict]) -> dict:
    names = [key for key in (rows[0] if rows else ()) if key not in _NOT_SUMMED]
    return {name: sum(row[name] for row in rows) for name in names or
            TOTAL_FIELDS + ("service_points", "service_points_missing")}


def shared_totals(*, statistics_year: StatisticsYear) -> list[SharedServiceTotal]:
    """The year's shared figures' totals in force, each with the key it was split by (a
    later import's split replaces one; its revert brings it back)."""
    return list(statistics_year.shared_totals.filter(replaced_by__isnull=True))


def _imports_within(imports, municipality_ids):
    """The imports all of whose figures are in the municipalities (or that have none of a
    municipality: web sites, e-materials, COUNTER). An import that also holds other
    municipalities' figures, e.g. a national export, is not the Louna coordinator's to see
    or revert. None: every import."""
    if municipality_ids is None:
        return imports
    outside = Figure.objects.filter(source_import=OuterRef("pk")).exclude(municipality_id__in=list(municipality_ids))
    return imports.filter(~Exists(outside))


def import_list(*, statistics_year: StatisticsYear, limit: int = 20, municipality_ids=None) -> list[StatsImport]:
    return list(_imports_within(statistics_year.imports.select_related("imported_by", "reverted_by"),
                                municipality_ids)[:limit])


def import_get(*, year: int, pk: int, municipality_ids=None) -> StatsImport:
    return _imports_within(StatsImport.objects.select_related("statistics_year"), municipality_ids).get(
        pk=pk, statistics_year__year=year)


def year_attention(*, year: int, municipality_ids=None) -> tuple[StatisticsYear | None, int]:
    """For the coordinator's card: the year (or None if not started) and how many service
    points of the municipalities (by default Louna's) owe figures for it."""
    statistics_year = StatisticsYear.objects.filter(year=year).first()
    if municipality_ids is None:
        municipality_ids = louna_municipality_ids()
    owed = expected_service_points(year=year, municipality_ids=municipality_ids)
    if statistics_year is None:
        return None, owed.count()
    missing = owed.exclude(pk__in=current_figures(statistics_year=statistics_year).filter(
        service_point__isnull=False).values("service_point_id")).count()
    return statistics_year, missing


def municipality_year_figures(*, year: int, municipality_ids) -> dict[int, dict]:
    """The computed totals of a year, for other apps (e.g. Louna's yearly report): plain data,
    {municipality id: {"code", "name", field: int, ...}}; empty when the year has not been
    computed. Callers decide who may see what; this only reads."""
    totals = (MunicipalityYearTotal.objects.filter(
        statistics_year__year=year, municipality_id__in=list(municipality_ids),
        statistics_year__state__in=[StatisticsYear.State.COMPUTED, StatisticsYear.State.REPORTED])
        .select_related("municipality"))
    return {
        total.municipality_id: {
            "code": total.municipality.code, "name": total.municipality.name_fi,
            **{name: getattr(total, name) for name in TOTAL_FIELDS},
            "service_points": total.service_points, "service_points_missing": total.service_points_missing,
        }
        for total in totals
    }


def import_draft_get(*, user, year: int, pk: int):
    """A person's own draft of a large import (another person's id is not found)."""
    from .models import PendingImport

    return PendingImport.objects.select_related("statistics_year", "job_run", "service").get(
        pk=pk, statistics_year__year=year, created_by=user)


def service_year_rows(*, statistics_year, kind: str) -> list[dict]:
    """The year's totals of every web site or e-material service of a kind (months added up),
    {"service", code: total}; two queries for any number of services and figures."""
    from .models import Service, ServiceFigure

    totals = {}
    for row in (ServiceFigure.objects.filter(statistics_year=statistics_year, replaced_by__isnull=True,
                                             service__kind=kind)
                .values("service_id", "metric__code").annotate(total=Sum("value")).order_by()):
        totals.setdefault(row["service_id"], {})[row["metric__code"]] = row["total"]
    return [{"service": service, **totals.get(service.pk, {})}
            for service in Service.objects.filter(kind=kind).prefetch_related("counter_platforms").order_by("name")]
