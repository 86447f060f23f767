"""The review round: versions, comments, change proposals, the libraries' positions,
finalising and amending, and the reminders before the deadline."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.calendar import not_a_working_day_message
from consortium.models import OutboxMessage
from consortium.outbox import enqueue_mail_to_user
from consortium.models import Library, User

from .. import permissions as perms
from ..models import (
    ITEM_TEXT_FIELDS,
    ChangeProposal,
    ItemComment,
    ItemVersion,
    LibraryPosition,
    Programme,
    ProgrammeItem,
    ProgrammeVersion,
    VersionRead,
)


from ._common import _directors_of, _locked, latest_version

__all__ = (
    "review_open",
    "review_set_deadline",
    "version_publish",
    "version_notify",
    "comment_add",
    "comment_reply_notify",
    "proposal_add",
    "proposal_decide",
    "position_state",
    "position_record_no_answer",
    "programme_finalise",
    "programme_amend",
    "version_mark_read",
    "reminders_send",
)



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
    programme = _locked(programme)
    if programme.state != Programme.State.REVIEW:
        raise ValidationError(_("The programme is not in review."))
    _check_review_deadline(deadline, today or timezone.localdate())
    programme.review_deadline = deadline
    programme.save(update_fields=["review_deadline"])
    return programme


@transaction.atomic
@transaction.atomic
def version_publish(*, programme: Programme, note: str, by: User, notify: bool = True) -> ProgrammeVersion:
    """Publish the working copy as the next version of the review."""
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
    version_notify(version_id=version.pk)


def version_notify(*, version_id: int) -> int:
    """Tell every Louna director that a version was published (the first opens the review).
    Queued in the outbox under one key per (version, person): a director of two libraries
    gets one message, and running this again queues nothing new. Returns how many were new."""
    version = ProgrammeVersion.objects.select_related("programme").get(pk=version_id)
    programme = version.programme
    url = settings.SITE_URL + reverse("louna:programme_detail", args=[programme.year])
    if version.number > 1:
        url += f"?since={version.number - 1}#changes"
    library_ids = [library.pk for library in perms.louna_libraries()]
    users = {assignment.user_id: assignment.user for assignment in _directors_of(library_ids)}
    keys = {user_id: f"louna.programme.version:{version.pk}:{user_id}" for user_id in users}
    queued = set(OutboxMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    for user_id, user in users.items():
        if keys[user_id] in queued:
            continue
        enqueue_mail_to_user(user=user, key=keys[user_id], kind="louna.programme.version",
                             template="louna/programme/mail/version", about=version,
                             context={"programme": programme, "version": version, "url": url})
    return len(set(keys.values()) - queued)


def _review_open_for(programme: Programme, by: User, today: date | None) -> None:
    """Comments and proposals: only in review; the deadline binds the directors, the
    coordinator may still answer after it. (Who takes part at all is the view's check.)"""
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
        comment_reply_notify(comment_id=comment.pk)
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
    enqueue_mail_to_user(user=to, key=f"louna.programme.reply:{comment.pk}", kind="louna.programme.reply",
                         template="louna/programme/mail/reply", about=comment,
                         context={"comment": comment, "item": comment.item, "programme": programme, "url": url})
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


def reminders_send(*, today: date | None = None) -> int:
    """Remind the directors of libraries that have not answered, three days and one day
    before the deadline. Each (person, kind, deadline) is queued once however often this
    runs: the outbox key carries them. Returns how many were newly queued."""
    today = today or timezone.localdate()
    sent = 0
    for programme in Programme.objects.filter(state=Programme.State.REVIEW, review_deadline__gte=today):
        days_left = (programme.review_deadline - today).days
        if days_left > 3:
            continue
        kind = "1d" if days_left <= 1 else "3d"
        answered = set(programme.positions.values_list("library_id", flat=True))
        waiting = [lib.pk for lib in perms.louna_libraries() if lib.pk not in answered]
        for assignment in _directors_of(waiting):
            key = f"louna.programme.reminder:{programme.pk}:{programme.review_deadline}:{kind}:{assignment.user_id}"
            if OutboxMessage.objects.filter(key=key).exists():
                continue  # the job ran twice, or the director answers for two libraries
            enqueue_mail_to_user(user=assignment.user, key=key, kind="louna.programme.reminder",
                                 template="louna/programme/mail/reminder", about=programme, context={
                                     "programme": programme, "library": assignment.library, "days_left": days_left,
                                     "url": settings.SITE_URL + reverse("louna:programme_detail",
                                                                        args=[programme.year])})
            sent += 1
    return sent

