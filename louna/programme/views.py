"""Thin views of the action programme: parse, check permission, call a selector or a
service, render. Objects come through the selectors (404 outside the person's scope)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import add_service_errors
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


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _run(request, form, call, success):
    """Run a service; on refusal put its message on the form (or as a message)."""
    try:
        result = call()
    except ValidationError as error:
        if form is not None:
            add_service_errors(form, error)
        else:
            for text in error.messages:
                messages.error(request, text)
        return None
    messages.success(request, success)
    return result


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


@can_view
def item_detail(request, year, pk):
    programme = _programme(request, year)
    try:
        page = selectors.item_page(user=request.user, programme=programme, pk=pk)
    except ProgrammeItem.DoesNotExist as error:
        raise Http404 from error
    item = page.item
    coordinator = perms.can_coordinate(request.user)
    take_part = perms.can_take_part(request.user)
    current_texts = {name: getattr(page.row, name) for name in ITEM_TEXT_FIELDS} if page.row else {}
    comment_form, progress_form = forms.CommentForm(prefix="c"), None
    # the proposal starts from the current text, so a director edits rather than retypes
    proposal_form = forms.ProposalForm(prefix="p", initial={"field": "title",
                                                            "proposed_text": current_texts.get("title", "")})
    if coordinator and programme.is_final:
        progress_form = forms.ProgressForm(prefix="g", initial={"state": item.state, "percent": item.percent,
                                                                 "on": timezone.localdate()})
    if request.method == "POST":
        if not take_part:
            raise PermissionDenied
        action = request.POST.get("action")
        done = None
        if action == "comment":
            comment_form = forms.CommentForm(request.POST, prefix="c")
            if comment_form.is_valid():
                parent_id = comment_form.cleaned_data.get("parent")
                parent = get_object_or_404(ItemComment, pk=parent_id, item=item) if parent_id else None
                done = _run(request, comment_form, lambda: services.comment_add(
                    item=item, text=comment_form.cleaned_data["text"], parent=parent, by=request.user),
                    _("Your comment was added."))
        elif action == "propose":
            proposal_form = forms.ProposalForm(request.POST, prefix="p")
            if proposal_form.is_valid():
                done = _run(request, proposal_form, lambda: services.proposal_add(
                    item=item, by=request.user, **proposal_form.cleaned_data), _("Your proposal was sent."))
        elif action == "decide":
            if not coordinator:
                raise PermissionDenied
            form = forms.DecideForm(request.POST)
            if form.is_valid():
                proposal = get_object_or_404(ChangeProposal, pk=form.cleaned_data["proposal"], item=item)
                accept = form.cleaned_data["decision"] == "accept"
                done = _run(request, None, lambda: services.proposal_decide(
                    proposal=proposal, accept=accept, note=form.cleaned_data["note"], by=request.user),
                    _("The proposal was accepted into the working copy; publish a new version to show it.")
                    if accept else _("The proposal was rejected."))
            else:
                _errors_as_messages(request, form)
            done = True
        elif action in ("follow", "unfollow"):
            done = _run(request, None, lambda: services.item_follow(item=item, user=request.user,
                                                                    follow=action == "follow"),
                        _("You follow this item.") if action == "follow" else _("You no longer follow this item."))
            done = True
        elif action == "progress":
            if not coordinator:
                raise PermissionDenied
            progress_form = forms.ProgressForm(request.POST, prefix="g")
            if progress_form.is_valid():
                done = _run(request, progress_form, lambda: services.progress_record(
                    item=item, by=request.user, **progress_form.cleaned_data), _("The follow-up was recorded."))
        else:
            raise Http404
        if done:
            return redirect(reverse("louna:programme_item", args=[year, item.pk]))
    today = timezone.localdate()
    return render(request, "louna/programme/item.html", {
        "programme": programme, "page": page, "item": item, "can_coordinate": coordinator,
        "take_part": take_part, "comment_form": comment_form, "proposal_form": proposal_form,
        "progress_form": progress_form,
        "comments_open": take_part and programme.state == Programme.State.REVIEW and (
            coordinator or programme.review_deadline is None or today <= programme.review_deadline),
        "review_open": programme.state == Programme.State.REVIEW, "current_texts": current_texts,
    })


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


@require_POST
@can_coordinate
def programme_action(request, year):
    programme = _programme(request, year)
    action = request.POST.get("action")
    user = request.user
    if action == "open":
        form = forms.OpenReviewForm(request.POST, prefix="open")
        if form.is_valid():
            _run(request, None, lambda: services.review_open(programme=programme, by=user, **form.cleaned_data),
                 _("The review is open; the directors can read version 1."))
    elif action == "publish":
        form = forms.PublishForm(request.POST, prefix="publish")
        if form.is_valid():
            _run(request, None, lambda: services.version_publish(programme=programme, by=user, **form.cleaned_data),
                 _("A new version was published."))
    elif action == "deadline":
        form = forms.DeadlineForm(request.POST, prefix="deadline")
        if form.is_valid():
            _run(request, None, lambda: services.review_set_deadline(programme=programme, by=user,
                                                                     **form.cleaned_data),
                 _("The deadline was changed."))
    elif action == "no_answer":
        form = forms.NoAnswerForm(request.POST, prefix=f"na{_int(request.POST.get('library'))}")
        library = get_object_or_404(perms.louna_libraries(), pk=_int(request.POST.get("library")))
        if form.is_valid():
            _run(request, None, lambda: services.position_record_no_answer(
                programme=programme, library=library, reason=form.cleaned_data["reason"], by=user),
                _("The reason was recorded for %(library)s.") % {"library": library})
        else:  # name the row as well as the field: the table has one such form per library
            for error in form.errors.get("reason", []):
                messages.error(request, f"{library} – {form.fields['reason'].label}: {error}")
            form = None
    elif action == "finalise":
        form = forms.FinaliseForm(request.POST, prefix="final")
        if form.is_valid():
            _run(request, None, lambda: services.programme_finalise(programme=programme, by=user,
                                                                    **form.cleaned_data),
                 _("The programme is final and frozen."))
    elif action == "deliver":
        form = None
        library_ids = _run(request, None, lambda: services.programme_deliver(programme=programme, by=user),
                           _("Each library's copy is being made and sent."))
        for library_id in library_ids or ():
            tasks.make_programme_delivery.delay(programme.pk, library_id)
    elif action == "carry_over":
        form = None
        _run(request, None, lambda: services.items_carry_over(programme=programme, by=user),
             _("The items moved from last year were brought into the draft."))
    elif action == "reports":
        form = None
        result = _run(request, None, lambda: services.reports_draft(programme=programme, by=user),
                      _("The implementation reports were drafted."))
        if result is not None:
            return redirect("louna:programme_reports", year=year)
    else:
        raise Http404
    if form is not None and not form.is_valid():
        _errors_as_messages(request, form)
    return redirect("louna:programme_manage", year=year)


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
    if request.method == "POST":
        if request.POST.get("action") == "remove" and pk:
            if _run(request, None, lambda: services.item_remove(item=item, by=request.user),
                    _("The item was removed from the working copy.")) is None:
                pass
            return redirect("louna:programme_manage", year=year)
        if form.is_valid():
            saved = _run(request, form, lambda: services.item_save(
                item=form.save(commit=False), libraries=form.cleaned_data["libraries"], by=request.user),
                _("The item was saved."))
            if saved:
                return redirect("louna:programme_manage", year=year)
    return render(request, "louna/programme/item_form.html", {
        "form": form, "programme": programme, "item": item,
        "title": _("Edit the item") if pk else _("New item"),
    })


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
        if form.is_valid():
            saved = _run(request, form, lambda: services.report_update(report=report, by=request.user,
                                                                       **form.cleaned_data),
                         _("The report was saved."))
            if saved and request.POST.get("action") == "send":
                if _run(request, form, lambda: services.report_send(report=saved, by=request.user),
                        _("The report was sent to the library's director.")):
                    return redirect("louna:programme_report", pk=report.pk)
            elif saved:
                return redirect("louna:programme_report", pk=report.pk)
    return render(request, "louna/programme/report.html", {"report": report, "form": form,
                                                           "can_coordinate": coordinator})


@can_view
def report_pdf(request, pk):
    report = get_or_404(selectors.report_get, user=request.user, pk=pk)
    if not report.pdf:
        raise Http404
    return _pdf_response(report.pdf, report.pdf.name.rsplit("/", 1)[-1])
