"""Writes of the action programme. Each validates its input, runs in one transaction and
refuses with a ValidationError naming the field. Nothing here changes a final version:
after finalising, only the follow-up (state, per cent, notes) and explicit amendments
(new versions marked as such, with their reason) are possible."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from consortium.calendar import not_a_working_day_message
from consortium.mail import send_mail_to_user
from consortium.models import Library, Role, RoleAssignment, User

from . import programme_permissions as perms
from .models import Agreement, Task
from .programme_models import (
    ITEM_TEXT_FIELDS,
    ChangeProposal,
    ImplementationReport,
    ItemComment,
    ItemFollower,
    ItemProgress,
    ItemVersion,
    LibraryPosition,
    Programme,
    ProgrammeDelivery,
    ProgrammeItem,
    ProgrammeVersion,
    ReviewReminder,
    VersionNotice,
    VersionRead,
)


__all__ = (
    "programme_create",
    "programme_update",
    "item_save",
    "item_remove",
    "items_draft_from_tasks",
    "items_carry_over",
    "review_open",
    "review_set_deadline",
    "version_publish",
    "comment_add",
    "proposal_add",
    "proposal_decide",
    "position_state",
    "position_record_no_answer",
    "programme_finalise",
    "programme_amend",
    "version_mark_read",
    "delivery_make",
    "progress_record",
    "item_follow",
    "reminders_send",
    "reports_draft",
    "report_update",
    "report_send",
    "reports_due",
)


def _field_labels():
    return {
        "title": _("title"), "aim": _("aim"), "measures": _("measures"), "responsible": _("responsible"),
        "schedule": _("schedule"), "indicator": _("indicator"),
    }


def field_label(field: str) -> str:
    return _field_labels().get(field, field)


def _not_final(programme: Programme) -> None:
    if programme.is_final:
        raise ValidationError(_("The programme %(year)d is final and cannot change; make an explicit amendment "
                                "instead.") % {"year": programme.year})


def _locked(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _require_coordinator(by) -> None:
    if not perms.can_coordinate(by):
        raise ValidationError(_("Only the Louna coordinator may do this."))


def latest_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.order_by("-number").first()


# ---------------------------------------------------------------- drafting


@transaction.atomic
def programme_create(*, year: int, title: str = "", introduction: str = "", agreement: Agreement | None = None,
                     by: User) -> Programme:
    _require_coordinator(by)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    if Programme.objects.filter(year=year).exists():
        raise ValidationError({"year": _("There is already a programme for %(year)d.") % {"year": year}})
    if agreement is None:
        agreement = Agreement.objects.filter(year=year).first()
    elif agreement.year != year:
        raise ValidationError({"agreement": _("The agreement is for %(other)d, not %(year)d.")
                                            % {"other": agreement.year, "year": year}})
    with translation.override(settings.LANGUAGE_CODE):  # the programme is a Finnish document
        default_title = _("Louna libraries' action programme %(year)d") % {"year": year}
    title = (title or "").strip() or default_title
    try:
        with transaction.atomic():
            return Programme.objects.create(year=year, title=title[:200], introduction=(introduction or "").strip(),
                                            agreement=agreement)
    except IntegrityError as error:
        raise ValidationError({"year": _("There is already a programme for %(year)d.") % {"year": year}}) from error


@transaction.atomic
def programme_update(*, programme: Programme, title: str, introduction: str, by: User) -> Programme:
    _require_coordinator(by)
    programme = _locked(programme)
    _not_final(programme)
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the programme a title.")})
    programme.title, programme.introduction = title.strip()[:200], (introduction or "").strip()
    programme.save(update_fields=["title", "introduction"])
    return programme


def _check_area(item: ProgrammeItem) -> None:
    if item.area_id and item.programme.agreement_id and item.area.agreement_id != item.programme.agreement_id:
        raise ValidationError({"area": _("The service area belongs to another year's agreement.")})


@transaction.atomic
def item_save(*, item: ProgrammeItem, libraries=None, by: User) -> ProgrammeItem:
    _require_coordinator(by)
    programme = _locked(item.programme)
    _not_final(programme)
    for name in ITEM_TEXT_FIELDS:
        setattr(item, name, (getattr(item, name) or "").strip())
    if not item.title:
        raise ValidationError({"title": _("Give the item a title.")})
    _check_area(item)
    if item.pk is None and not item.position:
        last = programme.items.order_by("-position").values_list("position", flat=True).first()
        item.position = (last or 0) + 10
    item.full_clean(exclude=["programme", "area", "from_task"])
    item.save()
    if libraries is not None:
        item.libraries.set(libraries)
    return item


@transaction.atomic
def item_remove(*, item: ProgrammeItem, by: User) -> None:
    """An item never published is deleted; a published one is marked removed, so the next
    version shows it gone while its comments stay with the versions they answered."""
    _require_coordinator(by)
    _not_final(_locked(item.programme))
    if item.versions.exists():
        item.is_removed = True
        item.save(update_fields=["is_removed"])
    else:
        item.delete()


def _schedule_text(task: Task) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored text of a Finnish document
        if task.schedule == Task.Schedule.DUE_DATE and task.due_on:
            return _("by %(date)s") % {"date": date_format(task.due_on, "SHORT_DATE_FORMAT")}
        return str(task.get_schedule_display())


def _short_title(text: str, limit: int = 120) -> str:
    """A task's opening words as the item's title; the whole task goes to the measures."""
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    head = text.split(" (", 1)[0]
    if len(head) <= limit:
        return head
    cut = head[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


@transaction.atomic
def items_draft_from_tasks(*, programme: Programme, tasks, by: User) -> list[ProgrammeItem]:
    """One draft item per chosen task of the programme's agreement; a task already drafted
    into this programme is skipped."""
    _require_coordinator(by)
    programme = _locked(programme)
    _not_final(programme)
    if programme.agreement_id is None:
        raise ValidationError({"tasks": _("The programme has no service agreement to draft from.")})
    tasks = list(tasks)
    if not tasks:
        raise ValidationError({"tasks": _("Choose at least one task.")})
    foreign = [task for task in tasks if task.area.agreement_id != programme.agreement_id]
    if foreign:
        raise ValidationError({"tasks": _("The task “%(task)s” is not in this year's agreement.")
                                        % {"task": foreign[0].text[:80]}})
    done = set(programme.items.filter(from_task__isnull=False).values_list("from_task_id", flat=True))
    last = programme.items.order_by("-position").values_list("position", flat=True).first() or 0
    new = []
    for task in tasks:
        if task.pk in done:
            continue
        last += 10
        title = _short_title(task.text)
        new.append(ProgrammeItem(
            programme=programme, area=task.area, position=last, title=title, measures=task.text,
            responsible=task.responsible.full_name if task.responsible_id else "", schedule=_schedule_text(task),
            from_task=task,
        ))
    return ProgrammeItem.objects.bulk_create(new)


@transaction.atomic
def items_carry_over(*, programme: Programme, by: User) -> list[ProgrammeItem]:
    """Bring into this year's draft the items last year's programme moved to this year;
    an item already brought is skipped."""
    _require_coordinator(by)
    programme = _locked(programme)
    _not_final(programme)
    previous = Programme.objects.filter(year=programme.year - 1, state=Programme.State.FINAL).first()
    if previous is None:
        raise ValidationError(_("There is no final programme for %(year)d.") % {"year": programme.year - 1})
    moved = list(previous.items.filter(state=ProgrammeItem.State.MOVED, is_removed=False).order_by("position"))
    brought = set(programme.items.values_list("title", flat=True))
    areas = {}
    if programme.agreement_id:
        areas = {area.number: area for area in programme.agreement.areas.all()}
    last = programme.items.order_by("-position").values_list("position", flat=True).first() or 0
    new = []
    for item in moved:
        if item.title in brought:
            continue
        last += 10
        new.append(ProgrammeItem(
            programme=programme, area=areas.get(item.area.number) if item.area_id else None, position=last,
            **{name: getattr(item, name) for name in ITEM_TEXT_FIELDS},
        ))
    return ProgrammeItem.objects.bulk_create(new)


# ---------------------------------------------------------------- versions and the review round


def _snapshot(programme: Programme, *, kind: str, note: str, by: User) -> ProgrammeVersion:
    items = list(programme.items.filter(is_removed=False).order_by("position", "pk"))
    if not items:
        raise ValidationError(_("The programme has no items yet."))
    previous = latest_version(programme)
    if previous is not None and kind == ProgrammeVersion.Kind.DRAFT:
        old = {row.item_id: tuple(getattr(row, f) for f in ITEM_TEXT_FIELDS) + (row.area_id, row.position)
               for row in previous.items.all()}
        now = {item.pk: tuple(getattr(item, f) for f in ITEM_TEXT_FIELDS) + (item.area_id, item.position)
               for item in items}
        if old == now and previous.introduction == programme.introduction and previous.title == programme.title:
            raise ValidationError(_("Nothing has changed since version %(number)d.") % {"number": previous.number})
    version = ProgrammeVersion.objects.create(
        programme=programme, number=(previous.number + 1) if previous else 1, kind=kind, title=programme.title,
        introduction=programme.introduction, note=(note or "").strip(), published_by=by,
    )
    ItemVersion.objects.bulk_create([
        ItemVersion(version=version, item=item, area_id=item.area_id, position=item.position,
                    **{f: getattr(item, f) for f in ITEM_TEXT_FIELDS})
        for item in items
    ])
    return version


def _check_review_deadline(deadline: date | None, today: date) -> None:
    if deadline is None or deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    # The directors answer at work: a deadline on a weekend or a public holiday would
    # silently take a working day from them.
    problem = not_a_working_day_message(deadline)
    if problem:
        raise ValidationError({"deadline": problem})


@transaction.atomic
def review_open(*, programme: Programme, deadline: date, note: str = "", by: User,
                today: date | None = None, notify: bool = True) -> ProgrammeVersion:
    _require_coordinator(by)
    programme = _locked(programme)
    today = today or timezone.localdate()
    if programme.state != Programme.State.DRAFT:
        raise ValidationError(_("The review of this programme is already open or over."))
    _check_review_deadline(deadline, today)
    version = _snapshot(programme, kind=ProgrammeVersion.Kind.DRAFT, note=note, by=by)
    programme.state, programme.review_deadline, programme.review_opened_at = (
        Programme.State.REVIEW, deadline, timezone.now())
    programme.save(update_fields=["state", "review_deadline", "review_opened_at"])
    if notify:
        _notify_directors(version)
    return version


@transaction.atomic
def review_set_deadline(*, programme: Programme, deadline: date, by: User, today: date | None = None) -> Programme:
    _require_coordinator(by)
    programme = _locked(programme)
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("The programme is not in review."))
    _check_review_deadline(deadline, today or timezone.localdate())
    programme.review_deadline = deadline
    programme.save(update_fields=["review_deadline"])
    return programme


@transaction.atomic
def version_publish(*, programme: Programme, note: str, by: User, notify: bool = True) -> ProgrammeVersion:
    """Publish the working copy as the next version of the review."""
    _require_coordinator(by)
    programme = _locked(programme)
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("New versions are published while the programme is in review."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say briefly what changed in this version.")})
    version = _snapshot(programme, kind=ProgrammeVersion.Kind.DRAFT, note=note, by=by)
    if notify:
        _notify_directors(version)
    return version


def _notify_directors(version: ProgrammeVersion) -> None:
    from .programme_tasks import notify_version_published

    notify_version_published.delay(version.pk)


def version_notify(*, version_id: int) -> int:
    """Tell every Louna director that a version was published (the first opens the review)."""
    version = ProgrammeVersion.objects.select_related("programme").get(pk=version_id)
    programme = version.programme
    url = settings.SITE_URL + reverse("louna:programme_detail", args=[programme.year])
    if version.number > 1:
        url += f"?since={version.number - 1}#changes"
    library_ids = [library.pk for library in perms.louna_libraries()]
    sent = 0
    for assignment in _directors_of(library_ids):
        with transaction.atomic():  # the row and the message go together: a failed send is retried
            _row, created = VersionNotice.objects.get_or_create(version=version, user=assignment.user)
            if not created:
                continue
            send_mail_to_user(user=assignment.user, template="louna/programme/mail/version", context={
                "programme": programme, "version": version, "url": url})
            sent += 1
    return sent


def _review_open_for(programme: Programme, by: User, today: date | None) -> None:
    """Comments and proposals: only in review, only by the coordinator or a Louna director,
    directors only until the deadline (the coordinator may still answer)."""
    if not perms.can_take_part(by):
        raise ValidationError(_("Only the directors of the Louna libraries and the coordinator take part in the "
                                "review."))
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("The programme is not open for review."))
    today = today or timezone.localdate()
    if not perms.can_coordinate(by) and programme.review_deadline and today > programme.review_deadline:
        raise ValidationError(_("The review closed on %(date)s; comments are no longer taken.")
                              % {"date": date_format(programme.review_deadline, "SHORT_DATE_FORMAT")})


def _current_item_version(item: ProgrammeItem) -> ItemVersion:
    row = (ItemVersion.objects.filter(item=item).select_related("version").order_by("-version__number").first())
    latest = latest_version(item.programme)
    if row is None or latest is None or row.version_id != latest.pk:
        raise ValidationError(_("This item is not in the current version of the programme."))
    return row


def _own_library(by: User) -> Library | None:
    ids = sorted(perms.position_libraries(by))
    return Library.objects.filter(pk=ids[0]).first() if ids else None


@transaction.atomic
def comment_add(*, item: ProgrammeItem, text: str, by: User, parent: ItemComment | None = None,
                today: date | None = None, notify: bool = True) -> ItemComment:
    programme = _locked(item.programme)
    _review_open_for(programme, by, today)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > 5000:
        raise ValidationError({"text": _("Keep the comment under 5 000 characters.")})
    if parent is not None and parent.item_id != item.pk:
        raise ValidationError({"text": _("The comment you answered belongs to another item.")})
    comment = ItemComment.objects.create(item=item, item_version=_current_item_version(item), parent=parent,
                                         author=by, library=_own_library(by), text=text)
    if notify and parent is not None and parent.author_id != by.pk:
        from .programme_tasks import notify_comment_reply

        notify_comment_reply.delay(comment.pk)
    return comment


def comment_reply_notify(*, comment_id: int) -> int:
    """Tell the author of a comment that it was answered."""
    comment = ItemComment.objects.select_related("parent__author", "author", "item__programme").get(pk=comment_id)
    to = comment.parent.author
    if not to.is_active:
        return 0
    programme = comment.item.programme
    url = settings.SITE_URL + reverse("louna:programme_item", args=[programme.year, comment.item_id]) \
        + f"#comment-{comment.pk}"
    send_mail_to_user(user=to, template="louna/programme/mail/reply", context={
        "comment": comment, "item": comment.item, "programme": programme, "url": url})
    return 1


@transaction.atomic
def proposal_add(*, item: ProgrammeItem, field: str, proposed_text: str, reason: str = "", by: User,
                 today: date | None = None) -> ChangeProposal:
    programme = _locked(item.programme)
    _review_open_for(programme, by, today)
    if field not in ITEM_TEXT_FIELDS:
        raise ValidationError({"field": _("Choose which part of the item to change.")})
    base = _current_item_version(item)
    proposed_text = (proposed_text or "").strip()
    if field == "title" and not proposed_text:
        raise ValidationError({"proposed_text": _("An item needs a title.")})
    if proposed_text == getattr(base, field):
        raise ValidationError({"proposed_text": _("The proposed text is the same as the draft's.")})
    return ChangeProposal.objects.create(item=item, item_version=base, field=field, proposed_text=proposed_text,
                                         reason=(reason or "").strip(), author=by, library=_own_library(by))


@transaction.atomic
def proposal_decide(*, proposal: ChangeProposal, accept: bool, note: str = "", by: User) -> ChangeProposal:
    """Accepting writes the proposed text into the working copy; it reaches the directors
    with the next published version."""
    _require_coordinator(by)
    proposal = ChangeProposal.objects.select_for_update().select_related("item__programme").get(pk=proposal.pk)
    programme = _locked(proposal.item.programme)
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("The programme is not in review."))
    if proposal.state != ChangeProposal.State.OPEN:
        raise ValidationError(_("This proposal was already decided."))
    if not accept and not (note or "").strip():
        raise ValidationError({"note": _("Say why the proposal was not taken.")})
    if accept:
        item = ProgrammeItem.objects.select_for_update().get(pk=proposal.item_id)
        setattr(item, proposal.field, proposal.proposed_text[:300] if proposal.field in ("title", "responsible",
                                                                                       "schedule")
                else proposal.proposed_text)
        item.save(update_fields=[proposal.field])
    proposal.state = ChangeProposal.State.ACCEPTED if accept else ChangeProposal.State.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = by, timezone.now(), (note or "").strip()
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return proposal


@transaction.atomic
def position_state(*, programme: Programme, library: Library, position: str, reservation: str = "",
                   by: User) -> LibraryPosition:
    """A director states their own library's position on the current version."""
    programme = _locked(programme)
    if library.pk not in perms.position_libraries(by):
        raise ValidationError(_("Only the library's own director states its position."))
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("The programme is not open for review."))
    if position not in (LibraryPosition.Position.APPROVE, LibraryPosition.Position.RESERVATIONS):
        raise ValidationError({"position": _("Choose approve or approve with reservations.")})
    reservation = (reservation or "").strip()
    if position == LibraryPosition.Position.RESERVATIONS and not reservation:
        raise ValidationError({"reservation": _("Write the reservation.")})
    if position == LibraryPosition.Position.APPROVE:
        reservation = ""
    row, _created = LibraryPosition.objects.update_or_create(
        programme=programme, library=library,
        defaults={"position": position, "reservation": reservation, "stated_by": by,
                  "version": latest_version(programme)},
    )
    return row


@transaction.atomic
def position_record_no_answer(*, programme: Programme, library: Library, reason: str, by: User) -> LibraryPosition:
    _require_coordinator(by)
    programme = _locked(programme)
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("The programme is not in review."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Write why %(library)s did not answer.") % {"library": library}})
    existing = LibraryPosition.objects.filter(programme=programme, library=library).first()
    if existing and existing.position != LibraryPosition.Position.NO_ANSWER:
        raise ValidationError({"reason": _("%(library)s has already answered.") % {"library": library}})
    row, _created = LibraryPosition.objects.update_or_create(
        programme=programme, library=library,
        defaults={"position": LibraryPosition.Position.NO_ANSWER, "reservation": reason.strip(), "stated_by": by,
                  "version": latest_version(programme)},
    )
    return row


@transaction.atomic
def programme_finalise(*, programme: Programme, note: str = "", by: User) -> ProgrammeVersion:
    """Freeze the programme: every Louna library has answered or has its reason recorded."""
    _require_coordinator(by)
    programme = _locked(programme)
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("Only a programme in review can be finalised."))
    answered = set(programme.positions.values_list("library_id", flat=True))
    missing = [library.name for library in perms.louna_libraries() if library.pk not in answered]
    if missing:
        raise ValidationError(_("These libraries have not answered and no reason is recorded: %(names)s.")
                              % {"names": ", ".join(missing)})
    version = _snapshot(programme, kind=ProgrammeVersion.Kind.FINAL, note=note, by=by)
    programme.state, programme.finalised_at, programme.finalised_by = Programme.State.FINAL, timezone.now(), by
    programme.save(update_fields=["state", "finalised_at", "finalised_by"])
    return version


@transaction.atomic
def programme_amend(*, item: ProgrammeItem, changes: dict, reason: str, by: User) -> ProgrammeVersion:
    """The only way to change a final programme: an explicit amendment, recorded as a new
    version of kind amendment with its reason. Earlier versions stay as they were."""
    _require_coordinator(by)
    programme = _locked(item.programme)
    if not programme.is_final:
        raise ValidationError(_("Only a final programme is amended; edit the draft instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the amendment.")})
    item = ProgrammeItem.objects.select_for_update().get(pk=item.pk)
    if item.is_removed:
        raise ValidationError(_("This item was removed from the programme."))
    changed = [name for name, value in changes.items()
               if name in ITEM_TEXT_FIELDS and (value or "").strip() != getattr(item, name)]
    if not changed:
        raise ValidationError(_("The amendment changes nothing."))
    for name in changed:
        setattr(item, name, changes[name].strip())
    if not item.title:
        raise ValidationError({"title": _("Give the item a title.")})
    item.full_clean(exclude=["programme", "area", "from_task"])
    item.save(update_fields=changed)
    return _snapshot(programme, kind=ProgrammeVersion.Kind.AMENDMENT, note=reason, by=by)


def version_mark_read(*, programme: Programme, user: User, number: int) -> None:
    row, created = VersionRead.objects.get_or_create(programme=programme, user=user, defaults={"number": number})
    if not created and row.number < number:
        VersionRead.objects.filter(pk=row.pk).update(number=number, read_at=timezone.now())


# ---------------------------------------------------------------- reminders


def _directors_of(library_ids) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(role=Role.DIRECTOR, library_id__in=library_ids, user__is_active=True)
                .select_related("user", "library").order_by("library__name", "user__full_name"))


def reminders_send(*, today: date | None = None) -> int:
    """Remind the directors of libraries that have not answered, three days and one day
    before the deadline. Each (person, kind, deadline) is sent once however often this runs."""
    today = today or timezone.localdate()
    sent = 0
    for programme in Programme.objects.filter(state=Programme.State.REVIEW, review_deadline__gte=today):
        days_left = (programme.review_deadline - today).days
        if days_left > 3:
            continue
        kind = ReviewReminder.Kind.ONE_DAY if days_left <= 1 else ReviewReminder.Kind.THREE_DAYS
        answered = set(programme.positions.values_list("library_id", flat=True))
        waiting = [lib.pk for lib in perms.louna_libraries() if lib.pk not in answered]
        for assignment in _directors_of(waiting):
            with transaction.atomic():
                _row, created = ReviewReminder.objects.get_or_create(
                    programme=programme, user=assignment.user, kind=kind, deadline=programme.review_deadline)
                if not created:
                    continue
                send_mail_to_user(user=assignment.user, template="louna/programme/mail/reminder", context={
                    "programme": programme, "library": assignment.library, "days_left": days_left,
                    "url": settings.SITE_URL + reverse("louna:programme_detail", args=[programme.year]),
                })
                sent += 1
    return sent


# ---------------------------------------------------------------- delivery


def final_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.filter(kind__in=[ProgrammeVersion.Kind.FINAL, ProgrammeVersion.Kind.AMENDMENT]) \
        .order_by("-number").first()


def delivery_make(*, programme_id: int, library_id: int) -> ProgrammeDelivery:
    """Make the library's PDF of the latest final version, keep it on the portal and e-mail
    it to the library's directors. Run twice, it sends nothing new."""
    from .programme_pdf import programme_pdf

    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme_id)
        version = final_version(programme)
        if version is None:
            raise ValidationError(_("The programme is not final yet."))
        library = Library.objects.select_related("municipality").get(pk=library_id)
        delivery = ProgrammeDelivery.objects.filter(version=version, library=library).first()
        if delivery is None:
            data = programme_pdf(version=version, library=library)
            delivery = ProgrammeDelivery(programme=programme, version=version, library=library)
            delivery.pdf.save(f"toimenpideohjelma-{programme.year}-v{version.number}-{library.pk}.pdf",
                              ContentFile(data), save=False)
            delivery.save()
        if delivery.emailed_at:
            return delivery
        directors = _directors_of([library.pk])
        payload = delivery.pdf.open("rb").read()
        delivery.pdf.close()
        for assignment in directors:
            send_mail_to_user(
                user=assignment.user, template="louna/programme/mail/delivery",
                context={"programme": programme, "version": version, "library": library,
                         "url": settings.SITE_URL + reverse("louna:programme_detail", args=[programme.year])},
                attachments=[(delivery.pdf.name.rsplit("/", 1)[-1], payload, "application/pdf")],
            )
        if directors:  # a library without a director keeps its copy on the portal until one is named
            delivery.emailed_to = ", ".join(a.user.email for a in directors)
            delivery.emailed_at = timezone.now()
            delivery.save(update_fields=["emailed_to", "emailed_at"])
        return delivery


def programme_deliver(*, programme: Programme, by: User) -> int:
    """Queue each Louna library's copy; the task makes and sends it after this commits."""
    from .programme_tasks import make_programme_delivery

    _require_coordinator(by)
    if final_version(programme) is None:
        raise ValidationError(_("The programme is not final yet."))
    libraries = list(perms.louna_libraries())
    for library in libraries:
        make_programme_delivery.delay(programme.pk, library.pk)
    return len(libraries)


# ---------------------------------------------------------------- following through the year


@transaction.atomic
def progress_record(*, item: ProgrammeItem, state: str, percent: int, note: str = "", on: date | None = None,
                    by: User) -> ItemProgress:
    _require_coordinator(by)
    item = ProgrammeItem.objects.select_for_update().select_related("programme").get(pk=item.pk)
    if not item.programme.is_final:
        raise ValidationError(_("Items are followed once the programme is final."))
    if item.is_removed:
        raise ValidationError(_("This item was removed from the programme."))
    if state not in ProgrammeItem.State.values:
        raise ValidationError({"state": _("Unknown state.")})
    if percent is None or not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Give the progress as a whole number from 0 to 100.")})
    note = (note or "").strip()
    if state in (ProgrammeItem.State.MOVED, ProgrammeItem.State.DROPPED) and not note:
        raise ValidationError({"note": _("Say why the item was moved or dropped.")})
    if state == ProgrammeItem.State.DONE:
        percent = 100
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if state == item.state and percent == item.percent and not note:
        raise ValidationError({"note": _("Nothing changed; write a note to record progress.")})
    before = item.state
    entry = ItemProgress.objects.create(item=item, on=on, state=state, percent=percent, note=note,
                                        state_before=before if before != state else "", author=by)
    item.state, item.percent = state, percent
    fields = ["state", "percent"]
    if before != state:
        item.state_changed_at = timezone.now()
        fields.append("state_changed_at")
        from .programme_tasks import notify_item_followers

        notify_item_followers.delay(entry.pk)
    item.save(update_fields=fields)
    return entry


def followers_notify(*, progress_id: int) -> int:
    entry = ItemProgress.objects.select_related("item__programme").get(pk=progress_id)
    item = entry.item
    sent = 0
    for follow in ItemFollower.objects.filter(item=item).select_related("user"):
        if not follow.user.is_active or follow.user_id == entry.author_id:
            continue
        send_mail_to_user(user=follow.user, template="louna/programme/mail/state_changed", context={
            "item": item, "entry": entry, "programme": item.programme,
            "url": settings.SITE_URL + reverse("louna:programme_item", args=[item.programme.year, item.pk]),
        })
        sent += 1
    return sent


@transaction.atomic
def item_follow(*, item: ProgrammeItem, user: User, follow: bool) -> bool:
    if not perms.can_take_part(user):
        raise ValidationError(_("Only the directors of the Louna libraries and the coordinator follow items."))
    if follow:
        ItemFollower.objects.get_or_create(item=item, user=user)
    else:
        ItemFollower.objects.filter(item=item, user=user).delete()
    return follow


# ---------------------------------------------------------------- the implementation report


def _report_content(programme: Programme, library: Library) -> dict:
    """What was done, what is unfinished, what moved and why, what was dropped and why:
    the items concerning the library, each with its latest follow-up note."""
    from .programme_selectors import library_figures

    items = list(programme.items.filter(is_removed=False).select_related("area").prefetch_related("libraries",
                                                                                                   "progress"))
    groups = {"done": [], "unfinished": [], "moved": [], "dropped": []}
    for item in items:
        concerned = [lib.pk for lib in item.libraries.all()]
        if concerned and library.pk not in concerned:
            continue
        notes = [entry.note for entry in item.progress.all() if entry.note]
        line = {"title": item.title, "area": f"{item.area.number}. {item.area.title}" if item.area else "",
                "state": item.state, "percent": item.percent, "note": notes[0] if notes else ""}
        key = {"done": "done", "moved": "moved", "dropped": "dropped"}.get(item.state, "unfinished")
        groups[key].append(line)
    total = sum(len(lines) for lines in groups.values())
    return {"groups": groups, "total": total, "figures": library_figures(library=library, year=programme.year)}


def _report_summary(programme: Programme, content: dict) -> str:
    """A first sentence for the coordinator to edit, in the report's language (Finnish)."""
    groups = content["groups"]
    with translation.override(settings.LANGUAGE_CODE):
        return _("Of the %(total)d items of the action programme %(year)d, %(done)d were done, %(unfinished)d were "
                 "not finished, %(moved)d were moved to the next year and %(dropped)d were dropped.") % {
            "total": content["total"], "year": programme.year, "done": len(groups["done"]),
            "unfinished": len(groups["unfinished"]), "moved": len(groups["moved"]),
            "dropped": len(groups["dropped"])}


def reports_draft(*, programme: Programme, by: User | None = None) -> tuple[int, int]:
    """Draft (or refresh) each Louna library's report. One report per library and year
    however often this runs; a report already sent is never touched. Returns (new, refreshed)."""
    if by is not None:
        _require_coordinator(by)
    programme = Programme.objects.get(pk=programme.pk)
    if not programme.is_final:
        raise ValidationError(_("The programme %(year)d is not final; there is nothing to report yet.")
                              % {"year": programme.year})
    created_count = refreshed = 0
    for library in perms.louna_libraries():
        with transaction.atomic():
            report, created = ImplementationReport.objects.select_for_update().get_or_create(
                programme=programme, library=library)
            if report.state == ImplementationReport.State.SENT:
                continue
            report.content = _report_content(programme, library)
            if not report.summary.strip():
                report.summary = _report_summary(programme, report.content)
            report.save(update_fields=["content", "summary", "drafted_at"])
            created_count += created
            refreshed += not created
    return created_count, refreshed


def reports_due(*, today: date | None = None) -> int:
    """The beat job: from the configured day (LOUNA_PROGRAMME_REPORT_DATE, "MM-DD") of the
    next year on, draft the reports of last year's final programme."""
    today = today or timezone.localdate()
    month, day = (int(part) for part in getattr(settings, "LOUNA_PROGRAMME_REPORT_DATE", "01-15").split("-"))
    if today < date(today.year, month, day):
        return 0
    programme = Programme.objects.filter(year=today.year - 1, state=Programme.State.FINAL).first()
    if programme is None:
        return 0
    created, _refreshed = reports_draft(programme=programme)
    return created


@transaction.atomic
def report_update(*, report: ImplementationReport, summary: str, by: User) -> ImplementationReport:
    _require_coordinator(by)
    report = ImplementationReport.objects.select_for_update().get(pk=report.pk)
    if report.state == ImplementationReport.State.SENT:
        raise ValidationError(_("The report was already sent and cannot change."))
    report.summary = (summary or "").strip()
    report.save(update_fields=["summary", "drafted_at"])
    return report


def report_send(*, report: ImplementationReport, by: User) -> ImplementationReport:
    """Make the PDF, e-mail it to the library's directors and keep it on the portal."""
    from .programme_pdf import report_pdf

    _require_coordinator(by)
    with transaction.atomic():
        report = ImplementationReport.objects.select_for_update().select_related("programme", "library").get(
            pk=report.pk)
        if report.state == ImplementationReport.State.SENT:
            raise ValidationError(_("The report was already sent."))
        if not report.summary.strip():
            raise ValidationError({"summary": _("Write a short summary before sending the report.")})
        data = report_pdf(report=report)
        report.pdf.save(f"toimeenpanoraportti-{report.programme.year}-{report.library_id}.pdf", ContentFile(data),
                        save=False)
        directors = _directors_of([report.library_id])
        for assignment in directors:
            send_mail_to_user(
                user=assignment.user, template="louna/programme/mail/report",
                context={"report": report, "programme": report.programme, "library": report.library,
                         "url": settings.SITE_URL + reverse("louna:programme_report", args=[report.pk])},
                attachments=[(report.pdf.name.rsplit("/", 1)[-1], data, "application/pdf")],
            )
        report.state, report.sent_at, report.sent_by = ImplementationReport.State.SENT, timezone.now(), by
        report.emailed_to = ", ".join(a.user.email for a in directors)
        report.save()
        return report

