"""Reads of the annual reports: what the annual job computes a report from (and so what is
missing), the versions kept, a municipality's years side by side, the national table.

Every function here runs a fixed number of queries whatever the number of municipalities,
service points or versions (the pages' counts are pinned in stats/tests/test_annual_pages.py);
the figure sources registered by other apps run their own fixed number each."""

import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Power
from django.utils.translation import gettext as _

from consortium.models import JobRun, Municipality
from consortium.registry import figure_source_label, figure_sources

from . import selectors, series
from .metrics import EXTRA_OKM_VARIABLES
from .models import AnnualReport, Metric, SplitMethod, StatisticsYear
from .permissions import louna_municipality_ids, member_municipality_ids
from .servicefigures import service_shared_splits

__all__ = ("ReportInputs", "report_inputs", "value_of", "split_key_label", "figures_diff", "latest_versions",
           "version_list", "municipality_history", "year_comparison", "metric_series", "national_rows",
           "NATIONAL_SORTS", "report_job_runs", "year_reports", "covered_names", "month_ranges", "owed_months",
           "months_missing_text")

log = logging.getLogger(__name__)
TENTH = Decimal("0.1")


def value_of(value):
    """A stored figure as a number: an int, or a Decimal for euros kept as text; None stays."""
    if value is None or isinstance(value, int):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _stored(value):
    """A figure as JSON keeps it exactly: whole numbers as ints, euros as text with cents."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 \
            else str(value.quantize(Decimal("0.01")))
    return int(value)


def figures_diff(old: dict, new: dict) -> list[dict]:
    """Per metric code the old and the new value where they differ (None: no figure)."""
    changes = []
    for code in sorted(set(old) | set(new)):
        before, after = value_of(old.get(code)), value_of(new.get(code))
        if before != after:
            changes.append({"code": code, "old": old.get(code), "new": new.get(code)})
    return changes


@dataclass
class ReportInputs:
    """What the annual job would write now: per municipality its figures and details, and
    the year's completeness (the coordinator sees it before starting the job too)."""

    statistics_year: StatisticsYear
    metrics: list  # the year's metrics, then those only a figure source gives
    municipalities: list
    figures: dict = field(default_factory=dict)  # {municipality id: {code: stored value}}
    details: dict = field(default_factory=dict)  # {municipality id: details}
    sources: list = field(default_factory=list)  # [{"key", "figures", "error"}]
    # Why a figure of the e-material services cannot be split (a key's input missing, naming
    # the municipalities): the job refuses until it is put right.
    split_errors: list = field(default_factory=list)
    # Municipalities with no series of their own: [{"municipality", "host"}], the host's
    # joint library organisation reports their figures (they are not missing).
    included: list = field(default_factory=list)
    # COUNTER uses of the year that reach no municipality: [(platform, uses)] of platforms no
    # e-material service claims, and the e-material services with no platform (the likely
    # owners). The year is not complete while any platform is unclaimed.
    counter_unclaimed: list = field(default_factory=list)
    counter_unlinked: list = field(default_factory=list)
    # [(platform, [report ids], uses)]: months with uses only in reports the rule does not
    # take (TR_J4, item reports): not counted, so the year is not complete either.
    counter_uncounted: list = field(default_factory=list)
    # Monthly sources with some months of the year and not others: [{"kind" ("web": a web
    # site's visits, "ematerial": a vendor's loans, "counter": a claimed COUNTER platform's
    # uses), "name", "missing_months": [1..12]}]. The year is not complete while any is here.
    # (A service point's are per municipality: details["partial_points"].)
    service_gaps: list = field(default_factory=list)

    @property
    def counter_warning(self) -> dict:
        """What stats/includes/counter_uses_warning.html names."""
        return {"unclaimed": self.counter_unclaimed, "unlinked": self.counter_unlinked,
                "uncounted": self.counter_uncounted}

    @property
    def missing_points(self) -> int:
        return sum(len(details["missing_points"]) for details in self.details.values())

    @property
    def partial_points(self) -> int:
        return sum(len(details["partial_points"]) for details in self.details.values())

    @property
    def complete(self) -> bool:
        return not self.missing_points and not any(d["missing_metrics"] for d in self.details.values()) \
            and not any(source["error"] for source in self.sources) and not self.split_errors \
            and not self.counter_unclaimed and not self.counter_uncounted \
            and not self.partial_points and not self.service_gaps

    def months_missing(self) -> list[str]:
        """Every monthly source lacking months, as sentences ("Humppilan pääkirjasto: months
        4–6 missing."): the service points by municipality, then the services."""
        return [months_missing_text(point["name"], point["missing_months"])
                for municipality in self.municipalities
                for point in self.details[municipality.pk]["partial_points"]] + self.service_gap_lines

    @property
    def service_gap_lines(self) -> list[str]:
        """The web sites, vendors and COUNTER platforms lacking months, as sentences."""
        return [months_missing_text(_service_gap_name(gap), gap["missing_months"]) for gap in self.service_gaps]


def month_ranges(months) -> str:
    """Month numbers compactly, runs as ranges: [4, 5, 6, 9] -> "4–6, 9" (an en dash)."""
    runs = []
    for month in sorted(set(months)):
        if runs and month == runs[-1][1] + 1:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return ", ".join(str(first) if first == last else f"{first}\u2013{last}" for first, last in runs)


def months_missing_text(name: str, months) -> str:
    if len(months) == 1:
        return _("%(name)s: month %(months)s missing.") % {"name": name, "months": month_ranges(months)}
    return _("%(name)s: months %(months)s missing.") % {"name": name, "months": month_ranges(months)}


def _service_gap_name(gap: dict) -> str:
    labels = {"web": _("%(name)s (web site visits)"), "ematerial": _("%(name)s (e-material loans)"),
              "counter": _("%(name)s (COUNTER uses)")}
    return labels[gap["kind"]] % {"name": gap["name"]}


def owed_months(year: int, opened_on, closed_on) -> range:
    """The months of `year` a service point owes figures for: those it was open in (a point
    opened in June owes June to December)."""
    first = opened_on.month if opened_on and opened_on.year == year else 1
    last = closed_on.month if closed_on and closed_on.year == year else 12
    return range(first, last + 1)


def _metric_entry(metric, okm_variable: str) -> dict:
    return {"code": metric.code, "name_fi": metric.name_fi, "name_sv": metric.name_sv, "name_en": metric.name_en,
            "unit": metric.unit, "level": metric.level, "okm_variable": okm_variable}


def _source_figures(year: int):
    """Every registered figure source's figures for the year; a source that fails is named
    with its error (the report is then incomplete), never fatal to the job."""
    collected, status = [], []
    for key, provider in sorted(figure_sources().items()):
        try:
            figures = list(provider(year=year))
        except Exception as exc:  # noqa: BLE001 - another app's failure is shown, not raised
            log.warning("figure source %s failed for %s: %s", key, year, exc)
            status.append({"key": key, "figures": 0, "error": f"{type(exc).__name__}: {exc}"[:300]})
            continue
        collected.extend((key, figure) for figure in figures)
        status.append({"key": key, "figures": len(figures), "error": ""})
    return collected, status


def report_inputs(*, statistics_year: StatisticsYear, municipality_ids=None) -> ReportInputs:
    """Each municipality's figures as the annual job stores them: its service points'
    figures added up (plus its own municipality-level figures, e.g. its part of a shared
    figure split by the allocation key at import), then the figure sources' figures (which
    win over an imported figure of the same metric: they are the data's origin), and the
    e-material services' figures split by the keys in force now (servicefigures.
    service_shared_splits; a key that cannot be applied is in `split_errors`). Every
    member municipality gets a report; any other municipality with figures does too.
    `municipality_ids` narrows them (the Louna coordinator's overview and run: Louna's).
    A report is a series (OKM's unit, the library organisation): a joint organisation's
    report is its host municipality's and includes every municipality it also serves."""
    year = statistics_year.year
    metrics = selectors.year_metrics(year=year)
    year_codes = [metric.code for metric in metrics]
    joint = series.joint_series()
    hosts = series.host_ids(joint)
    sums, point_months = {}, {}
    in_set = set(year_codes)
    # The months each point has figures for come in the same query, not a query per point,
    # as a bit per month: a point's figure of a metric is in force once per month (the
    # constraint stats_point_figure_current_once), so the sum of 2**month over a point and
    # metric is exactly its months' bits, on PostgreSQL and SQLite alike. The completeness
    # names the months missing of a point that reports by month.
    for municipality_id, point_id, code, value, month_bits in (
            selectors.current_figures(statistics_year=statistics_year)
            .values("municipality_id", "service_point_id", "metric__code")
            .annotate(value=Sum("value"), month_bits=Sum(Power(Value(2), F("month")))).order_by()
            .values_list("municipality_id", "service_point_id", "metric__code", "value", "month_bits")):
        # The year's report holds the metrics of the set it is reported under, whatever was
        # imported (the imports refuse a metric outside it; figures saved before they did stay
        # out of the report too).
        if code not in in_set:
            continue
        key = (series.series_of(municipality_id, hosts), point_id, code)
        sums[key] = sums.get(key, 0) + value
        if point_id is not None:
            bits = int(month_bits)
            point_months.setdefault(point_id, set()).update(month for month in range(1, 13) if bits >> month & 1)
    source_figures, source_status = _source_figures(year)
    # The e-material services' figures split by the keys in force now, among the Louna
    # municipalities that share those services; a metric a figure source gives is left to
    # the source.
    # Their COUNTER uses too (counteruses.py: each use once, one report per platform and month).
    service_splits, split_errors, counter, service_gaps = service_shared_splits(
        statistics_year=statistics_year, municipality_ids=set(louna_municipality_ids()),
        skip={figure.metric for _key, figure in source_figures})
    if municipality_ids is None:
        wanted = Municipality.objects.filter(
            Q(pk__in=set(member_municipality_ids()) | {key[0] for key in sums})
            | Q(code__in={figure.municipality_code for _key, figure in source_figures}))
    else:  # the person's own (members all): a report each, whether it has figures or not
        wanted = Municipality.objects.filter(pk__in=list(municipality_ids))
    # {code: the municipality whose series a figure of that code belongs to}
    by_code = {m.code: joint[hosts[m.pk]].host if m.pk in hosts else m for m in wanted}
    source_codes = sorted({figure.metric for _key, figure in source_figures} - set(year_codes))
    split_codes = sorted(set(service_splits) - set(year_codes) - set(source_codes))
    extra = {metric.code: metric for metric in Metric.objects.filter(code__in=source_codes + split_codes)}
    entries = [_metric_entry(metric, getattr(metric, "okm_variable", "")) for metric in metrics]
    entries += [_metric_entry(extra[code], EXTRA_OKM_VARIABLES.get(code, "")) for code in source_codes + split_codes
                if code in extra]
    unknown = {(key, figure.metric) for key, figure in source_figures if figure.metric not in extra
               and figure.metric not in year_codes}
    for status in source_status:
        codes = sorted(code for key, code in unknown if key == status["key"])
        if codes and not status["error"]:
            status["error"] = _("Unknown metrics: %(codes)s.") % {"codes": ", ".join(codes)}
    known = {entry["code"] for entry in entries}
    municipalities = sorted({m.pk: m for m in by_code.values()}.values(), key=lambda m: (m.name_fi, m.code))
    ids = [m.pk for m in municipalities]
    points = list(selectors.expected_service_points(year=year, municipality_ids=ids)
                  .values_list("pk", "name", "library__municipality_id", "opened_on", "closed_on")
                  .order_by("name", "pk"))
    point_names = {pk: name for pk, name, *_rest in points}
    shared = {total.metric: total for total in selectors.shared_totals(statistics_year=statistics_year)}
    inputs = ReportInputs(statistics_year=statistics_year, metrics=entries, municipalities=municipalities,
                          sources=source_status, split_errors=split_errors,
                          counter_unclaimed=counter.unclaimed, counter_unlinked=counter.unlinked,
                          counter_uncounted=counter.uncounted,
                          service_gaps=service_gaps + [{"kind": "counter", "name": name, "missing_months": months}
                                                       for name, months in counter.gaps])
    for municipality in municipalities:
        inputs.figures[municipality.pk] = {}
        inputs.details[municipality.pk] = {"service_points": {}, "missing_points": [], "partial_points": [],
                                           "splits": {},
                                           "from_sources": {}, "missing_metrics": [],
                                           "covers": series.covered(joint.get(municipality.pk))}
        inputs.included += [{"municipality": member, "host": municipality}
                            for member in getattr(joint.get(municipality.pk), "also", ())]
    # Service points that have figures, though no longer expected (closed since), count too.
    for (municipality_id, point_id, code), value in sums.items():
        if municipality_id not in inputs.figures:
            continue
        figures = inputs.figures[municipality_id]
        figures[code] = figures.get(code, 0) + int(value)
        if point_id is not None:
            points_of = inputs.details[municipality_id]["service_points"]
            points_of.setdefault(str(point_id), {"name": point_names.get(point_id, ""), "figures": {}})
            points_of[str(point_id)]["figures"][code] = int(value)
    missing_names = {pk for pk, *_rest in points} - {key[1] for key in sums if key[1] is not None}
    for pk, name, municipality_id, opened_on, closed_on in points:
        if municipality_id not in inputs.details:
            continue
        if pk in missing_names:
            inputs.details[municipality_id]["missing_points"].append({"id": pk, "name": name})
            continue
        # A point with year figures only is complete; one with any month owes every month it
        # was open in (the months of a monthly export it is missing from are named).
        months = point_months.get(pk)
        lacking = [month for month in owed_months(year, opened_on, closed_on) if months and month not in months]
        if lacking:
            inputs.details[municipality_id]["partial_points"].append(
                {"id": pk, "name": name, "missing_months": lacking})
    for key, figure in source_figures:
        municipality = by_code.get(figure.municipality_code)
        if municipality is None or figure.metric not in known:
            continue
        figures, from_sources = inputs.figures[municipality.pk], inputs.details[municipality.pk]["from_sources"]
        # The municipalities of one series add up; a source's figure replaces an imported one.
        earlier = value_of(figures.get(figure.metric)) if figure.metric in from_sources else 0
        figures[figure.metric] = _stored(earlier + figure.value)
        from_sources[figure.metric] = figure.source or key
    for municipality in municipalities:
        details = inputs.details[municipality.pk]
        for code, total in shared.items():
            weights = total.key_inputs or {}
            if code in inputs.figures[municipality.pk] and code not in details["from_sources"]:
                details["splits"][code] = {
                    "total": total.total, "key": total.split_method, "population_year": total.population_year,
                    "weight": weights.get(str(municipality.pk)), "weights_total": sum(weights.values()) or None}
        # The services' split wins over a shared-services file's figure of the same metric:
        # it is made from the finer figures (each service's own) and follows today's key.
        for code, split in service_splits.items():
            if municipality.pk not in split["parts"] or code not in known:
                continue
            inputs.figures[municipality.pk][code] = _stored(split["parts"][municipality.pk])
            details["splits"][code] = {
                "total": _stored(split["total"]), "key": split["key"], "population_year": split["population_year"],
                "weight": split["inputs"].get(municipality.pk), "weights_total": sum(split["inputs"].values()),
                "inputs": {str(pk): weight for pk, weight in split["inputs"].items()},
                "services": [[name, _stored(value)] for name, value in split["services"]]}
        # Points' names for the missing ones of closed points are already there; sort for reading.
        details["missing_metrics"] = [code for code in year_codes if code not in inputs.figures[municipality.pk]]
    return inputs


# ---------------------------------------------------------------- the versions kept


def year_reports(*, year: int, municipality_ids=None):
    """Every version of the year (newest first per municipality), with the municipality."""
    # A version's municipality lock (if it was locked at it) joined in: the overview shows
    # the locks without a query of their own.
    reports = AnnualReport.objects.filter(statistics_year__year=year).select_related(
        "municipality", "delivered_by", "lock__locked_by")
    if municipality_ids is not None:
        reports = reports.filter(municipality_id__in=list(municipality_ids))
    return reports.order_by("municipality__name_fi", "municipality_id", "-version")


def latest_versions(*, year: int, municipality_ids=None, delivered_only: bool = False) -> dict:
    """{municipality id: its newest version of the year}; one query."""
    reports = year_reports(year=year, municipality_ids=municipality_ids)
    if delivered_only:
        reports = reports.filter(delivered=True)
    latest = {}
    for report in reports:
        latest.setdefault(report.municipality_id, report)
    return latest


def version_list(*, year: int, municipality) -> list[AnnualReport]:
    """The municipality's versions of the year, newest first, each with its lock if the
    municipality's figures were locked at it (MunicipalityLock), in the same query."""
    return list(AnnualReport.objects.filter(statistics_year__year=year, municipality=municipality)
                .select_related("delivered_by", "lock").order_by("-version"))


def municipality_history(*, municipality) -> dict[int, AnnualReport]:
    """{year: the newest version} for every year the municipality has a report; one query."""
    history = {}
    for report in (AnnualReport.objects.filter(municipality=municipality).select_related("statistics_year")
                   .order_by("statistics_year__year", "version")):
        history[report.statistics_year.year] = report  # the newest version wins
    return history


def _label(entry: dict, language: str) -> str:
    return entry.get(f"name_{language}") or entry["name_fi"]


def year_comparison(*, report: AnnualReport, previous: AnnualReport | None, language: str) -> list[dict]:
    """The report's metrics beside the year before: value, previous value, change and change
    in per cent; None where there is nothing to compare (shown as "–")."""
    rows = []
    before = previous.figures if previous else {}
    for entry in report.details.get("metrics", []):
        value, old = value_of(report.figures.get(entry["code"])), value_of(before.get(entry["code"]))
        change = value - old if value is not None and old is not None else None
        percent = (Decimal(100 * change) / Decimal(old)).quantize(TENTH, ROUND_HALF_UP) \
            if change is not None and old else None
        rows.append({"code": entry["code"], "label": _label(entry, language), "unit": entry["unit"],
                     "unit_label": _unit_label(entry["unit"]), "okm_variable": entry["okm_variable"],
                     "value": value, "previous": old, "change": change,
                     "percent": percent,
                     "source": figure_source_label(report.details.get("from_sources", {}).get(entry["code"], "")),
                     "split": _split_shown(report.details.get("splits", {}).get(entry["code"]))})
    return rows


def _unit_label(unit: str) -> str:
    """The unit as a person reads it ("kpl", "lainaa"); a stored version keeps the code, and a
    code no longer among the choices is shown as it is."""
    try:
        return str(Metric.Unit(unit).label)
    except ValueError:
        return unit


def split_key_label(key: str) -> str:
    return str(dict(SplitMethod.choices).get(key, key))


def covered_names(report: AnnualReport, language: str = "fi") -> list[str]:
    """The municipalities a joint library organisation's series covered, as the version
    stored them (host first); empty for a municipality's own library organisation."""
    return [(language == "sv" and entry.get("name_sv")) or entry["name_fi"]
            for entry in report.details.get("covers", [])]


def _split_shown(split: dict | None) -> dict | None:
    if split is None:
        return None
    # Euros are kept as text with cents: numbers again for the page.
    return {**split, "key_label": split_key_label(split["key"]), "total": value_of(split["total"]),
            "services": [(name, value_of(value)) for name, value in split.get("services", [])]}


def metric_series(*, history: dict, report: AnnualReport, language: str) -> list[dict]:
    """Each of the report's metrics over the years: [(year, value or None)], for a chart."""
    years = sorted(history)
    series = []
    for entry in report.details.get("metrics", []):
        points = [(year, value_of(history[year].figures.get(entry["code"]))) for year in years]
        if any(value is not None for _year, value in points):
            series.append({"code": entry["code"], "label": _label(entry, language), "points": points})
    return series


def report_job_runs(*, year: int, limit: int = 20) -> list[JobRun]:
    """The annual job's runs for the year: those started by hand carry the year in their
    arguments; beat's run is found by the versions it made."""
    from .tasks import COMPUTE_TASK

    made = AnnualReport.objects.filter(statistics_year__year=year, job_run_id__isnull=False).values("job_run_id")
    return list(JobRun.objects.filter(Q(task_name=COMPUTE_TASK) & (Q(task_kwargs__year=year) | Q(pk__in=made)))
                .select_related("created_by").order_by("-created_at", "-pk")[:limit])


# ---------------------------------------------------------------- the national table

NATIONAL_SORTS = ("municipality", "code")


def national_rows(*, year: int, sort: str = "municipality", descending: bool = False, language: str = "fi"):
    """(metrics, rows, totals, sort) of every municipality's delivered report for the year: the
    figures OKM has, public once delivered (a version still being worked on stays with its
    own director). Sorted by the column asked for, municipalities with no figure last."""
    reports = list(latest_versions(year=year, delivered_only=True).values())
    metrics, seen = [], set()
    for report in reports:
        for entry in report.details.get("metrics", []):
            if entry["code"] not in seen:
                seen.add(entry["code"])
                metrics.append({"code": entry["code"], "label": _label(entry, language), "unit": entry["unit"],
                                "level": entry["level"]})
    rows = [{"municipality": report.municipality, "report": report, "covers": covered_names(report, language),
             "values": [value_of(report.figures.get(metric["code"])) for metric in metrics]} for report in reports]
    codes = [metric["code"] for metric in metrics]
    if sort not in codes and sort not in NATIONAL_SORTS:
        sort = "municipality"  # an unknown column: the default order, not an error
    if sort in codes:
        index = codes.index(sort)
        present = sorted((row for row in rows if row["values"][index] is not None),
                         key=lambda row: (row["values"][index], row["municipality"].name_fi), reverse=descending)
        rows = present + sorted((row for row in rows if row["values"][index] is None),
                                key=lambda row: row["municipality"].name_fi)
    elif sort == "code":
        rows.sort(key=lambda row: row["municipality"].code, reverse=descending)
    else:
        rows.sort(key=lambda row: row["municipality"].name_fi, reverse=descending)
    totals = [sum((row["values"][i] for row in rows if row["values"][i] is not None), 0) if any(
        row["values"][i] is not None for row in rows) else None for i in range(len(metrics))]
    return metrics, rows, totals, sort
