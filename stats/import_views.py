"""The pages of a large import run as a background job (stats/import_jobs.py): the draft's
page shows the job's progress, then the preview with the confirm button (a COUNTER report's
as its upload page shows it), then sends the person on to the year. Only the person who
uploaded the file sees their draft; any other id is not found."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from consortium.jobs import live_progress
from consortium.views import get_or_404, permission_required

from consortium.actions import run_service
from consortium.forms import add_service_errors
from consortium.uploads import PLAIN_TEXT, read_checked_upload

from . import import_jobs, permissions, selectors, services, servicefigures
from .counter import error_lines
from .counteruses import counter_uses
from .csvimport import MAX_BYTES
from .forms import CounterImportForm, EMaterialYearForm
from .models import DraftState, PendingImport, Service, StatsImport

can_manage = permission_required(permissions.can_manage)

# While the job runs, the page is reloaded by static/js/import_job.js (no inline script:
# the CSP forbids it); without JavaScript the person presses the refresh link.
_RUNNING = (DraftState.CHECKING, DraftState.SAVING)


def _draft_or_404(*, user, year: int, pk: int) -> PendingImport:
    return get_or_404(selectors.import_draft_get, user=user, year=year, pk=pk)


def _is_counter(draft: PendingImport) -> bool:
    return draft.kind == StatsImport.Kind.COUNTER


def _replaced_metrics(replaces) -> list[tuple]:
    """(metric type, total now, total after the import) of the months a COUNTER report replaces."""
    if not replaces:
        return []
    return [(metric, replaces["before"].get(metric, 0), replaces["after"].get(metric, 0))
            for metric in sorted(set(replaces["before"]) | set(replaces["after"]))]


@can_manage
def import_draft(request, year, pk):
    draft = _draft_or_404(user=request.user, year=year, pk=pk)
    if draft.state == DraftState.SAVED and draft.stats_import_id:
        # The draft stays (marked saved) until the person's next upload replaces it.
        if _is_counter(draft):
            # As after a small report: its counts went to the year its period begins in.
            record = draft.stats_import
            messages.success(request, _("%(name)s imported: %(rows)d rows, %(replaced)d monthly counts "
                                        "replaced.") % {"name": record.file_name, "rows": record.rows,
                                                        "replaced": record.replaced})
            return redirect(reverse("stats:year_detail", args=[record.statistics_year.year]) + "#imports")
        rows = draft.result.get("row_count", 0)
        messages.success(request, ngettext("%(name)s imported: %(rows)d row.", "%(name)s imported: %(rows)d rows.",
                                           rows) % {"name": draft.file_name, "rows": rows})
        return redirect("stats:year_detail", year=year)
    run = live_progress(draft.job_run) if draft.job_run else None
    job_failed = run is not None and run.state == run.State.FAILED and draft.state in _RUNNING
    context = {
        "statistics_year": draft.statistics_year, "draft": draft, "run": run, "result": draft.result,
        "running": draft.state in _RUNNING and not job_failed, "job_failed": job_failed,
        "is_counter": _is_counter(draft),
    }
    if _is_counter(draft):
        # The same preview as the small-file page (stats/includes/counter_preview.html).
        replaces = draft.result.get("replaces")
        context.update(file_name=draft.file_name, errors=draft.result.get("errors", []),
                       summary=draft.result.get("summary"), replaces=replaces,
                       replaced_metrics=_replaced_metrics(replaces))
    return render(request, "stats/import_draft.html", context)


@require_POST
@can_manage
def import_draft_confirm(request, year, pk):
    draft = _draft_or_404(user=request.user, year=year, pk=pk)
    try:
        import_jobs.import_job_confirm(year=year, draft_id=draft.pk, sha256=request.POST.get("sha256", ""),
                                       by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stats:counter_import" if _is_counter(draft) else "stats:import", year=year)
    return redirect("stats:import_draft", year=year, pk=draft.pk)


@can_manage
def import_draft_status(request, year, pk):
    """Polled by the draft page's script while the job runs."""
    draft = _draft_or_404(user=request.user, year=year, pk=pk)
    run = live_progress(draft.job_run) if draft.job_run else None
    return JsonResponse({
        "state": draft.state, "finished": draft.state not in _RUNNING or (run is not None and run.is_finished),
        "percent": run.percent if run else 0, "done": run.progress_done if run else 0,
        "total": run.progress_total if run else 0,
    })


# ---------------------------------------------------------------- e-material figures typed in


@can_manage
def ematerial_year(request, year):
    """The e-material services' figures of the year, and a form to type in a service's titles
    and acquisitions (saved as an import of its own, revertable in the year's import list)."""
    statistics_year = get_or_404(selectors.year_get, year=year)
    form = EMaterialYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: servicefigures.ematerial_year_enter(
            year=year, service=data["service"], by=request.user,
            values={code: data[code] for code in servicefigures.YEAR_ONLY}), form=form,
            success_message=_("The figures of %(service)s were saved.") % {"service": data["service"].name})
        if outcome.ok:
            return redirect("stats:ematerial_year", year=year)
    rows = selectors.service_year_rows(statistics_year=statistics_year, kind=Service.Kind.EMATERIAL)
    # Each service's uses from its COUNTER reports, counted once (counteruses.py), by month.
    uses = counter_uses(year=year)
    for row in rows:
        row["uses"] = uses.services.get(row["service"].pk)
    return render(request, "stats/ematerial_year.html", {
        "statistics_year": statistics_year, "form": form, "rows": rows, "uses": uses, "months": range(1, 13),
    })


# ---------------------------------------------------------------- COUNTER reports


@can_manage
def counter_import(request, year):
    """Upload a COUNTER report, see what it holds and what it replaces, confirm."""
    statistics_year = get_or_404(selectors.year_get, year=year)
    form, report, replaces, draft, file_name = CounterImportForm(), None, None, None, ""
    if statistics_year.is_locked:
        messages.error(request, _("The statistics of %(year)d have been reported and are locked.") % {"year": year})
        return redirect("stats:year_detail", year=year)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            draft_id = int(request.POST.get("draft", ""))
        except ValueError:
            draft_id = 0
        try:
            record = services.counter_draft_confirm(year=year, draft_id=draft_id,
                                                    sha256=request.POST.get("sha256", ""), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("stats:counter_import", year=year)
        messages.success(request, _("%(name)s imported: %(rows)d rows, %(replaced)d monthly counts replaced.") % {
            "name": record.file_name, "rows": record.rows, "replaced": record.replaced})
        return redirect(reverse("stats:year_detail", args=[record.statistics_year.year]) + "#imports")
    if request.method == "POST":
        form = CounterImportForm(request.POST, request.FILES)
        checked = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            file_name = upload.name[:255]
            try:
                # The type comes from the content: JSON and TSV/CSV are plain text.
                checked = read_checked_upload(upload, accept=PLAIN_TEXT | {"xlsx"}, max_bytes=MAX_BYTES,
                                              accepted_text=_("a COUNTER report: TSV, CSV, .xlsx or JSON"))
            except ValidationError as error:
                add_service_errors(form, error)
        if checked is None:
            services.import_drafts_drop(year=year, by=request.user)
        else:
            stated = {"report_id": form.cleaned_data["report_id"] or None,
                      "release": form.cleaned_data["release"] or None}
            if import_jobs.needs_job(checked.data, kind=StatsImport.Kind.COUNTER):
                # A large report is checked by a background job; its page shows the progress,
                # then this page's preview (stats/import_jobs.py).
                draft = import_jobs.import_job_start(year=year, kind=StatsImport.Kind.COUNTER, data=checked.data,
                                                     file_name=file_name, by=request.user, stated=stated)
                return redirect("stats:import_draft", year=year, pk=draft.pk)
            report, replaces, draft = services.counter_draft_create(
                year=year, data=checked.data, file_name=file_name, by=request.user, **stated)
    metrics = _replaced_metrics(replaces)
    return render(request, "stats/counter_import.html", {
        "statistics_year": statistics_year, "form": form, "report": report, "draft": draft, "file_name": file_name,
        "errors": error_lines(report, file_name) if report is not None and report.errors else [],
        "summary": report.summary() if report is not None and not report.errors else None,
        "replaces": replaces, "replaced_metrics": metrics,
    })
