"""Thin views of the annual reports: the coordinator's year overview, a municipality's report
for its director, the national table for every signed-in member, and their files."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.models import Municipality
from consortium.views import get_or_404, permission_required

from . import annual_exports, annual_selectors, annual_services, permissions, selectors
from .models import AnnualReport, Metric, MunicipalityLock, StatisticsYear

can_view = permission_required(permissions.can_view)
can_manage = permission_required(permissions.can_manage)
can_view_national = permission_required(permissions.can_view_national)

CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 320, 150, 20


def _year_or_404(year: int) -> StatisticsYear:
    return get_or_404(selectors.year_get, year=year)


def _language() -> str:
    return (get_language() or "fi")[:2]


def _positive_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _file_response(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _series_chart(series: dict) -> dict:
    """Columns for one metric over the years, for a server-rendered SVG: heights relative to
    the largest value; a year without a figure gets no column (and says so in the text)."""
    points = series["points"]
    largest = max((float(value) for _year, value in points if value is not None), default=0)
    slot = CHART_WIDTH / max(1, len(points))
    bars = []
    for index, (year, value) in enumerate(points):
        height = round(float(value) / largest * (CHART_HEIGHT - CHART_TOP), 1) if value and largest else 0
        bars.append({"year": year, "value": value, "x": round(index * slot + slot * 0.15, 1),
                     "width": round(slot * 0.7, 1), "height": height, "y": round(CHART_HEIGHT - height, 1),
                     "label_x": round(index * slot + slot / 2, 1)})
    return {**series, "bars": bars, "id": f"chart-{series['code']}"}


# ---------------------------------------------------------------- the coordinator


@can_manage
def annual_overview(request, year):
    """The year at a glance: completeness now, the imports, the job's runs, the versions."""
    statistics_year = _year_or_404(year)
    # Staff see every member municipality; the Louna coordinator Louna's (and Louna's imports).
    everything = permissions.manages_everything(request.user)
    scope = None if everything else permissions.managed_municipality_ids(request.user)
    inputs = annual_selectors.report_inputs(statistics_year=statistics_year, municipality_ids=scope)
    reports = list(annual_selectors.year_reports(year=year, municipality_ids=scope))
    latest = {}
    for report in reports:
        latest.setdefault(report.municipality_id, report)
    language = _language()
    labels = {entry["code"]: entry.get(f"name_{language}") or entry["name_fi"] for entry in inputs.metrics}
    completeness = [{"municipality": municipality, "details": inputs.details[municipality.pk],
                     "missing_labels": [labels.get(code, code) for code in
                                        inputs.details[municipality.pk]["missing_metrics"]],
                     "latest": latest.get(municipality.pk), "lock": _lock_of(latest.get(municipality.pk))}
                    for municipality in inputs.municipalities]
    for report in reports:
        report.change_labels = [(labels.get(change["code"], change["code"]), annual_selectors.value_of(change["old"]),
                                 annual_selectors.value_of(change["new"])) for change in report.changes]
    return render(request, "stats/annual/overview.html", {
        "statistics_year": statistics_year, "inputs": inputs, "completeness": completeness, "reports": reports,
        "imports": selectors.import_list(statistics_year=statistics_year, municipality_ids=scope),
        "job_runs": annual_selectors.report_job_runs(year=year),
        "deliverable": any(not report.delivered for report in latest.values()),
        # Every row shown is one of the person's municipalities: the lock button is theirs.
        "lockable": [row for row in completeness if row["latest"] and not row["lock"]],
    })


def _lock_of(report):
    """The municipality lock made at this version (joined in by year_reports), or None."""
    try:
        return report.lock if report is not None else None
    except MunicipalityLock.DoesNotExist:
        return None


@require_POST
@can_manage
def annual_lock(request, year, pk):
    """Lock a municipality's figures for the year (another member's for the coordinator: 404)."""
    _year_or_404(year)
    managed = permissions.managed_municipality_ids(request.user)
    municipality = get_or_404(Municipality.objects.get, pk=pk, pk__in=list(managed))
    run_service(request, lambda: annual_services.municipality_lock(year=year, municipality=municipality,
                                                                   by=request.user, municipality_ids=managed),
                success_message=_("The figures of %(municipality)s for %(year)d are locked.")
                % {"municipality": municipality.name, "year": year})
    return redirect("stats:annual_overview", year=year)


@require_POST
@can_manage
def annual_deliver(request, year, pk):
    report = get_or_404(AnnualReport.objects.select_related("municipality").get, pk=pk, statistics_year__year=year,
                        municipality_id__in=permissions.managed_municipality_ids(request.user))
    run_service(request, lambda: annual_services.annual_report_deliver(report=report, by=request.user),
                success_message=_("Version %(version)d of %(municipality)s is marked delivered.")
                % {"version": report.version, "municipality": report.municipality.name})
    return redirect("stats:annual_overview", year=year)


# ---------------------------------------------------------------- a municipality


def _report_context(request, year: int, pk: int):
    """The municipality (404 outside the person's own), its versions, the one asked for
    (?version=N, else the newest; an unknown number is 404), and the year before."""
    statistics_year = _year_or_404(year)
    municipality = get_or_404(selectors.municipality_get, user=request.user, pk=pk)
    versions = annual_selectors.version_list(year=year, municipality=municipality)
    wanted = _positive_int(request.GET.get("version"))
    if "version" in request.GET and wanted is None:
        raise Http404
    report = next((v for v in versions if v.version == wanted), None) if wanted else (versions[0] if versions
                                                                                       else None)
    if wanted and report is None:
        raise Http404
    history = annual_selectors.municipality_history(municipality=municipality)
    context = {"statistics_year": statistics_year, "municipality": municipality, "versions": versions,
               "report": report, "previous": history.get(year - 1),
               "lock": next((lock for lock in map(_lock_of, versions) if lock is not None), None)}
    if report is not None:
        report.statistics_year = statistics_year  # the files name it; saves a query
        report.municipality = municipality
        context["comparison"] = annual_selectors.year_comparison(report=report, previous=context["previous"],
                                                                 language=_language())
        context["history"] = history
    return context


@can_view
def annual_municipality(request, year, pk):
    context = _report_context(request, year, pk)
    report = context["report"]
    if report is not None:
        language = _language()
        history = {**context["history"], year: report}  # an older version chosen: chart that one
        series = annual_selectors.metric_series(history=history, report=report, language=language)
        context["charts"] = [_series_chart(item) for item in series]
        context["history_years"] = sorted(history)
        labels = {row["code"]: row["label"] for row in context["comparison"]}
        context["change_labels"] = [(labels.get(c["code"], c["code"]), annual_selectors.value_of(c["old"]),
                                     annual_selectors.value_of(c["new"])) for c in report.changes]
        point_metrics = [entry for entry in report.details.get("metrics", []) if entry["level"] == "service_point"]
        context["point_labels"] = [labels.get(entry["code"], entry["name_fi"]) for entry in point_metrics]
        context["point_rows"] = [
            (point["name"], [point["figures"].get(entry["code"]) for entry in point_metrics])
            for point in sorted(report.details.get("service_points", {}).values(), key=lambda p: p["name"])]
        context["can_manage"] = permissions.can_manage(request.user)
        context["covers"] = annual_selectors.covered_names(report, language)
    return render(request, "stats/annual/municipality.html", context)


@can_view
def annual_municipality_export(request, year, pk, fmt):
    context = _report_context(request, year, pk)
    report = context["report"]
    if report is None:
        raise Http404
    stem = f"okm-{context['municipality'].code}-{year}-v{report.version}"
    if fmt == "csv":
        return _file_response(annual_exports.report_csv(report=report, comparison=context["comparison"]),
                              content_type="text/csv; charset=utf-8", filename=f"{stem}.csv")
    return _file_response(annual_exports.report_workbook(report=report, comparison=context["comparison"]),
                          content_type=XLSX, filename=f"{stem}.xlsx")


# ---------------------------------------------------------------- the country


def _national(request, year: int):
    if not 2000 <= year <= 2100:
        raise Http404
    descending = request.GET.get("dir") == "desc"
    return annual_selectors.national_rows(year=year, sort=request.GET.get("sort", "municipality"),
                                          descending=descending, language=_language()) + (descending,)


@can_view_national
def national_index(request):
    """The newest year with delivered reports (or last year, empty, when none is)."""
    year = (AnnualReport.objects.filter(delivered=True).order_by("-statistics_year__year")
            .values_list("statistics_year__year", flat=True).first()) or timezone.localdate().year - 1
    return redirect("stats:national", year=year)


@can_view_national
def national(request, year):
    """Every municipality's delivered figures, for every signed-in member; sorted on the
    server by the column asked for (?sort=code&dir=desc)."""
    metrics, rows, totals, sort, descending = _national(request, year)

    def column(key, label, numeric=False):
        direction = ("descending" if descending else "ascending") if key == sort else ""
        next_dir = "asc" if direction == "descending" else "desc" if direction == "ascending" else \
            ("desc" if numeric else "asc")
        return {"key": key, "label": label, "numeric": numeric, "sorted": direction, "next_dir": next_dir}

    # Two tables, the service points' figures and the municipality-level ones: thirteen
    # figures side by side do not fit a 1280 px window, and a sideways scroll hides columns.
    tables = []
    for level, title in ((Metric.Level.SERVICE_POINT, _("Library figures")),
                         (Metric.Level.MUNICIPALITY, _("Shared services and e-materials"))):
        indexes = [i for i, metric in enumerate(metrics) if metric["level"] == level]
        if not indexes:
            continue
        first = not tables  # the municipality code once, in the first table: the second needs the room
        tables.append({
            "id": f"national-{level}", "title": title, "with_code": first,
            "columns": ([column("code", _("Code"))] if first else []) + [column("municipality", _("Municipality"))]
            + [column(metrics[i]["code"], metrics[i]["label"], numeric=True) for i in indexes],
            "rows": [(row["municipality"], row["covers"], [row["values"][i] for i in indexes]) for row in rows],
            "totals": [totals[i] for i in indexes]})
    return render(request, "stats/annual/national.html", {
        "year": year, "tables": tables, "rows": rows, "sort": sort,
        "direction": "desc" if descending else "asc", "years": [year - 1, year + 1],
    })


@can_view_national
def national_export(request, year):
    metrics, rows, totals, _sort, _descending = _national(request, year)
    return _file_response(annual_exports.national_workbook(year=year, metrics=metrics, rows=rows, totals=totals),
                          content_type=XLSX, filename=f"kirjastotilastot-{year}.xlsx")
