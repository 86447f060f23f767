"""Thin views of the action programme: parse, check permission, call a selector or a
service, render. Objects come through the selectors (404 outside the person's scope)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.actions import run_service
from consortium.jobs import job_run_queue
from consortium.models import Library
from consortium.views import get_or_404, permission_required

from . import forms
from . import permissions as perms
from . import selectors
from . import services, tasks
from .models import (
    ITEM_TEXT_FIELDS,
    ChangeProposal,
    ItemComment,
    Programme,
    ProgrammeItem,
    ProgrammeVersion,
)

can_view = permission_required(perms.can_view_programme)
can_coordinate = permission_required(perms.can_coordinate)
can_take_part = permission_required(perms.can_take_part)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _run(request, form, call, success):
    """The service's result, or None when it refused (its errors then on the form, or as
    messages when there is no form)."""
    return run_service(request, call, form=form, success_message=success).result


def _errors_as_messages(request, form):
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields and form.fields[name].label else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _programme(request, year) -> Programme:
    return get_or_404(selectors.programme_get, user=request.user, year=year)


# ---------------------------------------------------------------- list and reading view


@can_view
def programme_list(request):
    coordinator = perms.can_coordinate(request.user)
    form = forms.ProgrammeCreateForm(request.POST or None,
                                     initial={"year": timezone.localdate().year + 1}) if coordinator else None
    if request.method == "POST":
        if not coordinator:
            raise PermissionDenied
        if form.is_valid():
            created = _run(request, form, lambda: services.programme_create(by=request.user, **form.cleaned_data),
                           _("The programme was started."))
            if created:
                return redirect("louna:programme_manage", year=created.year)
    programmes = list(selectors.programme_list(user=request.user))
    answered = selectors.my_answers(user=request.user)
    for programme in programmes:
        programme.my_answer = answered.get(programme.pk)
    return render(request, "louna/programme/list.html", {
        "programmes": programmes, "form": form, "can_coordinate": coordinator,
        "is_director": bool(perms.position_libraries(request.user)),
    })


@can_view
def programme_detail(request, year):
    programme = _programme(request, year)
    try:
        page = selectors.review_page(user=request.user, programme=programme, since=_int(request.GET.get("since")),
                                     version=_int(request.GET.get("version")))
    except ProgrammeVersion.DoesNotExist as error:
        raise Http404 from error
    if page.version is not None and request.GET.get("version") is None:
        services.version_mark_read(programme=programme, user=request.user, number=page.version.number)
    today = timezone.localdate()
    position_forms = []
    for library, position in page.my_positions:
        initial = {"library": library.pk}
        if position is not None and position.position != "no_answer":
            initial.update(position=position.position, reservation=position.reservation)
        position_forms.append((library, position, forms.PositionForm(initial=initial, prefix=f"lib{library.pk}")))
    return render(request, "louna/programme/detail.html", {
        "programme": programme, "page": page, "position_forms": position_forms,
        "can_coordinate": perms.can_coordinate(request.user),
        "review_open": programme.state == Programme.State.REVIEW,
        "comments_open": programme.state == Programme.State.REVIEW and (
            programme.review_deadline is None or today <= programme.review_deadline),
        "deliveries": selectors.deliveries_for(user=request.user, programme=programme) if programme.is_final else [],
    })


@require_POST
@can_view
def position_state(request, year):
    programme = _programme(request, year)
    library_id = _int(request.POST.get("library"))
    if library_id not in perms.position_libraries(request.user):
        raise Http404
    library = get_object_or_404(Library, pk=library_id)
    form = forms.PositionForm(request.POST, prefix=f"lib{library_id}")
    # The library travels both as a plain field (checked above) and inside the prefixed form.
    if form.is_valid():
        _run(request, None, lambda: services.position_state(
            programme=programme, library=library, position=form.cleaned_data["position"],
            reservation=form.cleaned_data["reservation"], by=request.user),
            _("The position of %(library)s was recorded.") % {"library": library})
    else:
        _errors_as_messages(request, form)
    return redirect(reverse("louna:programme_detail", args=[year]) + "#position")


# ---------------------------------------------------------------- one item


def _item_page(request, programme, pk, **forms_bound):
    try:
        page = selectors.item_page(user=request.user, programme=programme, pk=pk)
    except ProgrammeItem.DoesNotExist as error:
        raise Http404 from error
    item = page.item
    coordinator = perms.can_coordinate(request.user)
    take_part = perms.can_take_part(request.user)
    current_texts = {name: getattr(page.row, name) for name in ITEM_TEXT_FIELDS} if page.row else {}
    page_forms = {
        "comment_form": forms.CommentForm(prefix="c"),
        # the proposal starts from the current text, so a director edits rather than retypes
        "proposal_form": forms.ProposalForm(prefix="p", initial={"field": "title",
                                                                 "proposed_text": current_texts.get("title", "")}),
        "progress_form": forms.ProgressForm(prefix="g", initial={"state": item.state, "percent": item.percent,
                                                                  "on": timezone.localdate()})
        if coordinator and programme.is_final else None,
    }
    page_forms.update(forms_bound)
    today = timezone.localdate()
    return render(request, "louna/programme/item.html", {
        "programme": programme, "page": page, "item": item, "can_coordinate": coordinator,
        "take_part": take_part, **page_forms,
        "comments_open": take_part and programme.state == Programme.State.REVIEW and (
            coordinator or programme.review_deadline is None or today <= programme.review_deadline),
        "review_open": programme.state == Programme.State.REVIEW, "current_texts": current_texts,
    })


def _item(request, programme, pk) -> ProgrammeItem:
    """The item, through the same restricted read as its page (404 outside the person's scope)."""
    try:
        return selectors.item_page(user=request.user, programme=programme, pk=pk).item
    except ProgrammeItem.DoesNotExist as error:
        raise Http404 from error


def _to_item(year, item):
    return redirect(reverse("louna:programme_item", args=[year, item.pk]))


@can_view
def item_detail(request, year, pk):
    return _item_page(request, _programme(request, year), pk)


@require_POST
@can_take_part
def comment_add(request, year, pk):
    programme = _programme(request, year)
    item = _item(request, programme, pk)
    form = forms.CommentForm(request.POST, prefix="c")
    if form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        parent = get_object_or_404(ItemComment, pk=parent_id, item=item) if parent_id else None
        if run_service(request, lambda: services.comment_add(item=item, text=form.cleaned_data["text"],
                                                             parent=parent, by=request.user),
                       form=form, success_message=_("Your comment was added.")):
            return _to_item(year, item)
    return _item_page(request, programme, pk, comment_form=form)


@require_POST
@can_take_part
def proposal_add(request, year, pk):
    programme = _programme(request, year)
    item = _item(request, programme, pk)
    form = forms.ProposalForm(request.POST, prefix="p")
    if form.is_valid() and run_service(request, lambda: services.proposal_add(
            item=item, by=request.user, **form.cleaned_data), form=form,
            success_message=_("Your proposal was sent.")):
        return _to_item(year, item)
    return _item_page(request, programme, pk, proposal_form=form)


@require_POST
@can_coordinate
def proposal_decide(request, year, pk, proposal):
    programme = _programme(request, year)
    item = _item(request, programme, pk)
    proposal = get_object_or_404(ChangeProposal, pk=proposal, item=item)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        run_service(request, lambda: services.proposal_decide(
            proposal=proposal, accept=accept, note=form.cleaned_data["note"], by=request.user),
            success_message=_("The proposal was accepted into the working copy; publish a new version to show it.")
            if accept else _("The proposal was rejected."))
    else:
        _errors_as_messages(request, form)
    return _to_item(year, item)


@require_POST
@can_take_part
def item_follow(request, year, pk):
    item = _item(request, _programme(request, year), pk)
    run_service(request, lambda: services.item_follow(item=item, user=request.user, follow=True),
                success_message=_("You follow this item."))
    return _to_item(year, item)


@require_POST
@can_take_part
def item_unfollow(request, year, pk):
    item = _item(request, _programme(request, year), pk)
    run_service(request, lambda: services.item_follow(item=item, user=request.user, follow=False),
                success_message=_("You no longer follow this item."))
    return _to_item(year, item)


@require_POST
@can_coordinate
def progress_record(request, year, pk):
    programme = _programme(request, year)
    item = _item(request, programme, pk)
    form = forms.ProgressForm(request.POST, prefix="g")
    if form.is_valid() and run_service(request, lambda: services.progress_record(
            item=item, by=request.user, **form.cleaned_data), form=form,
            success_message=_("The follow-up was recorded.")):
        return _to_item(year, item)
    return _item_page(request, programme, pk, progress_form=form)


# ---------------------------------------------------------------- the coordinator's desk


@can_coordinate
def programme_manage(request, year):
    programme = _programme(request, year)
    items = list(programme.items.select_related("area", "from_task").order_by("position", "pk"))
    latest = services.latest_version(programme)
    published = {row.item_id: row for row in latest.items.all()} if latest else {}
    for item in items:
        row = published.get(item.pk)
        item.unpublished = (row is None and not item.is_removed) or (
            row is not None and (item.is_removed or any(getattr(row, f) != getattr(item, f)
                                                        for f in ITEM_TEXT_FIELDS)))
    return render(request, "louna/programme/manage.html", {
        "programme": programme, "items": items, "latest": latest,
        "answers": selectors.answers(programme=programme) if programme.state != Programme.State.DRAFT else [],
        "open_form": forms.OpenReviewForm(prefix="open"), "publish_form": forms.PublishForm(prefix="publish"),
        "deadline_form": forms.DeadlineForm(prefix="deadline", initial={"deadline": programme.review_deadline}),
        "finalise_form": forms.FinaliseForm(prefix="final"),
        "deliveries": selectors.deliveries_for(user=request.user, programme=programme),
        "open_proposals": ChangeProposal.objects.filter(item__programme=programme,
                                                        state=ChangeProposal.State.OPEN).count(),
        "moved_last_year": 0 if programme.is_final else ProgrammeItem.objects.filter(
            programme__year=programme.year - 1, programme__state=Programme.State.FINAL,
            state=ProgrammeItem.State.MOVED, is_removed=False).exclude(
            title__in=programme.items.values("title")).count(),
    })


def _desk_verb(request, year, call, success, *, form=None):
    """A button on the coordinator's desk: run `call(programme, data)` with the form's
    data (if there is a form); refusals and form errors become messages on the desk."""
    programme = _programme(request, year)
    if form is not None and not form.is_valid():
        _errors_as_messages(request, form)
        return None
    return run_service(request, lambda: call(programme, form.cleaned_data if form is not None else {}),
                       success_message=success)


def _to_desk(year):
    return redirect("louna:programme_manage", year=year)


@require_POST
@can_coordinate
def review_open(request, year):
    _desk_verb(request, year, lambda programme, data: services.review_open(programme=programme, by=request.user,
                                                                           **data),
               _("The review is open; the directors can read version 1."),
               form=forms.OpenReviewForm(request.POST, prefix="open"))
    return _to_desk(year)


@require_POST
@can_coordinate
def version_publish(request, year):
    _desk_verb(request, year, lambda programme, data: services.version_publish(programme=programme,
                                                                               by=request.user, **data),
               _("A new version was published."), form=forms.PublishForm(request.POST, prefix="publish"))
    return _to_desk(year)


@require_POST
@can_coordinate
def review_set_deadline(request, year):
    _desk_verb(request, year, lambda programme, data: services.review_set_deadline(programme=programme,
                                                                                   by=request.user, **data),
               _("The deadline was changed."), form=forms.DeadlineForm(request.POST, prefix="deadline"))
    return _to_desk(year)


@require_POST
@can_coordinate
def position_no_answer(request, year, library):
    programme = _programme(request, year)
    library = get_object_or_404(perms.louna_libraries(), pk=library)
    form = forms.NoAnswerForm(request.POST, prefix=f"na{library.pk}")
    if form.is_valid():
        run_service(request, lambda: services.position_record_no_answer(
            programme=programme, library=library, reason=form.cleaned_data["reason"], by=request.user),
            success_message=_("The reason was recorded for %(library)s.") % {"library": library})
    else:  # name the row as well as the field: the table has one such form per library
        for error in form.errors.get("reason", []):
            messages.error(request, f"{library} – {form.fields['reason'].label}: {error}")
    return _to_desk(year)


@require_POST
@can_coordinate
def programme_finalise(request, year):
    _desk_verb(request, year, lambda programme, data: services.programme_finalise(programme=programme,
                                                                                  by=request.user, **data),
               _("The programme is final and frozen."), form=forms.FinaliseForm(request.POST, prefix="final"))
    return _to_desk(year)


@require_POST
@can_coordinate
def programme_deliver(request, year):
    programme = _programme(request, year)
    if _desk_verb(request, year, lambda programme, data: services.programme_deliver(programme=programme,
                                                                                     by=request.user),
                  _("Each library's copy is being made and sent.")):
        # A JobRun: written to the database now, handed to the queue after commit, and
        # kept until the broker takes it (consortium.jobs) — never lost with Redis down.
        job_run_queue(task=tasks.deliver_programme, created_by=request.user, kwargs={"programme_id": programme.pk},
                      label=_("Copies of the action programme %(year)d") % {"year": programme.year})
    return _to_desk(year)


@require_POST
@can_coordinate
def items_carry_over(request, year):
    _desk_verb(request, year, lambda programme, data: services.items_carry_over(programme=programme,
                                                                                by=request.user),
               _("The items moved from last year were brought into the draft."))
    return _to_desk(year)


@require_POST
@can_coordinate
def reports_draft(request, year):
    if _desk_verb(request, year, lambda programme, data: services.reports_draft(programme=programme,
                                                                                 by=request.user),
                  _("The implementation reports were drafted.")):
        return redirect("louna:programme_reports", year=year)
    return _to_desk(year)


@can_coordinate
def programme_edit(request, year):
    programme = _programme(request, year)
    form = forms.ProgrammeEditForm(request.POST or None, initial={"title": programme.title,
                                                                 "introduction": programme.introduction})
    if request.method == "POST" and form.is_valid():
        if _run(request, form, lambda: services.programme_update(programme=programme, by=request.user,
                                                                 **form.cleaned_data), _("The programme was saved.")):
            return redirect("louna:programme_manage", year=year)
    return render(request, "louna/programme/form.html", {"form": form, "title": _("Edit the programme %(year)d")
                                               % {"year": year},
                                               "cancel_url": reverse("louna:programme_manage", args=[year])})


@can_coordinate
def item_edit(request, year, pk=None):
    programme = _programme(request, year)
    item = get_object_or_404(ProgrammeItem, pk=pk, programme=programme) if pk else ProgrammeItem(programme=programme)
    form = forms.ItemForm(request.POST or None, instance=item, programme=programme)
    if request.method == "POST" and form.is_valid():
        saved = _run(request, form, lambda: services.item_save(
            item=form.save(commit=False), libraries=form.cleaned_data["libraries"], by=request.user),
            _("The item was saved."))
        if saved:
            return redirect("louna:programme_manage", year=year)
    return render(request, "louna/programme/item_form.html", {
        "form": form, "programme": programme, "item": item,
        "title": _("Edit the item") if pk else _("New item"),
    })


@require_POST
@can_coordinate
def item_remove(request, year, pk):
    programme = _programme(request, year)
    item = get_object_or_404(ProgrammeItem, pk=pk, programme=programme)
    run_service(request, lambda: services.item_remove(item=item, by=request.user),
                success_message=_("The item was removed from the working copy."))
    return redirect("louna:programme_manage", year=year)


@can_coordinate
def draft_from_tasks(request, year):
    programme = _programme(request, year)
    form = forms.DraftFromTasksForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        made = _run(request, form, lambda: services.items_draft_from_tasks(
            programme=programme, tasks=form.cleaned_data["tasks"], by=request.user), _("Items were drafted."))
        if made is not None:
            return redirect("louna:programme_manage", year=year)
    return render(request, "louna/programme/form.html", {
        "form": form, "title": _("Draft items from the agreement's tasks"),
        "intro": _("Each chosen task becomes a draft item in its service area; tasks marked ✓ are already in the "
                   "programme and are skipped."),
        "cancel_url": reverse("louna:programme_manage", args=[year]),
    })


@can_coordinate
def item_amend(request, year, pk):
    programme = _programme(request, year)
    item = get_object_or_404(ProgrammeItem, pk=pk, programme=programme, is_removed=False)
    form = forms.AmendForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        if _run(request, form, lambda: services.programme_amend(item=item, changes=data, reason=reason,
                                                                by=request.user),
                _("The amendment was recorded as a new version.")):
            return redirect("louna:programme_manage", year=year)
    return render(request, "louna/programme/form.html", {
        "form": form, "title": _("Amend the final programme"),
        "intro": _("The final version stays as it was; the amendment becomes a new version with its reason, and "
                   "the libraries get a new copy when you deliver again."),
        "cancel_url": reverse("louna:programme_manage", args=[year]),
    })


# ---------------------------------------------------------------- overview, copies, reports


@can_view
def programme_overview(request, year):
    programme = _programme(request, year)
    return render(request, "louna/programme/overview.html", {
        "programme": programme, "overview": selectors.overview(user=request.user, programme=programme),
    })


def _pdf_response(file_field, name):
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=False, filename=name, content_type="application/pdf")


@can_view
def delivery_pdf(request, pk):
    delivery = get_or_404(selectors.delivery_get, user=request.user, pk=pk)
    return _pdf_response(delivery.pdf, delivery.pdf.name.rsplit("/", 1)[-1])


@can_view
def report_list(request, year):
    programme = _programme(request, year)
    return render(request, "louna/programme/reports.html", {
        "programme": programme, "reports": selectors.report_list(user=request.user, programme=programme),
        "can_coordinate": perms.can_coordinate(request.user),
    })


@can_view
def report_detail(request, pk):
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    coordinator = perms.can_coordinate(request.user)
    form = forms.ReportForm(request.POST or None, initial={"summary": report.summary}) if coordinator else None
    if request.method == "POST":
        if not coordinator:
            raise PermissionDenied
        if form.is_valid() and _run(request, form, lambda: services.report_update(
                report=report, by=request.user, **form.cleaned_data), _("The report was saved.")):
            return redirect("louna:programme_report", pk=report.pk)
    return render(request, "louna/programme/report.html", {"report": report, "form": form,
                                                           "can_coordinate": coordinator})


@require_POST
@can_coordinate
def report_send(request, pk):
    """Save the summary as edited, then send: the page's second button."""
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    form = forms.ReportForm(request.POST)
    if form.is_valid():
        saved = _run(request, form, lambda: services.report_update(report=report, by=request.user,
                                                                   **form.cleaned_data), _("The report was saved."))
        if saved and _run(request, form, lambda: services.report_send(report=saved, by=request.user),
                          _("The report was sent to the library's director.")):
            return redirect("louna:programme_report", pk=report.pk)
    return render(request, "louna/programme/report.html", {"report": report, "form": form, "can_coordinate": True})


@can_view
def report_pdf(request, pk):
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    if not report.pdf:
        raise Http404
    return _pdf_response(report.pdf, report.pdf.name.rsplit("/", 1)[-1])
