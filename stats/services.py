"""Writes of the statistics: opening a year, importing a file, splitting the shared
services, computing the municipality totals, marking a year reported. Each runs in one
transaction and refuses, with a ValidationError naming the problem, what it cannot do."""

import hashlib
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Municipality, MunicipalityPopulation

from . import csvimport, selectors, series
from .allocation import Key, allocate
from .bulk import copy_lines, insert_grouped, insert_rows, no_cyclic_gc
from .counteruses import TDM, USES_METRIC
from .metrics import BASE_METRICS, EXTRA_OKM_VARIABLES, base_metrics_ensure
from .models import (
    KEYED_FIGURES,
    TOTAL_FIELDS,
    AllocationKey,
    AnnualReport,
    CounterMonthUses,
    CounterUsage,
    DraftState,
    Figure,
    Metric,
    MetricVersion,
    MunicipalityLock,
    MunicipalityYearTotal,
    PendingImport,
    SharedServiceTotal,
    SplitMethod,
    StatisticsYear,
    StatsImport,
)
from .permissions import import_municipality_ids, louna_municipality_ids, member_municipality_ids

__all__ = ("ImportRefused", "statistics_year_open", "metric_set_ensure", "population_shares", "import_prepare",
           "import_save", "shared_total_save", "import_draft_create", "import_drafts_drop", "import_draft_confirm", "import_revert", "file_hash",
           "split_key", "split_keys", "allocation_key_save",
           "counter_import_preview", "counter_import_save", "counter_draft_create",
           "counter_draft_confirm", "year_compute", "year_mark_reported")


# The kinds of file that bring figures (COUNTER reports go through counter_import_save).
FIGURE_KINDS = (StatsImport.Kind.SERVICE_POINTS, StatsImport.Kind.SHARED)
# The kinds that bring figures per web site or e-material service (stats/servicefigures.py).
SERVICE_KINDS = (StatsImport.Kind.WEB_VISITS, StatsImport.Kind.EMATERIAL)


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


@transaction.atomic
def statistics_year_open(*, year: int, is_demo: bool = False) -> StatisticsYear:
    """The year's record, opened if it is not there yet, with its metric set."""
    _check_year(year)
    statistics_year, _created = StatisticsYear.objects.get_or_create(year=year, defaults={"is_demo": is_demo})
    metric_set_ensure(year=year)
    return statistics_year


def metric_set_ensure(*, year: int) -> None:
    """Give a year without a metric set a copy of the latest earlier year's (or of every
    metric when there is none). Changing a year's set later never touches another year."""
    if MetricVersion.objects.filter(year=year).exists():
        return
    base_metrics_ensure()
    earlier = MetricVersion.objects.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    if earlier is not None:
        source = [(v.metric_id, v.okm_variable, v.position) for v in MetricVersion.objects.filter(year=earlier)]
    else:
        okm = {**{code: variable for code, *_rest, variable in BASE_METRICS}, **EXTRA_OKM_VARIABLES}
        source = [(pk, okm.get(code, ""), position) for position, (pk, code) in enumerate(
            Metric.objects.exclude(level=Metric.Level.SERVICE).order_by("pk").values_list("pk", "code"))]
    MetricVersion.objects.bulk_create([MetricVersion(year=year, metric_id=metric_id, okm_variable=okm,
                                                     position=position) for metric_id, okm, position in source],
                                      ignore_conflicts=True)


# ---------------------------------------------------------------- splitting


def population_shares(*, year: int, municipality_ids) -> tuple[int, dict[int, int]]:
    """(population year, {municipality id: population}) for a split: the latest year, at or
    before the statistics year if there is one, for which every municipality has a figure.
    A joint library organisation's host counts the population of every municipality it
    serves (its series covers them all), so each of those needs the year's figure too."""
    wanted = set(municipality_ids)
    if not wanted:
        raise ValidationError(_("There are no Louna municipalities to split among."))
    hosts = {pk: host for pk, host in series.host_ids(series.joint_series()).items()
             if host in wanted and pk not in wanted}
    everyone = wanted | set(hosts)
    by_year = {}
    for municipality_id, population_year, population in MunicipalityPopulation.objects.filter(
            municipality_id__in=everyone).values_list("municipality_id", "year", "population"):
        by_year.setdefault(population_year, {})[municipality_id] = population
    complete = sorted(y for y, figures in by_year.items() if set(figures) == everyone)
    if not complete:
        have = set().union(*[set(f) for f in by_year.values()]) if by_year else set()
        names = ", ".join(Municipality.objects.filter(pk__in=everyone - have).order_by("name_fi")
                          .values_list("name_fi", flat=True)) or ", ".join(
            Municipality.objects.filter(pk__in=everyone).order_by("name_fi").values_list("name_fi", flat=True))
        raise ValidationError(_("Population figures of one year are needed for every Louna municipality; "
                                "missing: %(names)s.") % {"names": names})
    earlier = [y for y in complete if y <= year]
    population_year = earlier[-1] if earlier else complete[0]
    return population_year, series.combined_weights(by_year[population_year], host_ids_wanted=wanted, hosts=hosts)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_prepare(*, year: int, kind: str, data: bytes, service=None, progress=None,
                   by=None, list_changes: bool = True) -> csvimport.ParsedFile:
    """Read and check a file; for the shared services also work out each municipality's
    part; list what the import would change. Nothing is saved: this is the preview.
    `service`: the web site a single-site analytics export is for; `progress(done, total)`:
    told how far the reading has come (a background job's progress bar); `by`: the importer,
    whose municipalities' service points the file may name (nobody: any member's);
    `list_changes` False leaves out the list of changes (the save does not show it; the
    refusals are the same)."""
    if kind in SERVICE_KINDS:
        from .servicefigures import service_import_prepare

        return service_import_prepare(year=year, kind=kind, data=data, service=service, progress=progress)
    parsed = csvimport.parse_file(data, kind=kind, progress=progress, year=year,
                                  municipality_ids=import_municipality_ids(by))
    parsed.sha256 = file_hash(data)
    earlier = (StatsImport.objects.filter(statistics_year__year=year, sha256=parsed.sha256, reverted_at__isnull=True)
               .order_by("-imported_at").first())
    if earlier is not None:
        parsed.errors.append(csvimport.RowError(0, "", _(
            "This file was already imported on %(date)s (%(name)s); revert that import first to import it again.")
            % {"date": timezone.localtime(earlier.imported_at).strftime("%d.%m.%Y"), "name": earlier.file_name}))
    _refuse_locked(parsed, year=year)
    if kind == StatsImport.Kind.SHARED and parsed.rows and not parsed.errors:
        _allocate_shared(parsed, year=year)
    if list_changes and parsed.rows and not parsed.errors:
        parsed.changes = _changes(parsed, year=year)
    return parsed


def locked_message(*, municipality_id: int, locked: dict, names: dict, year: int) -> str:
    """Why a figure of the municipality cannot change: its own lock, or its series host's."""
    host = locked[municipality_id]
    if host.pk == municipality_id:
        return _("The figures of %(municipality)s for %(year)d have been reported and are locked.") % {
            "municipality": host.name, "year": year}
    return _("The figures of %(municipality)s for %(year)d are reported in those of %(host)s, which have been "
             "reported and are locked.") % {"municipality": names.get(municipality_id, municipality_id),
                                              "host": host.name, "year": year}


def _refuse_locked(parsed, *, year: int) -> None:
    """Refuse, naming the row and the municipality, every row that would add, change or
    replace a figure of a municipality whose figures for the year are locked
    (MunicipalityLock): a service point of it, or a shared figure split among municipalities
    it is one of (a new total changes every part)."""
    locked = selectors.locked_municipalities(year=year)
    if not locked or not parsed.rows:
        return
    names = {m.pk: m.name for m in Municipality.objects.filter(pk__in=list(locked))}
    if parsed.kind == StatsImport.Kind.SERVICE_POINTS:
        for row in parsed.rows:
            municipality_id = row.service_point.library.municipality_id
            if municipality_id in locked:
                parsed.errors.append(csvimport.RowError(row.row, row.service_point.name, locked_message(
                    municipality_id=municipality_id, locked=locked, names=names, year=year)))
        return
    louna = louna_municipality_ids()
    for row in parsed.rows:
        members = set(row.given) if row.given is not None else louna
        for municipality_id in sorted(members & set(locked), key=lambda pk: names.get(pk, "")):
            parsed.errors.append(csvimport.RowError(row.row, row.metric, split_locked_message(
                municipality_id=municipality_id, locked=locked, names=names, year=year)))


def split_locked_message(**kwargs) -> str:
    """locked_message for a row whose figure is split among several municipalities."""
    return _("%(reason)s This row's figure is split among the municipalities, that one included.") % {
        "reason": locked_message(**kwargs)}


def _allocate_shared(parsed, *, year: int) -> None:
    municipality_ids = sorted(louna_municipality_ids())
    keys = {}  # metric -> (method, weights, population year), or the reason it cannot be split
    for row in parsed.rows:
        if row.given is None:
            if row.metric not in keys:
                try:
                    keys[row.metric] = split_key(year=year, metric=row.metric, municipality_ids=municipality_ids)
                except ValidationError as error:
                    keys[row.metric] = error
            key = keys[row.metric]
            if isinstance(key, ValidationError):
                parsed.errors.append(csvimport.RowError(row.row, row.metric, key.messages[0]))
                continue
            method, weights, population_year = key
            allocation = allocate(total=row.total, key=method, members=municipality_ids, weights=weights)
            row.method, row.population_year = method, population_year
        else:
            allocation = allocate(total=row.total, key=Key.AS_IS, members=row.given, given=row.given)
            row.method, row.population_year = SplitMethod.GIVEN, None
        row.parts, row.key_inputs = allocation.parts, allocation.inputs
    names = dict(Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "name_fi"))
    for row in parsed.rows:
        row.part_list = sorted((names.get(pk, pk), value) for pk, value in row.parts.items())


# ---------------------------------------------------------------- allocation keys per figure


def _names(municipality_ids) -> str:
    return ", ".join(Municipality.objects.filter(pk__in=municipality_ids).order_by("name_fi")
                     .values_list("name_fi", flat=True))


def municipality_loans(*, year: int, municipality_ids) -> dict[int, int]:
    """The year's loans per municipality as imported so far (service points' figures in
    force, the months added up): the weights of a split by loans."""
    rows = (Figure.objects.filter(statistics_year__year=year, metric__code="loans", replaced_by__isnull=True,
                                  municipality_id__in=municipality_ids)
            .values_list("municipality_id").annotate(total=Sum("value")).order_by())
    return {municipality_id: int(total) for municipality_id, total in rows}


def split_key(*, year: int, metric: str, municipality_ids) -> tuple[str, dict | None, int | None]:
    """(method, weights, population year) by which a shared figure of the year is split: the
    key the coordinator chose for it (AllocationKey), by population when none was chosen.
    A key whose inputs are missing is a ValidationError that names what is missing."""
    chosen = AllocationKey.objects.filter(statistics_year__year=year, metric=metric).first()
    return _split_key(year=year, metric=metric, chosen=chosen, municipality_ids=municipality_ids, inputs={})


def split_keys(*, year: int, metrics, municipality_ids) -> dict:
    """split_key for several figures at once (the annual job's splits of the services'
    figures): {metric: (method, weights, population year) or the ValidationError naming what
    is missing}. One query for the keys, one each for the population and the loans however
    many figures use them."""
    chosen = {key.metric: key for key in AllocationKey.objects.filter(statistics_year__year=year,
                                                                      metric__in=list(metrics))}
    inputs, keys = {}, {}
    for metric in metrics:
        try:
            keys[metric] = _split_key(year=year, metric=metric, chosen=chosen.get(metric),
                                      municipality_ids=municipality_ids, inputs=inputs)
        except ValidationError as error:
            keys[metric] = error
    return keys


def _split_key(*, year: int, metric: str, chosen, municipality_ids, inputs: dict):
    """`inputs` keeps the population and the loans read for one figure for the next."""
    method = chosen.method if chosen else SplitMethod.POPULATION
    label = dict(KEYED_FIGURES).get(metric, metric)
    if method == SplitMethod.POPULATION:
        if "population" not in inputs:
            try:
                inputs["population"] = population_shares(year=year, municipality_ids=municipality_ids)
            except ValidationError as error:
                inputs["population"] = error
        if isinstance(inputs["population"], ValidationError):
            raise inputs["population"]
        population_year, weights = inputs["population"]
        return method, weights, population_year
    if method == SplitMethod.LOANS:
        if "loans" not in inputs:
            inputs["loans"] = municipality_loans(year=year, municipality_ids=municipality_ids)
        weights = inputs["loans"]
        lacking = [pk for pk in municipality_ids if not weights.get(pk)]
        if lacking:
            raise ValidationError(_(
                "%(figure)s is split by loans, but %(year)d has no loans for: %(names)s. Import the service "
                "points' figures first, or choose another key.") % {
                "figure": label, "year": year, "names": _names(lacking)})
        return method, weights, None
    if method == SplitMethod.AGREED:
        weights = {int(pk): share for pk, share in chosen.agreed_shares.items()}
        lacking = [pk for pk in municipality_ids if pk not in weights]
        if lacking or not sum(weights.get(pk, 0) for pk in municipality_ids):
            raise ValidationError(_(
                "%(figure)s is split by agreed shares, but no share was agreed for: %(names)s. Set the "
                "shares again.") % {"figure": label, "names": _names(lacking) or _names(municipality_ids)})
        return method, {pk: weights[pk] for pk in municipality_ids}, None
    return method, None, None


@transaction.atomic
def allocation_key_save(*, year: int, metric: str, method: str, agreed_shares: dict | None = None,
                        by) -> AllocationKey:
    """Choose how a shared figure of the year is split. Agreed shares are whole numbers, one
    for every Louna municipality, not all zero. It applies to imports made from now on: a
    split already saved keeps the key it was made by (shown beside it). The e-material
    services' figures are split by the annual job, so their next report version follows it."""
    if metric not in dict(KEYED_FIGURES):
        raise ValidationError({"metric": _("Choose one of the shared figures.")})
    if method not in dict(AllocationKey.CHOICES):
        raise ValidationError({"method": _("Choose how the figure is split.")})
    statistics_year = statistics_year_open(year=year)
    _check_unlocked(statistics_year)
    # A key splits the figure among every Louna municipality: with one of them locked, a new
    # key would give the others parts of a total whose locked part was split another way,
    # and the parts would no longer add up to it.
    louna = louna_municipality_ids()
    locked = sorted({m.name for pk, m in selectors.locked_municipalities(year=year).items() if pk in louna})
    if locked:
        raise ValidationError({"method": _("The figures of %(municipalities)s for %(year)d have been reported and "
                                           "are locked, so the year's keys no longer change.") % {
            "municipalities": ", ".join(locked), "year": year}})
    shares = {}
    if method == SplitMethod.AGREED:
        errors = {}
        for municipality_id in sorted(louna_municipality_ids()):
            share = (agreed_shares or {}).get(municipality_id)
            if share is None or share < 0:
                errors[f"share_{municipality_id}"] = _("Give a whole number, 0 or more.")
            else:
                shares[str(municipality_id)] = int(share)
        if errors:
            raise ValidationError(errors)
        if not sum(shares.values()):
            raise ValidationError({"method": _("The agreed shares add up to zero; give at least one share.")})
    key, _created = AllocationKey.objects.update_or_create(
        statistics_year=statistics_year, metric=metric,
        defaults={"method": method, "agreed_shares": shares, "updated_by": by})
    return key


def _new_figures_by_month(parsed) -> dict[int, dict]:
    """{month: {(service point id or None, municipality id, metric code): value}} the file
    brings (month 0: the whole year; a national export gives the months). Worked out once
    per parsed file: the preview and the save both need it."""
    cached = getattr(parsed, "_figures_by_month", None)
    if cached is not None:
        return cached
    parsed._figures_by_month = by_month = {}
    if parsed.kind == StatsImport.Kind.SERVICE_POINTS:
        # A point's (id, municipality id), looked up once, not on each of its rows; by the
        # object's identity, as the parser hands out one object per service point.
        where = {}
        for row in parsed.rows:
            point = row.service_point
            point_key = where.get(id(point))
            if point_key is None:
                point_key = where[id(point)] = (point.pk, point.library.municipality_id)
            point_id, municipality_id = point_key
            figures = by_month.get(row.month)
            if figures is None:
                figures = by_month[row.month] = {}
            for code, value in row.values.items():
                if value is not None:
                    figures[(point_id, municipality_id, code)] = value
    else:
        figures = by_month.setdefault(0, {})
        for row in parsed.rows:
            for municipality_id, value in row.parts.items():
                figures[(None, municipality_id, row.metric)] = value
    return by_month


def _new_figures(parsed) -> dict:
    """The whole year's figures the file brings (see _new_figures_by_month)."""
    return _new_figures_by_month(parsed).get(0, {})


def _changes(parsed, *, year: int) -> list[dict]:
    """What confirming would change: every figure in force that the file gives another value."""
    by_month = _new_figures_by_month(parsed)
    new = {(*key, month): value for month, figures in by_month.items() for key, value in figures.items()}
    codes = {code for _p, _m, code, _month in new}
    point_ids = {point for point, _m, _c, _month in new if point is not None}
    current = Figure.objects.filter(statistics_year__year=year, replaced_by__isnull=True,
                                    month__in=_months_read(by_month, point_ids), metric__code__in=codes)
    if parsed.kind == StatsImport.Kind.SERVICE_POINTS:
        current = current.filter(service_point_id__in={point for point, _m, _c, _month in new})
    else:
        current = current.filter(service_point__isnull=True)
    labels = {m.code: m.name for m in Metric.objects.filter(code__in=codes)}
    changes = []
    grains = _point_grains(by_month)
    # Tuples, not model instances: re-checking a national export compares tens of thousands
    # of figures in force, and building a Figure with its point, municipality and metric for
    # each was most of the preview's time.
    rows = list(current.values_list("service_point_id", "municipality_id", "metric__code", "month", "value",
                                    "service_point__name", "municipality__name_fi"))
    # A point and metric whose figure in force is at the other grain (the year's where the file
    # gives months, or months where it gives the year's) is shown as one line for the year:
    # everything in force now against the file's figures plus what of its own grain stays.
    crossing = {(point, code) for point, _m, code, month, *_rest in rows
                if point is not None and (point, code, not month) in grains}
    across = {}
    if crossing:
        for (point, _m, code, _month), value in new.items():
            if (point, code) in crossing and value is not None:
                across.setdefault((point, code), ["", 0, 0])[2] += value
    for point, municipality, code, month, value, point_name, municipality_name in rows:
        key = (point, municipality, code, month)
        if (point, code) in crossing:
            line = across.setdefault((point, code), ["", 0, 0])
            line[0] = point_name
            line[1] += value
            if (point, code, bool(month)) in grains and key not in new:
                line[2] += value  # a month the file does not give stays in force
            continue
        if key in new and new[key] != value:
            where = point_name if point is not None else municipality_name
            if month:
                where = f"{where} {month}/{year}"
            changes.append({"where": where, "metric": labels[code], "old": value, "new": new[key]})
    for (_point, code), (point_name, old, after) in across.items():
        changes.append({"where": point_name, "metric": labels[code], "old": old, "new": after})
    return sorted(changes, key=lambda change: (change["where"], change["metric"]))


@transaction.atomic
def import_save(*, year: int, kind: str, data: bytes, file_name: str, by, is_demo: bool = False, service=None,
                progress=None) -> StatsImport:
    """Import a whole file or nothing: any bad row refuses it (ImportRefused lists them all).
    Figures the file gives again are replaced (kept, marked, so a revert restores them)."""
    if kind in SERVICE_KINDS:
        from .servicefigures import service_import_save

        return service_import_save(year=year, kind=kind, data=data, file_name=file_name, by=by, service=service,
                                   progress=progress)
    if kind not in FIGURE_KINDS:
        raise ValidationError({"kind": _("Choose what the file contains.")})
    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    _check_unlocked(statistics_year)
    # No cyclic collection while the file's rows are read, turned into figures and written:
    # tens of thousands of small objects, none in a cycle (see bulk.no_cyclic_gc).
    with no_cyclic_gc():
        # The list of changes is the preview's; figures_save finds what it replaces itself.
        parsed = import_prepare(year=year, kind=kind, data=data, progress=progress, by=by,
                                list_changes=False)
        if not parsed.is_valid:
            raise ImportRefused(parsed)
        record = StatsImport.objects.create(statistics_year=statistics_year, kind=kind, file_name=file_name[:255],
                                            rows=len(parsed.rows), encoding=parsed.encoding, imported_by=by,
                                            sha256=parsed.sha256)
        if kind == StatsImport.Kind.SHARED:
            for row in parsed.rows:
                shared_total_save(statistics_year=statistics_year, metric=row.metric, total=row.total,
                                  method=row.method, population_year=row.population_year,
                                  key_inputs=row.key_inputs, record=record, is_demo=is_demo)
        record.replaced = figures_save(statistics_year=statistics_year, by_month=_new_figures_by_month(parsed),
                                       record=record, is_demo=is_demo)
    record.save(update_fields=["replaced"])
    # New figures make an earlier computation stale.
    statistics_year.state = StatisticsYear.State.IMPORTED
    statistics_year.save(update_fields=["state"])
    return record


def shared_total_save(*, statistics_year, metric: str, total: int, method: str, population_year, key_inputs: dict,
                      record: StatsImport, is_demo: bool = False) -> SharedServiceTotal:
    """Keep an import's split of a shared figure (its total, key and the key's inputs) as the
    one in force. The split in force until now is kept, marked replaced by the import as its
    parts are (figures_save), not overwritten: reverting the import brings back the earlier
    total, key and inputs together with the parts they made."""
    SharedServiceTotal.objects.filter(statistics_year=statistics_year, metric=metric,
                                      replaced_by__isnull=True).update(replaced_by=record)
    return SharedServiceTotal.objects.create(
        statistics_year=statistics_year, metric=metric, total=total, split_method=method,
        population_year=population_year, key_inputs={str(k): v for k, v in key_inputs.items()},
        source_import=record, is_demo=is_demo)


def figures_save(*, statistics_year, figures: dict | None = None, record=None, month: int = 0,
                 is_demo: bool = False, by_month: dict | None = None) -> int:
    """Write {(service point id or None, municipality id, metric code): value} as the figures
    in force for `month`, or several months at once as `by_month` {month: figures}, marking
    those they replace; returns how many were replaced. One query for what is in force and
    one COPY for the lot, whatever the number of months."""
    by_month = by_month if by_month is not None else {month: figures or {}}
    codes, point_ids, municipality_ids = set(), set(), set()
    for figures in by_month.values():
        if figures:
            points, _municipalities, month_codes = zip(*figures)  # the keys' columns, no loop per figure
            points = set(points)
            codes.update(month_codes)
            point_ids |= points
            if None in points:  # municipalities' own figures (the shared services' parts)
                municipality_ids.update(m for p, m, _c in figures if p is None)
    point_ids.discard(None)
    metrics = dict(Metric.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = codes - set(metrics)
    if unknown:
        raise ValidationError(_("Unknown metrics: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    current = list(Figure.objects.filter(statistics_year=statistics_year, month__in=_months_read(by_month, point_ids),
                                         replaced_by__isnull=True, metric_id__in=metrics.values())
                   .filter(Q(service_point_id__in=point_ids)
                           | Q(service_point__isnull=True, municipality_id__in=municipality_ids))
                   .values_list("pk", "service_point_id", "municipality_id", "metric_id", "month"))
    replace_ids = []
    if current:  # a first import for the year has nothing to replace: no need to index what it brings
        # A service point's figure is identified by the point, a municipality's by the municipality.
        wanted = {(point, None if point else municipality, metrics[code], month)
                  for month, figures in by_month.items() for point, municipality, code in figures}
        grains = _point_grains(by_month, lambda code: metrics[code])
        replace_ids = [pk for pk, point, municipality, metric, month in current
                       if (point, None if point else municipality, metric, month) in wanted
                       or (point is not None and (point, metric, not month) in grains)]
    if replace_ids and connection.vendor == "postgresql":
        # One array parameter rather than an IN list of tens of thousands (a national export
        # imported again replaces all its figures; Django's IN list cost seconds to build).
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {connection.ops.quote_name(Figure._meta.db_table)} SET replaced_by_id = %s "
                           "WHERE id = ANY(%s)",
                           [record.pk if record else None, replace_ids])
    elif replace_ids:
        Figure.objects.filter(pk__in=replace_ids).update(replaced_by=record)
    # COPY on PostgreSQL: a national export brings tens of thousands of figures.
    record_id = record.pk if record else None
    if connection.vendor == "postgresql":
        copy_lines(Figure, FIGURE_COLUMNS, _figure_lines(statistics_year.pk, metrics, by_month, record_id, is_demo))
    else:
        insert_rows(Figure, FIGURE_COLUMNS,
                    ((statistics_year.pk, metrics[code], month, municipality, point, value, record_id, is_demo)
                     for month, figures in by_month.items() for (point, municipality, code), value in figures.items()))
    return len(replace_ids)


def _months_read(by_month: dict, point_ids) -> list[int]:
    """The months of the figures in force a save may replace: the file's own, and for a
    service point's figures the other grain too (a month replaces the year's figure of the
    same point and metric, a year's figure the months; else both stay and are added up)."""
    months = set(by_month)
    if point_ids:
        if any(months):
            months.add(0)
        if 0 in months:
            months.update(range(1, 13))
    return sorted(months)


def _point_grains(by_month: dict, key=lambda code: code) -> set[tuple]:
    """{(service point, key(metric code), by months?)} of the service points' figures the file
    gives: a figure in force of the same point and metric at the other grain (a year figure
    when the file gives months: `(point, metric, True)` matches a year figure's `not 0`) is
    replaced."""
    return {(point, key(code), bool(month)) for month, figures in by_month.items()
            for point, _municipality, code in figures if point is not None}


FIGURE_COLUMNS = ["statistics_year", "metric", "month", "municipality", "service_point", "value", "source_import",
                  "is_demo"]


def _figure_lines(statistics_year_id: int, metrics: dict, by_month: dict, record_id, is_demo: bool):
    """The figures as COPY's CSV lines in the order of FIGURE_COLUMNS: the rows insert_rows
    would write from tuples (values by their str(), an empty value for NULL: a
    municipality's own figure has no service point, one saved without an import no
    import), with what lines share turned into text once rather than per figure."""
    metric_text = {code: f"{statistics_year_id},{pk}," for code, pk in metrics.items()}
    tail = f",{'' if record_id is None else record_id},{is_demo}\n"
    for month, figures in by_month.items():
        month_text = f"{month},"
        for (point, municipality, code), value in figures.items():
            yield f"{metric_text[code]}{month_text}{municipality},{'' if point is None else point},{value}{tail}"


@transaction.atomic
def import_draft_create(*, year: int, kind: str, data: bytes, file_name: str, by, service=None):
    """Check an upload and keep it as the person's one draft for the year (the bytes and their
    hash in the database), returning (parsed, draft or None). Any earlier draft of theirs
    for the year is dropped first, so only what this preview showed can be confirmed."""
    statistics_year = statistics_year_open(year=year)
    PendingImport.objects.filter(statistics_year=statistics_year, created_by=by).delete()
    parsed = import_prepare(year=year, kind=kind, data=data, service=service, by=by)
    if not parsed.is_valid:
        return parsed, None
    draft = PendingImport(statistics_year=statistics_year, kind=kind, file_name=file_name[:255],
                          sha256=parsed.sha256, data=data, created_by=by, service=service)
    draft.full_clean()
    draft.save()
    return parsed, draft


def import_drafts_drop(*, year: int, by) -> None:
    PendingImport.objects.filter(statistics_year__year=year, created_by=by).delete()


@transaction.atomic
def import_draft_confirm(*, year: int, draft_id: int, sha256: str, by) -> StatsImport:
    """Save the draft the person previewed: the id and the hash shown must both match, so a
    confirm from a stale page never saves another file."""
    draft = (PendingImport.objects.select_for_update()
             .filter(pk=draft_id, sha256=sha256, created_by=by, statistics_year__year=year,
                     state=DraftState.READY, job_run__isnull=True).first())
    if draft is None:
        raise ValidationError(_("The previewed file is no longer waiting for confirmation (another file was "
                                "chosen since); choose the file again."))
    record = import_save(year=year, kind=draft.kind, data=bytes(draft.data), file_name=draft.file_name, by=by,
                         service=draft.service)
    draft.delete()
    return record


@transaction.atomic
def import_revert(*, stats_import: StatsImport, by) -> StatsImport:
    """Undo an import: its figures go, the ones it replaced are in force again. An import
    whose figures a later one replaced is reverted only after that later one."""
    record = StatsImport.objects.select_for_update().select_related("statistics_year").get(pk=stats_import.pk)
    _check_unlocked(record.statistics_year)
    if record.reverted_at:
        raise ValidationError(_("This import has already been reverted."))
    if (record.figures.filter(replaced_by__isnull=False).exists()
            or record.shared_totals.filter(replaced_by__isnull=False).exists()
            or record.service_figures.filter(replaced_by__isnull=False).exists()
            or record.counter_usage.filter(replaced_by__isnull=False).exists()):
        raise ValidationError(_("A later import replaced figures of this one; revert the later import first."))
    _check_revert_unlocked(record)
    record.figures.all().delete()
    Figure.objects.filter(replaced_by=record).update(replaced_by=None)
    # Web visits and e-material figures per service (stats/servicefigures.py), likewise.
    record.service_figures.all().delete()
    record.replaced_service_figures.update(replaced_by=None)
    # A COUNTER report's monthly counts (one DELETE: nothing refers to them).
    record.counter_usage.all().delete()
    CounterUsage.objects.filter(replaced_by=record).update(replaced_by=None)
    # And their sums per month (counteruses.py reads these), likewise.
    record.counter_month_uses.all().delete()
    CounterMonthUses.objects.filter(replaced_by=record).update(replaced_by=None)
    # Its splits' totals go and the ones they replaced are in force again: the earlier
    # parts come back with the total, key and inputs they were made by.
    record.shared_totals.all().delete()
    record.replaced_shared_totals.update(replaced_by=None)
    record.reverted_at, record.reverted_by = timezone.now(), by
    record.save(update_fields=["reverted_at", "reverted_by"])
    statistics_year = record.statistics_year
    statistics_year.state = StatisticsYear.State.IMPORTED
    statistics_year.save(update_fields=["state"])
    return record


def _check_revert_unlocked(record: StatsImport) -> None:
    """Reverting an import that holds (or brought back) figures of a municipality whose
    figures are locked would change them: refused, naming the municipality. So is one
    holding e-material services' figures the annual job splits among the Louna
    municipalities while one of those is locked."""
    from .metrics import SERVICE_FEEDS
    from .models import Service

    year = record.statistics_year.year
    # The year row locked, as an import and a lock do: a lock made meanwhile is seen here.
    list(StatisticsYear.objects.select_for_update().filter(pk=record.statistics_year_id).values_list("pk"))
    locked = selectors.locked_municipalities(year=year)
    if not locked:
        return
    touched = set(Figure.objects.filter(Q(source_import=record) | Q(replaced_by=record),
                                        municipality_id__in=list(locked))
                  .values_list("municipality_id", flat=True).distinct().order_by())
    if (record.service_figures.filter(service__kind=Service.Kind.EMATERIAL, metric__code__in=list(SERVICE_FEEDS))
            .exists()):
        touched |= set(locked) & louna_municipality_ids()
    # A COUNTER report's uses of a claimed platform are split among them too.
    if record.kind == StatsImport.Kind.COUNTER and _claimed_platforms(record.counter_scope.get("platforms", ())):
        touched |= set(locked) & louna_municipality_ids()
    if touched:
        names = {m.pk: m.name for m in Municipality.objects.filter(pk__in=list(locked))}
        raise ValidationError([locked_message(municipality_id=pk, locked=locked, names=names, year=year)
                               for pk in sorted(touched, key=lambda pk: names.get(pk, ""))]
                              + [_("%(file)s holds their figures, so it is not reverted.")
                                 % {"file": record.file_name}])


_IDENTIFIERS = ("DOI", "ISBN", "Print_ISSN", "Online_ISSN", "Proprietary_ID", "URI")


def _counter_scope(report) -> dict:
    """What makes two COUNTER imports "the same report" (StatsImport.counter_scope): the
    Report_ID, the institution, the platforms and the period (the Reporting_Period, or the
    months the rows give when a stated report has no header)."""
    months = [month for row in report.rows for month in row.months] if not (report.begin and report.end) else ()
    # Kept as months (the first day of each), as imports made before the period's own days
    # were kept: the comparisons between imports' periods stay like with like.
    begin, end = ((report.begin.replace(day=1), report.end.replace(day=1)) if report.begin and report.end
                  else (min(months), max(months)))
    return {"report_id": report.report_id, "institution": report.institution,
            "platforms": sorted({row.item.get("Platform", "") for row in report.rows}),
            "begin": begin.isoformat(), "end": end.isoformat()}


def _counter_earlier(scope: dict, *, exclude=()) -> list[StatsImport]:
    """The COUNTER imports in force that an import of `scope` replaces (in the months both
    cover): the same report and institution, a platform in common, periods that overlap.
    Harvested and uploaded reports alike: the same usage is never counted twice."""
    candidates = (StatsImport.objects.filter(kind=StatsImport.Kind.COUNTER, reverted_at__isnull=True,
                                             counter_scope__report_id=scope["report_id"],
                                             counter_scope__institution=scope["institution"])
                  .exclude(pk__in=[record.pk for record in exclude]).select_related("statistics_year")
                  .order_by("pk"))
    platforms = set(scope["platforms"])
    return [record for record in candidates
            if platforms & set(record.counter_scope.get("platforms", ()))
            and record.counter_scope["begin"] <= scope["end"] and scope["begin"] <= record.counter_scope["end"]]


def _counter_replaces(report, scope: dict, earlier: list) -> dict:
    """What saving `report` would replace: the earlier imports and the months, with each
    metric type's total in those months before (the earlier counts) and after (this
    report's). The person sees it in the preview before confirming."""
    replaces = {"imports": [], "months": [], "before": {}, "after": {}}
    if not earlier:
        return replaces
    begin, end = date.fromisoformat(scope["begin"]), date.fromisoformat(scope["end"])
    sums = (CounterUsage.objects.filter(source_import__in=[record.pk for record in earlier],
                                        replaced_by__isnull=True, month__gte=begin, month__lte=end)
            .values_list("source_import", "metric_type", "month").annotate(total=Sum("count"), rows=Count("pk"))
            .order_by())
    months, per_import = set(), {}
    for import_id, metric, month, total, rows in sums:
        months.add(month)
        replaces["before"][metric] = replaces["before"].get(metric, 0) + total
        seen = per_import.setdefault(import_id, {"counts": 0, "months": set()})
        seen["counts"] += rows
        seen["months"].add(month)
    for row in report.rows:
        for month, count in row.months.items():
            if month in months:
                replaces["after"][row.metric_type] = replaces["after"].get(row.metric_type, 0) + count
    for record in earlier:
        if record.pk in per_import:
            seen = per_import[record.pk]
            replaces["imports"].append({
                "import": record.pk, "file": record.file_name, "imported_at": record.imported_at.isoformat(),
                "counts": seen["counts"], "begin": min(seen["months"]).isoformat(),
                "end": max(seen["months"]).isoformat()})
    replaces["months"] = [f"{month:%Y-%m}" for month in sorted(months)]
    for metric in replaces["before"]:
        replaces["after"].setdefault(metric, 0)
    return replaces


def counter_import_preview(*, data: bytes, file_name: str, report_id=None, release=None, progress=None):
    """Check a COUNTER report as counter_import_save would, saving nothing: (the parsed
    report, with any refusal in its `errors`, and what saving it would replace, see
    _counter_replaces; None when refused). The same file as an import in force is refused
    by its hash. `progress(done, total)`: see counter.parse_counter."""
    from .counter import parse_counter

    with no_cyclic_gc():
        report = parse_counter(data, report_id=report_id, release=release, progress=progress)
    if report.errors:
        return report, None
    earlier = (StatsImport.objects.filter(sha256=file_hash(data), kind=StatsImport.Kind.COUNTER,
                                          reverted_at__isnull=True).order_by("-pk").first())
    if earlier is not None:
        report.errors.append((0, _("This file was already imported on %(date)s (%(name)s); revert that import "
                                   "first to import it again.")
                              % {"date": timezone.localtime(earlier.imported_at).strftime("%d.%m.%Y"),
                                 "name": earlier.file_name}))
        return report, None
    scope = _counter_scope(report)
    earlier = _counter_earlier(scope)
    locked = _counter_locked(report, earlier, file_name=file_name, scope=scope)
    if locked:
        report.errors.append((0, locked))
        return report, None
    return report, _counter_replaces(report, scope, earlier)


def _claimed_platforms(platforms) -> list[str]:
    """The platforms among `platforms` that an e-material service claims (their uses are
    split among the Louna municipalities by the annual job: stats/counteruses.py)."""
    from .models import CounterPlatform, Service

    wanted = {name.strip().lower() for name in platforms if name and name.strip()}
    if not wanted:
        return []
    claims = Q()
    for name in wanted:
        claims |= Q(name__iexact=name)
    return sorted(CounterPlatform.objects.filter(claims, service__kind=Service.Kind.EMATERIAL)
                  .values_list("name", flat=True))


def _counter_split_locked(report, scope: dict, locked_years=None) -> str:
    """Why the report cannot be saved while a Louna municipality's figures of a year it
    covers are locked (MunicipalityLock), or "": the uses of a platform a service claims are
    split among the Louna municipalities, so new counts would change the locked part too.
    `locked_years`: the years of the period with any lock, when the caller has read them."""
    if not scope.get("begin") or not scope.get("end"):
        return ""
    if locked_years is None:
        locked_years = sorted(set(MunicipalityLock.objects.filter(
            statistics_year__year__gte=int(scope["begin"][:4]), statistics_year__year__lte=int(scope["end"][:4]))
            .values_list("statistics_year__year", flat=True)))
    if not locked_years:
        return ""
    for year in locked_years:
        locked, louna_locked, names = selectors.louna_locks(year=year)
        if not louna_locked:
            continue
        platforms = _claimed_platforms(scope.get("platforms", ()))
        if not platforms:
            return ""
        return _("%(reason)s The uses of %(platforms)s are split among the municipalities, that one included.") % {
            "reason": locked_message(municipality_id=louna_locked[0], locked=locked, names=names, year=year),
            "platforms": ", ".join(platforms)}
    return ""


def _counter_locked(report, earlier: list, *, file_name: str, scope: dict | None = None) -> str:
    """Why the report cannot be saved for a reported (locked) year, or "": its own year, or
    the year of an earlier import it would replace; with `scope`, also a Louna
    municipality's lock in a year it covers (_counter_split_locked), read in the same query
    as the year's state (the preview's queries are pinned)."""
    year = report.begin.year if report.begin else min(m for row in report.rows for m in row.months).year
    last = int(scope["end"][:4]) if scope and scope.get("end") else year
    years = list(StatisticsYear.objects.filter(year__gte=year, year__lte=last).annotate(
        locks=Exists(MunicipalityLock.objects.filter(statistics_year=OuterRef("pk"))))
        .values_list("year", "state", "locks"))
    if any(y == year and state == StatisticsYear.State.REPORTED for y, state, _locks in years):
        return _("The statistics of %(year)d have been reported and are locked.") % {"year": year}
    if scope is not None:
        split_locked = _counter_split_locked(report, scope, locked_years=[y for y, _s, locks in years if locks])
        if split_locked:
            return split_locked
    for other in earlier:
        if other.statistics_year.is_locked:
            return _("%(file)s would replace counts of %(other)s, but %(year)d has been reported and is locked.") % {
                "file": file_name, "other": other.file_name, "year": other.statistics_year.year}
    return ""


@transaction.atomic
def counter_import_save(*, data: bytes, file_name: str, by, report_id=None, release=None,
                        source_key: str = "", progress=None) -> StatsImport:
    """Save a COUNTER report's monthly counts, whole or nothing, under the statistics year
    its period begins in. The same file twice is refused by its hash.

    An earlier import of the same report (Report_ID), institution and a platform in common
    is replaced in the months both cover: its counts there are kept, marked `replaced_by`
    this import (one UPDATE), so they no longer count and reverting this import brings them
    back; its other months stay in force. A report in a locked (reported) year is not
    replaced.

    `source_key` (a harvested report: "sushi:<account>:<report>:<YYYY-MM>") makes the import
    replaceable: the same key again with the same bytes returns the earlier import (nothing
    saved twice, so a harvest retried after a crash is a no-op); with other bytes the
    earlier import's rows go and it is marked reverted, replaced by this one.

    `progress(done, total)` (a background save, stats/import_jobs.py) hears how far the
    reading has come; see counter.parse_counter."""
    from .counter import error_lines, parse_counter

    with no_cyclic_gc():
        report = parse_counter(data, report_id=report_id, release=release, progress=progress)
    if report.errors:
        raise ValidationError(error_lines(report, file_name, limit=50))
    sha256 = file_hash(data)
    previous = None
    if source_key:
        previous = (StatsImport.objects.select_for_update()
                    .filter(source_key=source_key, kind=StatsImport.Kind.COUNTER, reverted_at__isnull=True)
                    .order_by("-pk").first())
        if previous is not None and previous.sha256 == sha256:
            return previous
    elif StatsImport.objects.filter(sha256=sha256, kind=StatsImport.Kind.COUNTER, reverted_at__isnull=True).exists():
        raise ValidationError(_("This file was already imported."))
    scope = _counter_scope(report)
    _counter_lock(scope)
    year = report.begin.year if report.begin else min(m for row in report.rows for m in row.months).year
    statistics_year = statistics_year_open(year=year)
    _check_unlocked(statistics_year)
    split_locked = _counter_split_locked(report, scope)
    if split_locked:
        raise ValidationError(split_locked)
    record = StatsImport.objects.create(statistics_year=statistics_year, kind=StatsImport.Kind.COUNTER,
                                        file_name=file_name[:255], rows=len(report.rows), encoding=report.release,
                                        imported_by=by, sha256=sha256, source_key=source_key[:120],
                                        source=StatsImport.Source.HARVEST if source_key else StatsImport.Source.UPLOAD,
                                        counter_scope=scope)
    replaced = 0
    if previous is not None:
        _check_unlocked(previous.statistics_year)
        replaced, _by_model = previous.counter_usage.all().delete()
        previous.counter_month_uses.all().delete()
        previous.reverted_at, previous.reverted_by = timezone.now(), by
        previous.save(update_fields=["reverted_at", "reverted_by"])
    earlier = _counter_earlier(scope, exclude=[record] + ([previous] if previous else []))
    if earlier:
        locked = _counter_locked(report, earlier, file_name=file_name)
        if locked:
            raise ValidationError(locked)
        # One UPDATE for every earlier import and month, whatever the number of rows; the
        # same filter for their sums per month, so the two never disagree on what is in force.
        in_period = Q(source_import__in=[other.pk for other in earlier], replaced_by__isnull=True,
                      month__gte=date.fromisoformat(scope["begin"]), month__lte=date.fromisoformat(scope["end"]))
        replaced += CounterUsage.objects.filter(in_period).update(replaced_by=record)
        CounterMonthUses.objects.filter(in_period).update(replaced_by=record)
    if replaced:
        record.replaced = replaced
        record.save(update_fields=["replaced"])
    # COPY on PostgreSQL: a 200 000-row report is millions of monthly counts. The uses per
    # platform and month are gathered in the same pass over the rows (_counter_groups) and
    # kept beside them: a few dozen rows that counteruses reads instead of the counts.
    uses = {}
    with no_cyclic_gc():
        insert_grouped(CounterUsage, ["source_import", "report_id", "release", "platform", "title", "identifiers",
                                      "data_type", "access_type", "access_method", "yop", "metric_type"],
                       ["month", "count"], _counter_groups(report, record, uses))
    CounterMonthUses.objects.bulk_create(
        [CounterMonthUses(source_import=record, report_id=report.report_id, platform=platform, month=month,
                          uses=total)
         for (platform, month), total in sorted(_counter_month_uses(uses, period=_period_months(report)).items())],
        batch_size=500)
    return record


@transaction.atomic
def counter_draft_create(*, year: int, data: bytes, file_name: str, by, report_id=None, release=None):
    """Check an uploaded COUNTER report and keep it as the person's one draft for the year
    (as import_draft_create): (report, replaces, draft or None when refused). The report and
    release the person stated for a file without its header block are kept with it."""
    statistics_year = statistics_year_open(year=year)
    PendingImport.objects.filter(statistics_year=statistics_year, created_by=by).delete()
    report, replaces = counter_import_preview(data=data, file_name=file_name, report_id=report_id, release=release)
    if report.errors:
        return report, None, None
    draft = PendingImport.objects.create(statistics_year=statistics_year, kind=StatsImport.Kind.COUNTER,
                                         file_name=file_name[:255], sha256=file_hash(data), data=data,
                                         created_by=by, result={"report_id": report_id or "",
                                                                "release": release or ""})
    return report, replaces, draft


@transaction.atomic
def counter_draft_confirm(*, year: int, draft_id: int, sha256: str, by) -> StatsImport:
    """Save the COUNTER report the person previewed (the id and hash shown must match)."""
    draft = (PendingImport.objects.select_for_update()
             .filter(pk=draft_id, sha256=sha256, created_by=by, statistics_year__year=year,
                     kind=StatsImport.Kind.COUNTER, state=DraftState.READY, job_run__isnull=True).first())
    if draft is None:
        raise ValidationError(_("The previewed file is no longer waiting for confirmation (another file was "
                                "chosen since); choose the file again."))
    record = counter_import_save(data=bytes(draft.data), file_name=draft.file_name, by=by,
                                 report_id=draft.result.get("report_id") or None,
                                 release=draft.result.get("release") or None)
    draft.delete()
    return record


def _counter_lock(scope: dict) -> None:
    """Two imports of the same report at once would both find nothing to replace and both
    stay in force: the second waits here for the first to commit (a lock held to the end
    of the transaction, PostgreSQL only; SQLite runs one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                           [f"stats.counter:{scope['report_id']}:{scope['institution']}"])


def _counter_groups(report, record, uses: dict):
    """(what a report row's months share, [(month, count), ...]) for each report row.

    On the way, the rows that count as uses (counteruses: the uses metric, TDM left out),
    with exactly the values stored, are collected in `uses` for _counter_month_uses:
    {(platform, the row's months): [the row's counts, ...]}. Collected here, while the rows
    are in memory, they cost a comparison a row and two tuples for a quarter of a TR's rows
    (the sums are then taken column by column in C): about 0.06 s of CPU for a 200 000-row TR
    against some 14 s for its import, where reading them back would scan the counts."""
    for row in report.rows:
        item = row.item
        platform, access_method, metric_type = (item.get("Platform", "")[:255], item.get("Access_Method", "")[:40],
                                                row.metric_type[:60])
        common = (record.pk, report.report_id, report.release, platform,
                  (item.get("Title") or item.get("Database") or item.get("Item") or "")[:500],
                  {key: item[key] for key in _IDENTIFIERS if key in item},
                  item.get("Data_Type", "")[:40], item.get("Access_Type", "")[:40], access_method,
                  item.get("YOP", "")[:9], metric_type)
        if metric_type == USES_METRIC and access_method.upper() != TDM:
            key = (platform, tuple(row.months))
            counts = uses.get(key)
            if counts is None:
                counts = uses[key] = []
            counts.append(tuple(row.months.values()))
        yield common, list(row.months.items())


def _period_months(report) -> list[date]:
    """The first days of the months of the report's period (none when it has no period)."""
    if not report.begin or not report.end:
        return []
    months, month = [], report.begin.replace(day=1)
    while month <= report.end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _counter_month_uses(uses: dict, period=()) -> dict:
    """{(platform, month): uses} from what _counter_groups collected. A month whose counts
    are all 0 stays, as 0: a report present in a month decides the platform's source there
    (counteruses.SOURCES), whatever its uses. So does a month of the `period` the report
    gives no count for, for each platform it names: the JSON form leaves zeros out (the Code
    of Practice's zero usage), and the platform's month is then a 0, not a month missing."""
    sums = {}
    for (platform, months), counts in uses.items():
        for month, total in zip(months, map(sum, zip(*counts))):
            sums[platform, month] = sums.get((platform, month), 0) + total
    for platform in {platform for platform, _month in sums}:
        for month in period:
            sums.setdefault((platform, month), 0)
    return sums


# ---------------------------------------------------------------- the annual computation


@transaction.atomic
def year_compute(*, year: int, progress=None, municipality_ids=None) -> dict:
    """Compute each municipality's totals for the year from the service points' figures and
    the shared services' parts, record which service points lack figures, and mark the year
    computed. Running it again gives the same rows (one per municipality). The
    municipalities: every member's and any other with figures in the year, or those given
    (the Louna coordinator's run: Louna's; the other municipalities' totals stay)."""
    statistics_year = statistics_year_open(year=year)
    statistics_year = StatisticsYear.objects.select_for_update().get(pk=statistics_year.pk)
    _check_unlocked(statistics_year)
    everyone = municipality_ids is None
    if everyone:
        municipality_ids = member_municipality_ids() | set(
            selectors.current_figures(statistics_year=statistics_year).values_list("municipality_id", flat=True)
            .distinct().order_by())
    # A municipality whose figures are locked keeps the totals it was reported with.
    locked = set(selectors.locked_municipalities(year=year))
    municipality_ids = set(municipality_ids) - locked
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=municipality_ids)
    if progress:
        progress.total(len(rows))
    now = timezone.now()
    # One read, one insert and one update for all municipalities (not a query pair each:
    # the whole country has some 300): a row kept per municipality, its id unchanged.
    existing = {total.municipality_id: total for total in statistics_year.totals.all()}
    fields = [*TOTAL_FIELDS, "service_points", "service_points_missing", "computed_at"]
    new, changed = [], []
    for done, row in enumerate(rows, start=1):
        if progress:  # the jobs page follows the municipalities (and worker tests pause here)
            progress.advance(done, message=str(row["municipality"].name_fi))
        values = {**{name: row.get(name, 0) for name in TOTAL_FIELDS}, "service_points": row["service_points"],
                  "service_points_missing": row["service_points_missing"], "computed_at": now}
        total = existing.get(row["municipality"].pk)
        if total is None:
            new.append(MunicipalityYearTotal(statistics_year=statistics_year, municipality=row["municipality"],
                                             **values))
        else:
            for name, value in values.items():
                setattr(total, name, value)
            changed.append(total)
    MunicipalityYearTotal.objects.bulk_create(new, batch_size=500)
    MunicipalityYearTotal.objects.bulk_update(changed, fields, batch_size=500)
    if everyone:  # a municipality whose library has left, with no figures, has no totals here
        statistics_year.totals.exclude(municipality_id__in=municipality_ids | locked).delete()
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
def year_mark_reported(*, year: int, by, municipality_ids=None) -> StatisticsYear:
    """The figures have gone to the ministry: lock the year.

    The lock is the whole year's, every municipality's: someone who manages only some of
    them (`municipality_ids`, the Louna coordinator's) may lock it only while the year holds
    nobody else's figures or reports; otherwise it is consortium staff's to lock."""
    statistics_year = StatisticsYear.objects.select_for_update().get(year=year)
    _check_unlocked(statistics_year)
    if statistics_year.state != StatisticsYear.State.COMPUTED:
        raise ValidationError(_("Compute the year's totals after the last import before marking it reported."))
    if municipality_ids is not None:
        allowed = list(municipality_ids)
        others = Municipality.objects.filter(
            Q(pk__in=Figure.objects.filter(statistics_year=statistics_year, municipality__isnull=False)
              .exclude(municipality_id__in=allowed).values("municipality_id"))
            | Q(pk__in=AnnualReport.objects.filter(statistics_year=statistics_year)
                .exclude(municipality_id__in=allowed).values("municipality_id"))).order_by("name_fi")
        names = [municipality.name_fi for municipality in others[:6]]
        if names:
            raise ValidationError(_(
                "The year also holds the figures of municipalities you do not manage (%(names)s): marking "
                "it reported locks them too, so consortium staff mark it.") % {"names": ", ".join(names)})
    statistics_year.state = StatisticsYear.State.REPORTED
    statistics_year.reported_at = timezone.now()
    statistics_year.reported_by = by
    statistics_year.save(update_fields=["state", "reported_at", "reported_by"])
    # What went to the ministry is each municipality's newest report version: delivered now.
    from .annual_services import annual_reports_deliver_latest

    annual_reports_deliver_latest(year=year, by=by)
    return statistics_year
