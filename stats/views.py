"""Thin views of the statistics: parse, check permission, call a selector or a service."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.forms import add_service_errors
from consortium.jobs import job_run_queue
from consortium.models import JobRun
from consortium.pagecache import kept_page
from consortium.uploads import PLAIN_TEXT, UTF16_TEXT, read_checked_upload
from consortium.views import get_or_404, permission_required

from . import exports, import_jobs, permissions, selectors, services, tasks
from .csvimport import MAX_BYTES
from .forms import AllocationKeyForm, ImportForm, YearForm
from .metrics import SERVICE_FEEDS
from .models import KEYED_FIGURES, Metric, SharedMetric, SplitMethod, StatisticsYear, StatsImport
from .servicefigures import USES

can_view = permission_required(permissions.can_view)
can_manage = permission_required(permissions.can_manage)

def _year_or_404(year: int) -> StatisticsYear:
    return get_or_404(selectors.year_get, year=year)


def _chart(items, *, title):
    """Bars for a server-rendered SVG from (label, value) pairs, widths relative to the largest."""
    items = [(label, value or 0) for label, value in items]
    largest = max((value for _label, value in items), default=0)
    bars = [{"label": label, "value": value, "width": round((value / largest) * 100, 1) if largest else 0,
             "y": index * 36} for index, (label, value) in enumerate(items)]
    return {"bars": bars, "height": max(36, len(bars) * 36), "title": title}


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@can_view
@kept_page
def year_list(request):
    form = YearForm(request.POST or None) if permissions.can_manage(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                statistics_year = services.statistics_year_open(year=form.cleaned_data["year"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("stats:year_detail", year=statistics_year.year)
    return render(request, "stats/year_list.html", {
        "years": selectors.year_list(), "form": form, "can_manage": permissions.can_manage(request.user),
    })


@can_view
def year_detail(request, year):
    statistics_year = _year_or_404(year)
    municipality_ids = permissions.visible_municipality_ids(request.user)
    metrics = selectors.year_metrics(year=year)
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=municipality_ids,
                                         metrics=metrics)
    selectors.add_key_figures(rows, statistics_year=statistics_year)
    can_manage_stats = permissions.can_manage(request.user)
    point_metrics = [metric for metric in metrics if metric.level == Metric.Level.SERVICE_POINT]
    labels = exports.column_labels(metrics)
    context = {
        "statistics_year": statistics_year, "rows": rows, "totals": selectors.sum_rows(rows),
        "point_rows": selectors.point_rows(statistics_year=statistics_year, municipality_ids=municipality_ids,
                                           metrics=point_metrics),
        "point_metrics": point_metrics, "can_manage": can_manage_stats, "labels": labels,
        "chart": _chart([(row["municipality"].name, row["loans"]) for row in rows],
                        title=_("Loans per municipality")),
    }
    if can_manage_stats:
        labels = context["labels"]
        # A total saved before the imports kept to the year's metric set may be outside it.
        context["shared_totals"] = [(labels.get(total.metric, total.metric), total)
                                    for total in selectors.shared_totals(statistics_year=statistics_year)]
        context["imports"] = selectors.import_list(statistics_year=statistics_year,
                                                   municipality_ids=_import_scope(request.user))
    return render(request, "stats/year_detail.html", context)


@can_view
def municipality_detail(request, year, pk):
    statistics_year = _year_or_404(year)
    municipality = get_or_404(selectors.municipality_get, user=request.user, pk=pk)
    metrics = selectors.year_metrics(year=year)
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=[municipality.pk],
                                         metrics=metrics)
    selectors.add_key_figures(rows, statistics_year=statistics_year)
    point_metrics = [metric for metric in metrics if metric.level == Metric.Level.SERVICE_POINT]
    point_rows = selectors.point_rows(statistics_year=statistics_year, municipality_ids=[municipality.pk],
                                      metrics=point_metrics)
    return render(request, "stats/municipality_detail.html", {
        "statistics_year": statistics_year, "municipality": municipality, "row": rows[0],
        "point_rows": point_rows, "point_metrics": point_metrics, "labels": exports.column_labels(metrics),
        "chart": _chart([(row["service_point"].name, (row["figures"] or {}).get("loans")) for row in point_rows],
                        title=_("Loans per service point")),
    })


@can_view
def municipality_export(request, year, pk):
    """A director's own municipality's figures as Excel (another municipality: 404)."""
    statistics_year = _year_or_404(year)
    municipality = get_or_404(selectors.municipality_get, user=request.user, pk=pk)
    data = exports.year_workbook(statistics_year=statistics_year, municipality_ids=[municipality.pk])
    return _xlsx_response(data, f"tilastot-{municipality.code}-{year}.xlsx")


@can_manage
def import_file(request, year):
    statistics_year = _year_or_404(year)
    if statistics_year.is_locked:
        messages.error(request, _("The statistics of %(year)d have been reported and are locked.") % {"year": year})
        return redirect("stats:year_detail", year=year)
    parsed, draft, file_name = None, None, ""
    form = ImportForm()
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            record = services.import_draft_confirm(year=year, draft_id=_int(request.POST.get("draft")),
                                                   sha256=request.POST.get("sha256", ""), by=request.user)
        except services.ImportRefused as refused:
            parsed = refused.parsed
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("stats:import", year=year)
        else:
            messages.success(request, ngettext("%(name)s imported: %(rows)d row.", "%(name)s imported: %(rows)d rows.",
                                               record.rows) % {"name": record.file_name, "rows": record.rows})
            return redirect("stats:year_detail", year=year)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        checked = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            file_name = upload.name[:255]
            try:
                # The portal's one upload check: the type comes from the content, not the name.
                checked = read_checked_upload(upload, accept=PLAIN_TEXT | {"xlsx", UTF16_TEXT}, max_bytes=MAX_BYTES,
                                              accepted_text=_("CSV saved from Excel, or an Excel workbook (.xlsx)"))
            except ValidationError as error:
                add_service_errors(form, error)
        if checked is None:
            # A refused upload also drops the earlier draft: its confirm button is stale now.
            services.import_drafts_drop(year=year, by=request.user)
        elif import_jobs.needs_job(checked.data):
            # A large file is checked by a background job; its page shows the progress.
            draft = import_jobs.import_job_start(year=year, kind=form.cleaned_data["kind"], data=checked.data,
                                                 file_name=file_name, by=request.user,
                                                 service=form.cleaned_data.get("service"))
            return redirect("stats:import_draft", year=year, pk=draft.pk)
        else:
            parsed, draft = services.import_draft_create(year=year, kind=form.cleaned_data["kind"],
                                                         data=checked.data, file_name=file_name, by=request.user,
                                                         service=form.cleaned_data.get("service"))
    return render(request, "stats/import.html", {
        "statistics_year": statistics_year, "form": form, "parsed": parsed, "draft": draft, "file_name": file_name,
        # Web visits and vendor files show the preview kept as data (stats/includes/preview_table.html).
        # So do service-point files by month.
        "result": import_jobs.preview_result(parsed) if parsed is not None and (
            parsed.kind in services.SERVICE_KINDS or any(getattr(row, "month", 0) for row in parsed.rows))
        else None,
        "point_metrics": _given_metrics(selectors.year_metrics(year=year, level=Metric.Level.SERVICE_POINT), parsed),
        "labels": exports.column_labels(), "shared_codes": SharedMetric.values,
        "is_points": parsed is not None and parsed.kind == StatsImport.Kind.SERVICE_POINTS,
    })


def _given_metrics(metrics, parsed):
    """The metrics a service-point file's preview shows: those it has columns for. A metric
    it leaves out keeps its figures in force, so a "–" under it would read as emptied."""
    if parsed is None or parsed.kind != StatsImport.Kind.SERVICE_POINTS or not parsed.rows:
        return metrics
    given = {code for row in parsed.rows for code in row.values}
    return [metric for metric in metrics if metric.code in given]


@require_POST
@can_manage
def compute(request, year):
    statistics_year = _year_or_404(year)
    if statistics_year.is_locked:
        messages.error(request, _("The statistics of %(year)d have been reported and are locked.") % {"year": year})
        return redirect("stats:year_detail", year=year)
    # The Louna coordinator's run computes Louna's reports; staff's the whole country's.
    kwargs = {"year": year} if permissions.manages_everything(request.user) else {"year": year, "louna_only": True}
    run = job_run_queue(task=tasks.compute_year, label=_("Statistics %(year)d") % {"year": year},
                        created_by=request.user, kwargs=kwargs)
    messages.success(request, _("The computation of %(year)d was started.") % {"year": year})
    # The reports it makes are on the overview: that is where the person goes back to, or at
    # once when the job has already run (no broker: in-process).
    overview = reverse("stats:annual_overview", args=[year])
    if JobRun.objects.filter(pk=run.pk, state=JobRun.State.DONE).exists():
        return redirect(overview)
    return redirect(f"{reverse('job_detail', args=[run.pk])}?{urlencode({'next': overview})}")


@require_POST
@can_manage
def mark_reported(request, year):
    _year_or_404(year)
    run_service(request, lambda: services.year_mark_reported(year=year, by=request.user,
                                                             municipality_ids=_import_scope(request.user)),
                success_message=_("The statistics of %(year)d are marked reported and locked.") % {"year": year})
    return redirect("stats:year_detail", year=year)


@can_view
def export(request, year):
    """The year's workbook with the municipalities the person may see (a director: their own)."""
    statistics_year = _year_or_404(year)
    data = exports.year_workbook(statistics_year=statistics_year,
                                 municipality_ids=permissions.visible_municipality_ids(request.user))
    return _xlsx_response(data, f"tilastot-{year}.xlsx")


@require_POST
@can_manage
def import_revert(request, year, pk):
    record = get_or_404(selectors.import_get, year=year, pk=pk, municipality_ids=_import_scope(request.user))
    try:
        services.import_revert(stats_import=record, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import of %(name)s was reverted.") % {"name": record.file_name})
    return redirect("stats:year_detail", year=year)


def _import_scope(user):
    """Whose imports the person sees and reverts: staff every one (None), the Louna
    coordinator those within the Louna municipalities."""
    return None if permissions.manages_everything(user) else permissions.managed_municipality_ids(user)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0




@can_manage
def import_template(request, year, kind):
    statistics_year = _year_or_404(year)
    if kind not in services.FIGURE_KINDS:
        raise Http404
    # Service points: the person's own municipalities; the shared services: Louna's.
    municipality_ids = permissions.managed_municipality_ids(request.user) \
        if kind == StatsImport.Kind.SERVICE_POINTS else permissions.louna_municipality_ids()
    data = exports.import_template(statistics_year=statistics_year, kind=kind, municipality_ids=municipality_ids)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stem = "palvelupisteet" if kind == StatsImport.Kind.SERVICE_POINTS else "yhteiset-palvelut"
    response["Content-Disposition"] = f'attachment; filename="{stem}-{year}.csv"'
    return response


# ---------------------------------------------------------------- allocation keys


@can_manage
def allocation_keys(request, year):
    """The shared figures of the year and the key each is split by."""
    statistics_year = _year_or_404(year)
    chosen = {key.metric: key for key in statistics_year.allocation_keys.all()}
    # Figures the e-material services' own figures feed are split by the annual job, by the key
    # in force when it runs (stats/servicefigures.py service_shared_splits).
    fed = set(SERVICE_FEEDS.values()) | {USES}
    when = {(True, False): _("when it is imported"),
            (True, True): _("when it is imported; the e-material services' figures when the annual job runs"),
            (False, True): _("the e-material services' figures, when the annual job runs")}
    names = {str(municipality.pk): municipality.name for municipality in selectors.louna_municipalities()}

    def shares(key) -> str:
        """Agreed shares as the coordinator gave them: "Forssa 50 / 100, …" (the page said
        only "by agreed shares")."""
        if key is None or key.method != SplitMethod.AGREED:
            return ""
        whole = sum(key.agreed_shares.values())
        return ", ".join(f"{names.get(pk, pk)} {share} / {whole}" for pk, share in
                         sorted(key.agreed_shares.items(), key=lambda item: str(names.get(item[0], item[0]))))

    rows = [(value, label, chosen.get(value), when[(value in SharedMetric.values, value in fed)],
             shares(chosen.get(value))) for value, label in KEYED_FIGURES]
    return render(request, "stats/allocation_keys.html", {"statistics_year": statistics_year, "rows": rows})


@can_manage
def allocation_key_edit(request, year, metric):
    statistics_year = _year_or_404(year)
    if metric not in dict(KEYED_FIGURES):
        raise Http404
    key = statistics_year.allocation_keys.filter(metric=metric).first()
    municipalities = selectors.louna_municipalities()
    form = AllocationKeyForm(request.POST or None, municipalities=municipalities, key=key)
    if request.method == "POST" and not statistics_year.is_locked and form.is_valid():
        outcome = run_service(request, lambda: services.allocation_key_save(
            year=year, metric=metric, method=form.cleaned_data["method"], agreed_shares=form.agreed_shares(),
            by=request.user), form=form, success_message=_("The key is saved; imports from now on split by it."))
        if outcome.ok:
            return redirect("stats:allocation_keys", year=year)
    return render(request, "stats/allocation_key_form.html", {
        "statistics_year": statistics_year, "metric_label": dict(KEYED_FIGURES)[metric], "form": form})
