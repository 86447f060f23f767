"""Thin views of Louna: parse, check permission, call a selector or a service, render.
Objects come through the selectors, which are restricted to the person (404 otherwise)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.pagecache import kept_page
from consortium.views import get_or_404, permission_required

from . import forms, permissions, selectors, services
from .models import (
    AccessibilityCheck,
    AccessibilityFinding,
    AgendaItem,
    Agreement,
    AgreementDocument,
    Decision,
    Meeting,
    Milestone,
    Project,
    ServiceArea,
    Task,
    TaskEvidence,
    TaskMunicipality,
    WebService,
)

PAGE_SIZE = 50
can_view = permission_required(permissions.can_view)
can_manage = permission_required(permissions.can_manage)


def _form_page(request, *, form, title, cancel_url, multipart=False, intro=""):
    return render(request, "louna/form.html", {
        "form": form, "title": title, "cancel_url": cancel_url, "multipart": multipart, "intro": intro,
    })


def _save(request, form, call, success):
    """A form page's save: the service's result, or None when it refused (its errors are
    then on the form)."""
    return run_service(request, call, form=form, success_message=success).result


def _errors_as_messages(request, form):
    """A form's errors as messages, each naming the field it is about."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- agreements and the board


@can_view
@kept_page
def home(request):
    """The current year's task board, where people come to Louna (rendered here rather than
    redirected: one request instead of two for the page everyone opens first)."""
    agreement = selectors.current_agreement(user=request.user)
    if agreement is None:
        return redirect("louna:agreement_list")
    return _board_page(request, agreement)


@can_view
def agreement_list(request):
    return render(request, "louna/agreement_list.html", {
        "agreements": selectors.agreement_list(user=request.user).order_by("-year"),
        "can_manage": permissions.can_manage(request.user),
    })


@can_view
def agreement_detail(request, year):
    agreement = get_or_404(selectors.agreement_get, user=request.user, year=year)
    manage = permissions.can_manage(request.user)
    return render(request, "louna/agreement_detail.html", {
        "agreement": agreement, "can_manage": manage,
        "copy_form": forms.AgreementCopyForm(initial={"year": agreement.year + 1}) if manage else None,
        "document_form": forms.DocumentForm() if manage else None,
    })


@can_manage
def agreement_edit(request, year=None):
    agreement = get_or_404(selectors.agreement_get, user=request.user, year=year) if year else Agreement()
    form = forms.AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.agreement_save(
            agreement=form.save(commit=False), libraries=form.cleaned_data["libraries"]),
            _("The agreement was saved."))
        if saved:
            return redirect("louna:agreement_detail", year=saved.year)
    title = _("Edit the agreement %(year)d") % {"year": agreement.year} if year else _("New service agreement")
    cancel = reverse("louna:agreement_detail", args=[year]) if year else reverse("louna:agreement_list")
    return _form_page(request, form=form, title=title, cancel_url=cancel)


@require_POST
@can_manage
def agreement_copy(request, year):
    source = get_or_404(selectors.agreement_get, user=request.user, year=year)
    form = forms.AgreementCopyForm(request.POST)
    if form.is_valid():
        copy = _save(request, form, lambda: services.agreement_copy(source=source, by=request.user, **form.cleaned_data),
                     _("The agreement %(year)d was started from %(source)d; every task is planned.")
                     % {"year": form.cleaned_data["year"], "source": source.year})
        if copy:
            return redirect("louna:board", year=copy.year)
    _errors_as_messages(request, form)
    return redirect("louna:agreement_detail", year=source.year)


@require_POST
@can_manage
def document_add(request, year):
    agreement = get_or_404(selectors.agreement_get, user=request.user, year=year)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        _save(request, form, lambda: services.agreement_document_add(
            agreement=agreement, title=form.cleaned_data["title"], upload=form.cleaned_data["file"], by=request.user),
            _("The document was added."))
    _errors_as_messages(request, form)
    return redirect("louna:agreement_detail", year=agreement.year)


def _file_response(file_field, content_type, title):
    try:
        handle = file_field.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = file_field.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@can_view
def document_download(request, pk):
    document = get_object_or_404(AgreementDocument, pk=pk)
    return _file_response(document.file, document.content_type, document.title)


@can_manage
def area_edit(request, year, pk=None):
    agreement = get_or_404(selectors.agreement_get, user=request.user, year=year)
    area = get_object_or_404(ServiceArea, pk=pk, agreement=agreement) if pk else ServiceArea(agreement=agreement)
    form = forms.AreaForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, lambda: services.area_save(area=form.save(commit=False)), _("The area was saved.")):
            return redirect("louna:agreement_detail", year=year)
    return _form_page(request, form=form, title=_("Service area"),
                      cancel_url=reverse("louna:agreement_detail", args=[year]))


@can_view
@kept_page
def board(request, year):
    return _board_page(request, get_or_404(selectors.agreement_get_plain, user=request.user, year=year))


def _board_page(request, agreement):
    filters = forms.BoardFilterForm(request.GET or None, people=selectors.responsible_people(agreement=agreement))
    data = filters.cleaned_data if filters.is_valid() else {}
    person = data.get("person")
    result = selectors.task_board(
        user=request.user, agreement=agreement, state=data.get("state") or "",
        person=person.pk if person else None, month=data.get("month"),
    )
    return render(request, "louna/board.html", {
        "agreement": agreement, "board": result, "filters": filters,
        "view": data.get("view") or "area", "can_manage": permissions.can_manage(request.user),
        "filtered": any(data.get(key) for key in ("state", "person", "month")),
        "years": selectors.agreement_list(user=request.user).order_by("-year").values_list("year", flat=True),
    })


# ---------------------------------------------------------------- tasks


def _task_page(request, task, **forms_bound):
    manage = permissions.can_manage(request.user)
    page_forms = {
        "state_form": forms.TaskStateForm(initial={"state": task.state}, prefix="state",
                                          year=task.area.agreement.year) if manage else None,
        "note_form": forms.TaskNoteForm(prefix="note", year=task.area.agreement.year) if manage else None,
        "evidence_form": forms.EvidenceForm(prefix="evidence") if manage else None,
    }
    page_forms.update(forms_bound)
    return render(request, "louna/task_detail.html", {
        "task": task, "can_manage": manage, "state_choices": Task.State.choices, **page_forms,
    })


@can_view
def task_detail(request, pk):
    return _task_page(request, get_or_404(selectors.task_get, user=request.user, pk=pk))


@require_POST
@can_manage
def task_state(request, pk):
    task = get_or_404(selectors.task_get, user=request.user, pk=pk)
    form = forms.TaskStateForm(request.POST, prefix="state")
    if form.is_valid() and run_service(request, lambda: services.task_set_state(
            task=task, by=request.user, **form.cleaned_data), form=form,
            success_message=_("The task's state was changed.")):
        return redirect("louna:task_detail", pk=task.pk)
    return _task_page(request, task, state_form=form)


@require_POST
@can_manage
def task_note_add(request, pk):
    task = get_or_404(selectors.task_get, user=request.user, pk=pk)
    form = forms.TaskNoteForm(request.POST, prefix="note")
    if form.is_valid() and run_service(request, lambda: services.task_note_add(
            task=task, by=request.user, **form.cleaned_data), form=form, success_message=_("The note was added.")):
        return redirect("louna:task_detail", pk=task.pk)
    return _task_page(request, task, note_form=form)


@require_POST
@can_manage
def task_evidence_add(request, pk):
    task = get_or_404(selectors.task_get, user=request.user, pk=pk)
    form = forms.EvidenceForm(request.POST, request.FILES, prefix="evidence")
    if form.is_valid() and run_service(request, lambda: services.task_evidence_add(
            task=task, title=form.cleaned_data["title"], url=form.cleaned_data["url"],
            upload=form.cleaned_data["file"], by=request.user), form=form,
            success_message=_("The evidence was added.")):
        return redirect("louna:task_detail", pk=task.pk)
    return _task_page(request, task, evidence_form=form)


@require_POST
@can_manage
def task_municipality_set(request, pk, row):
    task = get_or_404(selectors.task_get, user=request.user, pk=pk)
    row = get_object_or_404(TaskMunicipality, pk=row, task=task)
    form = forms.MunicipalStateForm(request.POST)
    if not (form.is_valid() and run_service(
            request, lambda: services.task_municipality_set(row=row, **form.cleaned_data), form=form,
            success_message=_("The state in %(library)s was saved.") % {"library": row.library})):
        _errors_as_messages(request, form)  # one small form per library in a table: errors go to the top
    return redirect("louna:task_detail", pk=task.pk)


@can_manage
def task_edit(request, year, pk=None):
    agreement = get_or_404(selectors.agreement_get, user=request.user, year=year)
    if pk:
        task = get_object_or_404(Task.objects.select_related("area__agreement"), pk=pk, area__agreement=agreement)
    else:
        task = Task(area=agreement.areas.filter(pk=_int(request.GET.get("area"))).first())
    form = forms.TaskForm(request.POST or None, instance=task, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.task_save(task=form.save(commit=False), by=request.user),
                      _("The task was saved."))
        if saved:
            return redirect("louna:task_detail", pk=saved.pk)
    cancel = reverse("louna:task_detail", args=[pk]) if pk else reverse("louna:board", args=[year])
    return _form_page(request, form=form, title=_("Edit the task") if pk else _("New task"), cancel_url=cancel)


@can_view
def evidence_download(request, pk):
    evidence = get_object_or_404(TaskEvidence.objects.exclude(file=""), pk=pk)
    return _file_response(evidence.file, evidence.content_type, evidence.title)


# ---------------------------------------------------------------- meetings


@can_view
def meeting_list(request):
    year = _int(request.GET.get("year"))
    meetings = list(selectors.meeting_list(user=request.user, year=year))
    now = timezone.now()
    return render(request, "louna/meeting_list.html", {
        "coming": [m for m in meetings if m.ends_at >= now and m.state != Meeting.State.CANCELLED],
        "past": [m for m in reversed(meetings) if m.ends_at < now or m.state == Meeting.State.CANCELLED],
        "year": year, "can_manage": permissions.can_manage(request.user),
    })


@can_manage
def meeting_edit(request, pk=None):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk) if pk else Meeting()
    form = forms.MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        saved = run_service(request, lambda: services.meeting_save(meeting=form.save(commit=False)), form=form)
        if saved:
            if saved.result.changed_after_agenda:
                messages.warning(request, _("The meeting was saved. The agenda was sent before this change: send "
                                            "the updated agenda so that the calendars show the change."))
            elif saved.result.agreement_id is None:
                messages.success(request, _("The meeting was saved. There is no agreement for %(year)d yet; the "
                                            "meeting joins it when it is made.")
                                 % {"year": selectors.meeting_year(saved.result)})
            else:
                messages.success(request, _("The meeting was saved."))
            return redirect("louna:meeting_detail", pk=saved.result.pk)
    cancel = reverse("louna:meeting_detail", args=[pk]) if pk else reverse("louna:meeting_list")
    return _form_page(request, form=form, title=_("Edit the meeting") if pk else _("Plan a directors' meeting"),
                      cancel_url=cancel)


def _meeting_page(request, meeting, **forms_bound):
    user = request.user
    manage = permissions.can_manage(user)
    director_libraries = _director_libraries(user)
    page_forms = {
        "proposal_form": forms.ProposalForm(libraries=director_libraries, prefix="proposal"),
        "minutes_form": forms.MinutesForm(initial={"minutes": meeting.minutes}, prefix="minutes") if manage else None,
        "decision_form": forms.DecisionForm(meeting=meeting, prefix="decision") if manage else None,
    }
    page_forms.update(forms_bound)
    return render(request, "louna/meeting_detail.html", {
        "meeting": meeting, "can_manage": manage, **page_forms,
        "can_propose": bool(director_libraries) or manage, "arrange_choices": AgendaItem.State.choices,
        "agenda": [i for i in meeting.visible_items if i.state == AgendaItem.State.ON_AGENDA],
        "proposals": [i for i in meeting.visible_items if i.state != AgendaItem.State.ON_AGENDA],
        "is_past": meeting.starts_at <= timezone.now(),
        "proposals_closed": bool(meeting.proposals_close_on and timezone.localdate() > meeting.proposals_close_on),
        "year": selectors.meeting_year(meeting),
    })


def _director_libraries(user) -> list:
    return list(forms.louna_libraries().filter(pk__in=permissions.director_library_ids(user)))


@can_view
def meeting_detail(request, pk):
    return _meeting_page(request, get_or_404(selectors.meeting_get, user=request.user, pk=pk))


@require_POST
@can_view
def meeting_propose(request, pk):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    libraries = _director_libraries(request.user)
    form = forms.ProposalForm(request.POST, libraries=libraries, prefix="proposal")
    if form.is_valid():
        data = form.cleaned_data
        library = data.get("library") or (libraries[0] if libraries else None)
        # The coordinator's own matter goes straight on the agenda: nobody else accepts it.
        own = permissions.can_manage(request.user)
        if run_service(request, lambda: services.agenda_item_propose(
                meeting=meeting, title=data["title"], description=data["description"], by=request.user,
                library=library, on_agenda=own), form=form,
                success_message=_("The matter was put on the agenda.") if own else
                _("Your proposal was sent to the coordinator.")):
            return redirect("louna:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, proposal_form=form)


@require_POST
@can_view
def agenda_item_withdraw(request, pk, item):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    item = get_object_or_404(permissions.restrict_agenda_items(meeting.agenda_items.all(), request.user), pk=item)
    run_service(request, lambda: services.agenda_item_withdraw(item=item, by=request.user),
                success_message=_("The proposal was withdrawn."))
    return redirect("louna:meeting_detail", pk=meeting.pk)


@require_POST
@can_manage
def agenda_item_arrange(request, pk, item):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    item = get_object_or_404(AgendaItem, pk=item, meeting=meeting)
    form = forms.ArrangeForm(request.POST)
    if form.is_valid():
        run_service(request, lambda: services.agenda_item_arrange(item=item, **form.cleaned_data),
                    success_message=_("The agenda was updated."))
    else:
        messages.error(request, _("Give a state and a position between 0 and 999."))
    return redirect("louna:meeting_detail", pk=meeting.pk)


@require_POST
@can_manage
def meeting_send_agenda(request, pk):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    run_service(request, lambda: services.meeting_send_agenda(meeting=meeting, by=request.user),
                success_message=_("The agenda is being sent to the directors with a calendar invitation."))
    return redirect("louna:meeting_detail", pk=meeting.pk)


@require_POST
@can_manage
def meeting_minutes(request, pk):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    form = forms.MinutesForm(request.POST, prefix="minutes")
    if form.is_valid() and run_service(request, lambda: services.meeting_record_minutes(
            meeting=meeting, **form.cleaned_data), form=form, success_message=_("The minutes were saved.")):
        return redirect("louna:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, minutes_form=form)


@require_POST
@can_manage
def decision_add(request, pk):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    form = forms.DecisionForm(request.POST, meeting=meeting, prefix="decision")
    if form.is_valid() and run_service(request, lambda: services.decision_add(
            meeting=meeting, **form.cleaned_data), form=form, success_message=_("The decision was recorded.")):
        return redirect("louna:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, decision_form=form)


@can_manage
def decision_task(request, pk):
    decision = get_object_or_404(Decision.objects.select_related("meeting__agreement"), pk=pk)
    meeting = decision.meeting
    form = forms.DecisionTaskForm(request.POST or None, meeting=meeting, initial={"text": decision.text})
    if request.method == "POST" and form.is_valid():
        task = _save(request, form, lambda: services.task_from_decision(
            decision=decision, by=request.user, **form.cleaned_data), _("The decision became a task."))
        if task:
            return redirect("louna:task_detail", pk=task.pk)
    return _form_page(request, form=form, title=_("Make the decision a task"),
                      cancel_url=reverse("louna:meeting_detail", args=[meeting.pk]), intro=decision.text)


@can_view
def meeting_ics(request, pk):
    from .ics import meeting_ics as build

    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    content = build(meeting, [i for i in meeting.visible_items if i.state == AgendaItem.State.ON_AGENDA])
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kokous-{meeting.pk}.ics"'
    return response


# ---------------------------------------------------------------- feedback


@can_view
def feedback_list(request):
    filters = forms.FeedbackFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    qs = selectors.feedback_list(
        user=request.user, service=data["service"].pk if data.get("service") else None,
        state=data.get("state") or "", year=data.get("year"), month=data.get("month"),
    )
    rows, columns, total = selectors.feedback_counts(user=request.user, year=year)
    peak = max([max(row.months) for row in rows] + [1])
    return render(request, "louna/feedback_list.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), "filters": filters,
        "count_rows": rows, "count_columns": columns, "count_total": total, "count_year": year, "peak": peak,
        "months": [(MONTHS_3[m], MONTHS[m]) for m in range(1, 13)], "can_manage": permissions.can_manage(request.user),
    })


@can_view
def feedback_detail(request, pk):
    feedback = get_or_404(selectors.feedback_get, user=request.user, pk=pk)
    manage = permissions.can_manage(request.user)
    form = forms.FeedbackForm(request.POST or None, instance=feedback) if manage else None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            if _save(request, form, lambda: services.feedback_save(feedback=form.save(commit=False), by=request.user),
                     _("The feedback was saved.")):
                return redirect("louna:feedback_detail", pk=feedback.pk)
    return render(request, "louna/feedback_detail.html", {"feedback": feedback, "form": form, "can_manage": manage})


@can_manage
def feedback_create(request):
    form = forms.FeedbackForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.feedback_save(feedback=form.save(commit=False), by=request.user),
                      _("The feedback was logged."))
        if saved:
            return redirect("louna:feedback_detail", pk=saved.pk)
    return _form_page(request, form=form, title=_("Log customer feedback"), cancel_url=reverse("louna:feedback_list"))


# ---------------------------------------------------------------- web services


@can_view
def service_list(request):
    year = timezone.localdate().year
    services_ = list(selectors.web_service_list(user=request.user, year=year))
    return render(request, "louna/service_list.html", {
        "services": services_, "year": year, "can_manage": permissions.can_manage(request.user),
        "missing": [s for s in services_ if s.is_active and not s.this_year_check],
    })


@can_view
def service_detail(request, pk):
    service = get_or_404(selectors.web_service_get, user=request.user, pk=pk)
    return render(request, "louna/service_detail.html", {
        "service": service, "year": timezone.localdate().year, "can_manage": permissions.can_manage(request.user),
    })


@can_manage
def service_edit(request, pk=None):
    service = get_object_or_404(WebService, pk=pk) if pk else WebService()
    form = forms.WebServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.web_service_save(service=form.save(commit=False)),
                      _("The service was saved."))
        if saved:
            return redirect("louna:service_detail", pk=saved.pk)
    cancel = reverse("louna:service_detail", args=[pk]) if pk else reverse("louna:service_list")
    return _form_page(request, form=form, title=_("Shared web service"), cancel_url=cancel)


@can_manage
def check_edit(request, service_pk, pk=None):
    service = get_object_or_404(WebService, pk=service_pk)
    check = get_object_or_404(AccessibilityCheck, pk=pk, service=service) if pk else AccessibilityCheck(
        service=service, checked_by=request.user)
    form = forms.CheckForm(request.POST or None, instance=check)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.accessibility_check_save(check=form.save(commit=False)),
                      _("The accessibility check was saved."))
        if saved:
            return redirect("louna:service_detail", pk=service.pk)
    return _form_page(request, form=form, title=_("Accessibility check of %(service)s") % {"service": service},
                      cancel_url=reverse("louna:service_detail", args=[service.pk]))


@can_manage
def finding_edit(request, check_pk, pk=None):
    check = get_object_or_404(AccessibilityCheck.objects.select_related("service"), pk=check_pk)
    finding = get_object_or_404(AccessibilityFinding, pk=pk, check_run=check) if pk else AccessibilityFinding(
        check_run=check)
    form = forms.FindingForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.accessibility_finding_save(finding=form.save(commit=False)),
                      _("The finding was saved."))
        if saved:
            return redirect("louna:service_detail", pk=check.service_id)
    return _form_page(request, form=form,
                      title=_("WCAG 2.1 finding: %(service)s %(year)d") % {"service": check.service, "year": check.year},
                      cancel_url=reverse("louna:service_detail", args=[check.service_id]))


# ---------------------------------------------------------------- projects


@can_view
def project_list(request):
    return render(request, "louna/project_list.html", {
        "projects": selectors.project_list(user=request.user), "can_manage": permissions.can_manage(request.user),
    })


def _project_page(request, project, **forms_bound):
    manage = permissions.can_manage(request.user)
    page_forms = {
        "milestone_form": forms.MilestoneForm(prefix="milestone") if manage else None,
        "note_form": forms.ProjectNoteForm(prefix="note") if manage else None,
    }
    page_forms.update(forms_bound)
    return render(request, "louna/project_detail.html", {
        "project": project, "can_manage": manage, "today": timezone.localdate(), **page_forms,
    })


@can_view
def project_detail(request, pk):
    return _project_page(request, get_or_404(selectors.project_get, user=request.user, pk=pk))


@require_POST
@can_manage
def milestone_add(request, pk):
    project = get_or_404(selectors.project_get, user=request.user, pk=pk)
    form = forms.MilestoneForm(request.POST, prefix="milestone", instance=Milestone(project=project))
    if form.is_valid() and run_service(request, lambda: services.milestone_save(milestone=form.save(commit=False)),
                                       form=form, success_message=_("The milestone was saved.")):
        return redirect("louna:project_detail", pk=project.pk)
    return _project_page(request, project, milestone_form=form)


@require_POST
@can_manage
def milestone_reached(request, pk, milestone):
    project = get_or_404(selectors.project_get, user=request.user, pk=pk)
    milestone = get_object_or_404(Milestone, pk=milestone, project=project)
    run_service(request, lambda: services.milestone_mark_reached(milestone=milestone),
                success_message=_("The milestone was marked reached."))
    return redirect("louna:project_detail", pk=project.pk)


@require_POST
@can_manage
def project_note_add(request, pk):
    project = get_or_404(selectors.project_get, user=request.user, pk=pk)
    form = forms.ProjectNoteForm(request.POST, prefix="note")
    if form.is_valid() and run_service(request, lambda: services.project_note_add(
            project=project, by=request.user, **form.cleaned_data), form=form,
            success_message=_("The note was added.")):
        return redirect("louna:project_detail", pk=project.pk)
    return _project_page(request, project, note_form=form)


@can_manage
def project_edit(request, pk=None):
    project = get_object_or_404(Project, pk=pk) if pk else Project()
    form = forms.ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda: services.project_save(
            project=form.save(commit=False), libraries=form.cleaned_data["libraries"]), _("The project was saved."))
        if saved:
            return redirect("louna:project_detail", pk=saved.pk)
    cancel = reverse("louna:project_detail", args=[pk]) if pk else reverse("louna:project_list")
    return _form_page(request, form=form, title=_("Project"), cancel_url=cancel)
