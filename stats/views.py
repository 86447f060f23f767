"""Thin views of the statistics: parse, check permission, call a selector or a service."""

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.forms import add_service_errors
from consortium.jobs import job_run_queue
from consortium.models import JobRun
from consortium.uploads import PLAIN_TEXT, read_checked_upload
from consortium.views import get_or_404, permission_required

from . import exports, permissions, selectors, services, tasks
from .csvimport import MAX_BYTES
from .forms import ImportForm, YearForm
from .models import SERVICE_POINT_FIELDS, StatisticsYear, StatsImport

can_view = permission_required(permissions.can_view)
can_manage = permission_required(permissions.can_manage)

SESSION_KEY = "stats_import_pending"


def _year_or_404(year: int) -> StatisticsYear:
    return get_or_404(selectors.year_get, year=year)


def _chart(rows, field="loans"):
    """Bars for a server-rendered SVG: one per municipality, widths relative to the largest."""
    largest = max((row[field] for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        share = (row[field] / largest) if largest else 0
        bars.append({"label": row["municipality"].name, "value": row[field], "width": round(share * 100, 1),
                     "y": index * 36})
    return {"bars": bars, "height": max(36, len(bars) * 36)}


@can_view
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
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=municipality_ids)
    selectors.add_key_figures(rows, statistics_year=statistics_year)
    can_manage_stats = permissions.can_manage(request.user)
    context = {
        "statistics_year": statistics_year, "rows": rows, "totals": selectors.sum_rows(rows),
        "point_rows": selectors.point_rows(statistics_year=statistics_year, municipality_ids=municipality_ids),
        "point_fields": SERVICE_POINT_FIELDS, "chart": _chart(rows), "can_manage": can_manage_stats,
        "labels": exports.column_labels(),
    }
    if can_manage_stats:
        labels = context["labels"]
        context["shared_totals"] = [(labels[total.metric], total)
                                    for total in selectors.shared_totals(statistics_year=statistics_year)]
        context["imports"] = selectors.import_list(statistics_year=statistics_year)
    return render(request, "stats/year_detail.html", context)


@can_view
def municipality_detail(request, year, pk):
    statistics_year = _year_or_404(year)
    municipality = get_or_404(selectors.municipality_get, user=request.user, pk=pk)
    rows = selectors.municipality_totals(statistics_year=statistics_year, municipality_ids=[municipality.pk])
    selectors.add_key_figures(rows, statistics_year=statistics_year)
    return render(request, "stats/municipality_detail.html", {
        "statistics_year": statistics_year, "municipality": municipality, "row": rows[0],
        "point_rows": selectors.point_rows(statistics_year=statistics_year, municipality_ids=[municipality.pk]),
        "point_fields": SERVICE_POINT_FIELDS, "labels": exports.column_labels(),
    })


@can_manage
def import_file(request, year):
    statistics_year = _year_or_404(year)
    if statistics_year.is_locked:
        messages.error(request, _("The statistics of %(year)d have been reported and are locked.") % {"year": year})
        return redirect("stats:year_detail", year=year)
    parsed, pending = None, request.session.get(SESSION_KEY)
    if pending and pending.get("year") != year:
        pending = None
    form = ImportForm()
    if request.method == "POST" and request.POST.get("action") == "confirm":
        if not pending:
            messages.error(request, _("The file to import was not found; choose it again."))
            return redirect("stats:import", year=year)
        try:
            record = services.import_save(year=year, kind=pending["kind"], data=base64.b64decode(pending["data"]),
                                          file_name=pending["name"], by=request.user)
        except services.ImportRefused as refused:
            parsed = refused.parsed
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("stats:year_detail", year=year)
        else:
            del request.session[SESSION_KEY]
            messages.success(request, _("%(name)s imported: %(rows)d rows.") % {"name": record.file_name,
                                                                                "rows": record.rows})
            return redirect("stats:year_detail", year=year)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        checked = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # The portal's one upload check: the type comes from the content, not the name.
                checked = read_checked_upload(upload, accept=PLAIN_TEXT, max_bytes=MAX_BYTES,
                                              accepted_text=_("CSV saved from Excel"))
            except ValidationError as error:
                add_service_errors(form, error)
                request.session.pop(SESSION_KEY, None)
        if checked is not None:
            kind = form.cleaned_data["kind"]
            parsed = services.import_prepare(year=year, kind=kind, data=checked.data)
            if parsed.is_valid:
                request.session[SESSION_KEY] = {"year": year, "kind": kind, "name": upload.name[:255],
                                                "data": base64.b64encode(checked.data).decode()}
            else:
                request.session.pop(SESSION_KEY, None)
            pending = {"kind": kind, "name": upload.name}
    return render(request, "stats/import.html", {
        "statistics_year": statistics_year, "form": form, "parsed": parsed, "pending": pending,
        "point_fields": SERVICE_POINT_FIELDS, "labels": exports.column_labels(),
        "is_points": parsed is not None and parsed.kind == StatsImport.Kind.SERVICE_POINTS,
    })


@require_POST
@can_manage
def compute(request, year):
    statistics_year = _year_or_404(year)
    if statistics_year.is_locked:
        messages.error(request, _("The statistics of %(year)d have been reported and are locked.") % {"year": year})
        return redirect("stats:year_detail", year=year)
    run = job_run_queue(task=tasks.compute_year, label=_("Statistics %(year)d") % {"year": year},
                        created_by=request.user, kwargs={"year": year})
    messages.success(request, _("The computation of %(year)d was started.") % {"year": year})
    return redirect(reverse("job_detail", args=[run.pk]) if not JobRun.objects.filter(
        pk=run.pk, state=JobRun.State.DONE).exists() else reverse("stats:year_detail", args=[year]))


@require_POST
@can_manage
def mark_reported(request, year):
    _year_or_404(year)
    run_service(request, lambda: services.year_mark_reported(year=year, by=request.user),
                success_message=_("The statistics of %(year)d are marked reported and locked.") % {"year": year})
    return redirect("stats:year_detail", year=year)


@can_manage
def export(request, year):
    statistics_year = _year_or_404(year)
    data = exports.year_workbook(statistics_year=statistics_year,
                                 municipality_ids=permissions.visible_municipality_ids(request.user))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="louna-tilastot-{year}.xlsx"'
    return response




@can_manage
def import_template(request, year, kind):
    statistics_year = _year_or_404(year)
    if kind not in StatsImport.Kind.values:
        raise Http404
    data = exports.import_template(statistics_year=statistics_year, kind=kind,
                                   municipality_ids=permissions.louna_municipality_ids())
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stem = "palvelupisteet" if kind == StatsImport.Kind.SERVICE_POINTS else "yhteiset-palvelut"
    response["Content-Disposition"] = f'attachment; filename="{stem}-{year}.csv"'
    return response
