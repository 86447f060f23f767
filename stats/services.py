"""Writes of the statistics: opening a year, importing a file, splitting the shared
services, computing the municipality totals, marking a year reported. Each runs in one
transaction and refuses, with a ValidationError naming the problem, what it cannot do."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Municipality, MunicipalityPopulation

from . import csvimport, selectors
from .models import (
    SERVICE_POINT_FIELDS,
    TOTAL_FIELDS,
    MunicipalitySharedFigure,
    MunicipalityYearTotal,
    ServicePointFigures,
    SharedServiceTotal,
    SplitMethod,
    StatisticsYear,
    StatsImport,
)
from .permissions import louna_municipality_ids
from .split import split_largest_remainder

__all__ = ("ImportRefused", "statistics_year_open", "population_shares", "import_prepare", "import_save",
           "year_compute", "year_mark_reported")


class ImportRefused(ValidationError):
    """The file was refused; `parsed.errors` lists every bad row."""

    def __init__(self, parsed):
        self.parsed = parsed
        super().__init__(_("The file was not imported: %(count)d errors.") % {"count": len(parsed.errors)})


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ValidationError({"year": _("The year must be between 2000 and %(year)d.") % {"year": this_year}})


def _check_unlocked(statistics_year: StatisticsYear) -> None:
    if statistics_year.is_locked:
        raise ValidationError(_("The statistics of %(year)d have been reported and are locked.")
                              % {"year": statistics_year.year})


def statistics_year_open(*, year: int, is_demo: bool = False) -> StatisticsYear:
    """The year's record, opened if it is not there yet."""
    _check_year(year)
    statistics_year, _created = StatisticsYear.objects.get_or_create(year=year, defaults={"is_demo": is_demo})
    return statistics_year


# ---------------------------------------------------------------- splitting


def population_shares(*, year: int, municipality_ids) -> tuple[int, dict[int, int]]:
    """(population year, {municipality id: population}) for a split: the latest year, at or
    before the statistics year if there is one, for which every municipality has a figure."""
    wanted = set(municipality_ids)
    if not wanted:
        raise ValidationError(_("There are no Louna municipalities to split among."))
    by_year = {}
    for municipality_id, population_year, population in MunicipalityPopulation.objects.filter(
            municipality_id__in=wanted).values_list("municipality_id", "year", "population"):
        by_year.setdefault(population_year, {})[municipality_id] = population
    complete = sorted(y for y, figures in by_year.items() if set(figures) == wanted)
    if not complete:
        have = set().union(*[set(f) for f in by_year.values()]) if by_year else set()
        names = ", ".join(Municipality.objects.filter(pk__in=wanted - have).order_by("name_fi")
                          .values_list("name_fi", flat=True)) or ", ".join(
            Municipality.objects.filter(pk__in=wanted).order_by("name_fi").values_list("name_fi", flat=True))
        raise ValidationError(_("Population figures of one year are needed for every Louna municipality; "
                                "missing: %(names)s.") % {"names": names})
    earlier = [y for y in complete if y <= year]
    population_year = earlier[-1] if earlier else complete[0]
    return population_year, by_year[population_year]


def import_prepare(*, year: int, kind: str, data: bytes) -> csvimport.ParsedFile:
    """Read and check a file; for the shared services also work out each municipality's
    part. Nothing is saved: the result is what the preview shows."""
    parsed = csvimport.parse_file(data, kind=kind)
    if kind == StatsImport.Kind.SHARED and parsed.rows and not parsed.errors:
        municipality_ids = sorted(louna_municipality_ids())
        needs_population = any(row.given is None for row in parsed.rows)
        population_year, weights = None, None
        if needs_population:
            try:
                population_year, weights = population_shares(year=year, municipality_ids=municipality_ids)
            except ValidationError as error:
                parsed.errors.append(csvimport.RowError(0, "", error.messages[0]))
                return parsed
        for row in parsed.rows:
            if row.given is None:
                row.parts = split_largest_remainder(row.total, weights)
                row.method, row.population_year = SplitMethod.POPULATION, population_year
            else:
                row.parts = row.given
                row.method, row.population_year = SplitMethod.GIVEN, None
        names = dict(Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "name_fi"))
        for row in parsed.rows:
            row.part_list = sorted((names.get(pk, pk), value) for pk, value in row.parts.items())
    return parsed


@transaction.atomic
def import_save(*, year: int, kind: str, data: bytes, file_name: str, by) -> StatsImport:
    """Import a whole file or nothing: any bad row refuses it (ImportRefused lists them all)."""
    if kind not in StatsImport.Kind.values:
        raise ValidationError({"kind": _("Choose what the file contains.")})
    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    _check_unlocked(statistics_year)
    parsed = import_prepare(year=year, kind=kind, data=data)
    if not parsed.is_valid:
        raise ImportRefused(parsed)
    record = StatsImport.objects.create(statistics_year=statistics_year, kind=kind, file_name=file_name[:255],
                                        rows=len(parsed.rows), encoding=parsed.encoding, imported_by=by)
    if kind == StatsImport.Kind.SERVICE_POINTS:
        _save_point_rows(statistics_year, parsed.rows, record)
    else:
        _save_shared_rows(statistics_year, parsed.rows, record)
    # New figures make an earlier computation stale.
    statistics_year.state = StatisticsYear.State.IMPORTED
    statistics_year.save(update_fields=["state"])
    return record


def _save_point_rows(statistics_year, rows, record, *, is_demo=False):
    existing = {f.service_point_id: f for f in ServicePointFigures.objects.select_for_update().filter(
        statistics_year=statistics_year, service_point__in=[row.service_point for row in rows])}
    to_update, to_create = [], []
    for row in rows:
        figures = existing.get(row.service_point.pk) or ServicePointFigures(
            statistics_year=statistics_year, service_point=row.service_point)
        for name, value in row.values.items():
            setattr(figures, name, value)
        figures.source_import, figures.is_demo = record, is_demo
        (to_update if figures.pk else to_create).append(figures)
    ServicePointFigures.objects.bulk_update(to_update, [*SERVICE_POINT_FIELDS, "source_import", "is_demo"])
    ServicePointFigures.objects.bulk_create(to_create)


def _save_shared_rows(statistics_year, rows, record, *, is_demo=False):
    for row in rows:
        total, _created = SharedServiceTotal.objects.update_or_create(
            statistics_year=statistics_year, metric=row.metric,
            defaults={"total": row.total, "split_method": row.method, "population_year": row.population_year,
                      "source_import": record, "is_demo": is_demo})
        total.parts.all().delete()
        MunicipalitySharedFigure.objects.bulk_create([
            MunicipalitySharedFigure(shared_total=total, municipality_id=municipality_id, value=value)
            for municipality_id, value in sorted(row.parts.items())])


# ---------------------------------------------------------------- the annual computation


@transaction.atomic
def year_compute(*, year: int, progress=None) -> dict:
    """Compute each Louna municipality's totals for the year from the service points'
    figures and the shared services' parts, record which service points lack figures, and
    mark the year computed. Running it again gives the same rows (one per municipality)."""
    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    _check_unlocked(statistics_year)
    municipality_ids = louna_municipality_ids()
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=municipality_ids)
    if progress:
        progress.total(len(rows))
    now = timezone.now()
    for done, row in enumerate(rows, start=1):
        MunicipalityYearTotal.objects.update_or_create(
            statistics_year=statistics_year, municipality=row["municipality"],
            defaults={**{name: row[name] for name in TOTAL_FIELDS}, "service_points": row["service_points"],
                      "service_points_missing": row["service_points_missing"], "computed_at": now})
        if progress:
            progress.advance(done, message=str(row["municipality"].name_fi))
    # A municipality that has left Louna no longer has totals of its own here.
    statistics_year.totals.exclude(municipality_id__in=municipality_ids).delete()
    missing = sum(row["service_points_missing"] for row in rows)
    statistics_year.state = StatisticsYear.State.COMPUTED
    statistics_year.computed_at = now
    statistics_year.missing_service_points = missing
    statistics_year.save(update_fields=["state", "computed_at", "missing_service_points"])
    if progress:
        progress.advance(len(rows), message=_("%(year)d computed: %(municipalities)d municipalities, "
                                              "%(missing)d service points without figures.")
                         % {"year": year, "municipalities": len(rows), "missing": missing})
    return {"year": year, "municipalities": len(rows), "missing_service_points": missing}


@transaction.atomic
def year_mark_reported(*, year: int, by) -> StatisticsYear:
    """The figures have gone to the ministry: lock the year."""
    statistics_year = StatisticsYear.objects.select_for_update().get(year=year)
    _check_unlocked(statistics_year)
    if statistics_year.state != StatisticsYear.State.COMPUTED:
        raise ValidationError(_("Compute the year's totals after the last import before marking it reported."))
    statistics_year.state = StatisticsYear.State.REPORTED
    statistics_year.reported_at = timezone.now()
    statistics_year.reported_by = by
    statistics_year.save(update_fields=["state", "reported_at", "reported_by"])
    return statistics_year
