"""Writes of the procurement app. Each service validates its input, runs in one
transaction and is the only way views, forms and tasks change these objects."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consortium.calendar import not_a_working_day_message, previous_working_day
from consortium.jobs import job_run_queue
from consortium.models import LIBRARY_ROLES, Library, User
from consortium.numbers import AmountTooLarge, NegativeAmount, parse_euros
from consortium.outbox import enqueue_mail_to_user, queued_keys
from consortium.selectors import role_holders
from consortium.uploads import DOCUMENTS, read_checked_upload

from .models import (
    ALLOWED_MOVES,
    Answer,
    Appeal,
    Award,
    ContractNote,
    FrameworkAgreement,
    OptIn,
    OptInEvent,
    Procurement,
    ProcurementDocument,
    ProcurementTransition,
    PurchasingBody,
    State,
    Supplier,
)

__all__ = (
    "procurement_save",
    "procurement_move",
    "document_upload",
    "opt_in_answer",
    "opt_in_withdraw",
    "award_record",
    "agreement_save",
    "agreement_sign",
    "appeal_record",
    "appeal_decide",
    "contract_note_add",
    "reminder_days",
    "opt_in_reminders_send",
    "award_notify",
    "agreement_expiry_notices_send",
    "MAX_DOCUMENT_BYTES",
)

# ---------------------------------------------------------------- procurements

PROCUREMENT_FIELDS = ("title_fi", "title_sv", "category", "description_fi", "description_sv", "purchasing_body",
                      "body_reference", "body_contact_name", "body_contact_email", "estimated_value",
                      "opt_in_deadline", "framework_parent")
# `title` and `description` name the Finnish text (the one every procurement has): set
# through modeltranslation's own attribute they would land in the writer's UI language.
FINNISH_ALIASES = {"title": "title_fi", "description": "description_fi"}


@transaction.atomic
def procurement_save(*, procurement: Procurement, by: User, **fields) -> Procurement:
    """Create or update a procurement's details. The state moves only by procurement_move."""
    creating = procurement.pk is None
    stored_deadline = None if creating else (
        Procurement.objects.filter(pk=procurement.pk).values_list("opt_in_deadline", flat=True).first())
    for name, value in fields.items():
        name = FINNISH_ALIASES.get(name, name)
        if name not in PROCUREMENT_FIELDS:
            raise TypeError(f"unknown field {name}")
        setattr(procurement, name, value)
    if not (procurement.title_fi or "").strip():
        raise ValidationError({"title_fi": _("Give the title in Finnish.")})
    if procurement.framework_parent_id and procurement.framework_parent_id == procurement.pk:
        raise ValidationError({"framework_parent": _("A procurement cannot be a call-off under itself.")})
    if procurement.state == State.OPEN and procurement.opt_in_deadline is None:
        raise ValidationError({"opt_in_deadline": _("A procurement open for opt-in needs a deadline.")})
    def to_the_minute(moment):  # the form shows and sends the deadline to the minute
        return moment.replace(second=0, microsecond=0) if moment else moment

    if (procurement.state == State.OPEN and to_the_minute(procurement.opt_in_deadline) != to_the_minute(stored_deadline)
            and procurement.opt_in_deadline <= timezone.now()):
        # A mistyped year would freeze every answer at once; closing early is the lifecycle
        # move to "opt-in closed", which records who and why.
        raise ValidationError({"opt_in_deadline": _(
            "The opt-in is open: its deadline can only be moved to the future. To close it now, "
            "move the procurement to “opt-in closed”.")})
    deadline_day = timezone.localtime(procurement.opt_in_deadline).date() if procurement.opt_in_deadline else None
    if (deadline_day and to_the_minute(procurement.opt_in_deadline) != to_the_minute(stored_deadline)
            and procurement.opt_in_deadline > timezone.now()):
        # Libraries answer on working days; a past deadline typed in for the record stays as it was.
        problem = not_a_working_day_message(deadline_day)
        if problem:
            raise ValidationError({"opt_in_deadline": problem})
    if creating:
        procurement.created_by = by
    procurement.full_clean()
    procurement.save()
    if creating:
        ProcurementTransition.objects.create(procurement=procurement, from_state="", to_state=procurement.state,
                                             by=by, reason=_("Created"))
    return procurement


@transaction.atomic
def procurement_move(*, procurement: Procurement, to_state: str, by: User, reason: str) -> Procurement:
    """Move a procurement along its lifecycle, recording who, when and why."""
    locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
    reason = (reason or "").strip()
    if to_state not in State.values:
        raise ValidationError({"to_state": _("Unknown state.")})
    if to_state not in ALLOWED_MOVES.get(locked.state, ()):
        raise ValidationError({"to_state": _("A procurement cannot move from “%(from)s” to “%(to)s”.") % {
            "from": State(locked.state).label, "to": State(to_state).label}})
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the move.")})
    if to_state == State.OPEN:
        if locked.opt_in_deadline is None or locked.opt_in_deadline <= timezone.now():
            raise ValidationError({"to_state": _("Set an opt-in deadline in the future before opening the opt-in.")})
    if to_state == State.AWARDED and not locked.awards.exists():
        raise ValidationError({"to_state": _("Record the award (supplier and decision date) first.")})
    if to_state == State.IN_FORCE:
        if locked.appeals.filter(status=Appeal.Status.PENDING).exists():
            raise ValidationError({"to_state": _("An appeal is pending: the agreement cannot be signed yet.")})
        if not locked.agreements.filter(signed_on__isnull=False).exists():
            raise ValidationError({"to_state": _("Record a signed framework agreement first.")})
    ProcurementTransition.objects.create(procurement=locked, from_state=locked.state, to_state=to_state, by=by,
                                         reason=reason)
    locked.state = to_state
    locked.save(update_fields=["state", "updated_at"])
    if to_state == State.AWARDED:
        from .tasks import notify_award

        # A JobRun, written in this transaction: the libraries hear of the award even if the
        # broker is down now (the hand-over sweep sends it later; consortium.jobs).
        job_run_queue(task=notify_award, label=_("Award notices: %(title)s") % {"title": locked.title[:150]},
                      created_by=by, kwargs={"procurement_id": locked.pk})
    procurement.state = locked.state
    return locked


# ---------------------------------------------------------------- documents

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

@transaction.atomic
def document_upload(*, procurement: Procurement, uploaded_file, kind: str, title: str, by: User,
                    agreement: FrameworkAgreement | None = None) -> ProcurementDocument:
    if kind not in ProcurementDocument.Kind.values:
        raise ValidationError({"kind": _("Choose the type of the document.")})
    if agreement is not None and agreement.procurement_id != procurement.pk:
        raise ValidationError({"agreement": _("The agreement belongs to another procurement.")})
    checked = read_checked_upload(uploaded_file, accept=DOCUMENTS, max_bytes=MAX_DOCUMENT_BYTES,
                                  accepted_text=_("PDF, Word, Excel, PowerPoint and OpenDocument files"))
    content, extension, content_type = checked.data, checked.extension, checked.mimetype
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    document = ProcurementDocument(
        procurement=procurement, agreement=agreement, kind=kind, title=title[:200], extension=extension,
        content_type=content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
    )
    document.file.save("upload", ContentFile(content), save=False)
    try:  # a refused row must not leave its file behind
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


# ---------------------------------------------------------------- opt-in


def _parse_euros(value, field: str) -> Decimal | None:
    """The shared reading of a euro amount (consortium.numbers), with the reason named."""
    if value in (None, ""):
        return None
    try:
        return parse_euros(value)
    except NegativeAmount:
        raise ValidationError({field: _("The estimate cannot be negative.")}) from None
    except AmountTooLarge:
        raise ValidationError({field: _("The estimate is too large.")}) from None
    except ValueError:
        raise ValidationError({field: _("Give the estimate as a number of euros, e.g. 12 500,00.")}) from None


def _lock_for_answer(*, procurement: Procurement, library: Library, by: User, expected_version: int):
    """Lock the procurement row (so every answer to it queues behind the one being saved),
    check the deadline, then the version the caller saw. Who may answer for the library is
    the view's to check (procurement.permissions.answering_libraries), before calling."""
    locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
    if not locked.is_open_for_answers():
        if locked.opt_in_deadline and locked.opt_in_deadline <= timezone.now():
            raise ValidationError(_("The opt-in deadline passed on %(deadline)s; the answer is frozen.") % {
                "deadline": date_format(timezone.localtime(locked.opt_in_deadline), "SHORT_DATETIME_FORMAT")})
        raise ValidationError(_("This procurement is not open for opt-in."))
    current = OptIn.objects.select_for_update().filter(procurement=locked, library=library).first()
    current_version = current.version if current else 0
    if int(expected_version) != current_version:
        who = current.answered_by.full_name if current else "?"
        raise ValidationError(
            _("%(who)s changed %(library)s's answer at %(time)s while you were editing it. Nothing was saved: "
              "check the answer now shown and send yours again if it is still needed.") % {
                "who": who, "library": library,
                "time": date_format(timezone.localtime(current.answered_at), "SHORT_DATETIME_FORMAT") if current else ""})
    return locked, current


@transaction.atomic
def opt_in_answer(*, procurement: Procurement, library: Library, by: User, answer: str, expected_version: int,
                  yearly_estimate=None, contact_name: str = "", contact_email: str = "", contact_phone: str = "",
                  decision_maker: str = "", decision_date: date | None = None, decision_number: str = "",
                  decline_reason: str = "") -> OptIn:
    """Save a library's answer: a binding commitment, interest, or not taking part."""
    if answer not in (Answer.COMMITTED, Answer.INTERESTED, Answer.DECLINED):
        raise ValidationError({"answer": _("Choose one of the answers.")})
    errors = {}
    if answer == Answer.DECLINED:
        yearly_estimate = None  # dropped below anyway: what was left in the field does not matter
    try:
        estimate = _parse_euros(yearly_estimate, "yearly_estimate")
    except ValidationError as error:
        errors.update(error.message_dict)
        estimate = Decimal("0")  # refused below; keeps checking the other fields
    contact_name, decision_maker, decision_number = (contact_name or "").strip(), (decision_maker or "").strip(), \
        (decision_number or "").strip()
    texts = {"contact_name": contact_name, "contact_email": contact_email, "contact_phone": contact_phone,
             "decision_maker": decision_maker, "decision_number": decision_number, "decline_reason": decline_reason}
    for name, text in texts.items():
        if text and "\x00" in str(text):  # PostgreSQL refuses a NUL in text: a clear message, not a 500
            errors[name] = ProhibitNullCharactersValidator.message
    if answer == Answer.COMMITTED:
        if estimate is None:
            errors["yearly_estimate"] = _("A binding commitment needs the estimated yearly purchases in euros.")
        if not contact_name:
            errors["contact_name"] = _("Name the library's contact person for this procurement.")
        if not decision_maker:
            errors["decision_maker"] = _("Say who made the decision that authorises the commitment.")
        if decision_date is None:
            errors["decision_date"] = _("Give the date of the decision.")
        if not decision_number:
            errors["decision_number"] = _("Give the number of the decision (e.g. § 42).")
        if decision_date is not None and decision_date > timezone.localdate():
            errors["decision_date"] = _("The decision cannot be dated in the future.")
    if errors:
        raise ValidationError({field: messages for field, messages in errors.items()})
    # Only what belongs to the answer is kept: the form may send every field (a part hidden
    # in the browser, or an earlier answer's values left in it).
    if answer != Answer.COMMITTED:
        decision_maker, decision_date, decision_number = "", None, ""
    if answer == Answer.DECLINED:
        estimate, contact_name, contact_email, contact_phone = None, "", "", ""
    else:
        decline_reason = ""

    locked, current = _lock_for_answer(procurement=procurement, library=library, by=by,
                                       expected_version=expected_version)
    old_values = current.audit_values() if current else {}
    opt_in = current or OptIn(procurement=locked, library=library, version=0)
    unchanged = OptIn(answer=answer, yearly_estimate=estimate, contact_name=contact_name,
                      contact_email=(contact_email or "").strip(), contact_phone=(contact_phone or "").strip(),
                      decision_maker=decision_maker, decision_date=decision_date, decision_number=decision_number,
                      decline_reason=(decline_reason or "").strip()).audit_values() == old_values
    if current is not None and unchanged:
        return current  # a repeated save changes nothing: no new version, no audit entry
    opt_in.answer = answer
    opt_in.yearly_estimate = estimate
    opt_in.contact_name = contact_name
    opt_in.contact_email = (contact_email or "").strip()
    opt_in.contact_phone = (contact_phone or "").strip()
    opt_in.decision_maker = decision_maker
    opt_in.decision_date = decision_date
    opt_in.decision_number = decision_number
    opt_in.decline_reason = (decline_reason or "").strip()
    opt_in.answered_by = by
    opt_in.answered_at = timezone.now()
    opt_in.version += 1
    opt_in.full_clean(validate_unique=False)
    opt_in.save()
    new_values = opt_in.audit_values()
    action = OptInEvent.Action.CREATED if current is None or old_values.get("answer") == Answer.WITHDRAWN \
        else OptInEvent.Action.CHANGED
    OptInEvent.objects.create(procurement=locked, library=library, action=action, by=by, at=opt_in.answered_at,
                              old_values=old_values, new_values=new_values)
    return opt_in


@transaction.atomic
def opt_in_withdraw(*, procurement: Procurement, library: Library, by: User, expected_version: int) -> OptIn:
    """Withdraw the library's answer before the deadline: it counts as no answer again."""
    locked, current = _lock_for_answer(procurement=procurement, library=library, by=by,
                                       expected_version=expected_version)
    if current is None or current.answer == Answer.WITHDRAWN:
        raise ValidationError(_("%(library)s has no answer to withdraw.") % {"library": library})
    old_values = current.audit_values()
    current.answer = Answer.WITHDRAWN
    current.answered_by = by
    current.answered_at = timezone.now()
    current.version += 1
    current.save()
    OptInEvent.objects.create(procurement=locked, library=library, action=OptInEvent.Action.WITHDRAWN, by=by,
                              at=current.answered_at, old_values=old_values, new_values=current.audit_values())
    return current


# ---------------------------------------------------------------- award, agreements, appeals


def _supplier(name: str, business_id: str = "") -> Supplier:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"supplier_name": _("Name the supplier.")})
    supplier = Supplier.objects.filter(name__iexact=name).first()
    if supplier is None:
        supplier = Supplier.objects.create(name=name, business_id=(business_id or "").strip())
    return supplier


@transaction.atomic
def award_record(*, procurement: Procurement, supplier_name: str, business_id: str = "", decision_date: date,
                 decision_reference: str = "", value=None, by: User) -> Award:
    if procurement.state not in (State.TENDERING, State.AWARDED, State.FOLLOWED):
        raise ValidationError(_("An award is recorded while the procurement is being tendered."))
    if decision_date is None:
        raise ValidationError({"decision_date": _("Give the date of the procurement decision.")})
    if decision_date > timezone.localdate():
        raise ValidationError({"decision_date": _("The procurement decision cannot be dated in the future.")})
    try:
        value = _parse_euros(value, "value")
    except ValidationError:
        raise ValidationError({"value": _("Give the value as euros, zero or more, e.g. 12 500,00.")}) from None
    supplier = _supplier(supplier_name, business_id)
    if Award.objects.filter(procurement=procurement, supplier=supplier).exists():
        raise ValidationError({"supplier_name": _("%(supplier)s already has an award in this procurement.") % {
            "supplier": supplier}})
    award = Award(procurement=procurement, supplier=supplier, decision_date=decision_date,
                  decision_reference=(decision_reference or "").strip(), value=value)
    award.full_clean()
    award.save()
    return award


def participating_library_ids(procurement: Procurement) -> set[int]:
    """Libraries that committed or are interested: only they may join the agreement."""
    return set(OptIn.objects.filter(procurement=procurement, answer__in=[Answer.COMMITTED, Answer.INTERESTED])
               .values_list("library_id", flat=True))


@transaction.atomic
def agreement_save(*, agreement: FrameworkAgreement, libraries) -> FrameworkAgreement:
    if agreement.ends_on and agreement.starts_on and agreement.ends_on < agreement.starts_on:
        raise ValidationError({"ends_on": _("The agreement cannot end before it starts.")})
    if agreement.options_used > agreement.extension_options:
        raise ValidationError({"options_used": _("More options used than the agreement has.")})
    if agreement.joining_until and agreement.joining_until > agreement.ends_on:
        raise ValidationError({"joining_until": _("Joining cannot be open after the agreement ends.")})
    allowed = participating_library_ids(agreement.procurement)
    outsiders = [library for library in libraries if library.pk not in allowed]
    if outsiders:
        raise ValidationError({"libraries": _("Only libraries that committed or were interested can be covered; "
                                              "not: %(names)s.") % {"names": ", ".join(map(str, outsiders))}})
    agreement.full_clean()
    agreement.save()
    agreement.libraries.set(libraries)
    return agreement


@transaction.atomic
def agreement_join(*, agreement: FrameworkAgreement, library: Library, by: User) -> FrameworkAgreement:
    """A committed or interested library joins an agreement later, while joining is open.
    The view has checked that `by` answers for the library."""
    agreement = FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)
    days_left = agreement.joining_days_left()
    if days_left is None or days_left < 0:
        raise ValidationError(_("This agreement no longer allows joining."))
    if library.pk not in participating_library_ids(agreement.procurement):
        raise ValidationError(_("Only libraries that committed or were interested in the procurement can join."))
    if agreement.libraries.filter(pk=library.pk).exists():
        raise ValidationError(_("%(library)s is already covered by this agreement.") % {"library": library})
    agreement.libraries.add(library)
    ContractNote.objects.create(agreement=agreement, kind=ContractNote.Kind.OTHER, library=library, by=by,
                                text=_("%(library)s joined the agreement.") % {"library": library})
    return agreement


@transaction.atomic
def agreement_sign(*, agreement: FrameworkAgreement, signed_on: date, by: User) -> FrameworkAgreement:
    agreement = FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.procurement.appeals.filter(status=Appeal.Status.PENDING).exists():
        raise ValidationError(_("An appeal is pending: the agreement cannot be signed until it is decided."))
    if signed_on is None:
        raise ValidationError({"signed_on": _("Give the date of signing.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The signing cannot be dated in the future.")})
    agreement.signed_on = signed_on
    agreement.save(update_fields=["signed_on"])
    return agreement


@transaction.atomic
def appeal_record(*, appeal: Appeal, by: User) -> Appeal:
    appeal.status = Appeal.Status.PENDING
    appeal.recorded_by = by
    if appeal.filed_on and appeal.filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("An appeal cannot be filed in the future.")})
    appeal.full_clean()
    appeal.save()
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, status: str, outcome: str, decided_on: date, by: User) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise ValidationError(_("This appeal is already decided."))
    if status not in (Appeal.Status.DISMISSED, Appeal.Status.UPHELD, Appeal.Status.WITHDRAWN):
        raise ValidationError({"status": _("A pending appeal can only be dismissed, upheld or withdrawn.")})
    if decided_on is None:
        raise ValidationError({"decided_on": _("Give the date of the decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The decision cannot be dated in the future.")})
    if decided_on < appeal.filed_on:
        raise ValidationError({"decided_on": _("The decision cannot be dated before the appeal was filed.")})
    appeal.status = status
    appeal.outcome = (outcome or "").strip()
    appeal.decided_on = decided_on
    appeal.full_clean()
    appeal.save()
    return appeal


@transaction.atomic
def contract_note_add(*, agreement: FrameworkAgreement, kind: str, text: str, by: User, library=None,
                      effective_on=None) -> ContractNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    note = ContractNote(agreement=agreement, kind=kind, text=text, by=by, library=library, effective_on=effective_on)
    note.full_clean()
    note.save()
    if kind == ContractNote.Kind.OPTION:
        locked = FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.options_used >= locked.extension_options:
            raise ValidationError({"kind": _("The agreement has no options to extend left.")})
        from .models import add_months

        locked.options_used += 1
        locked.ends_on = add_months(locked.ends_on, locked.extension_months)
        locked.save(update_fields=["options_used", "ends_on"])
    return note


# ---------------------------------------------------------------- e-mail to libraries


def library_recipients(library_id: int) -> list[User]:
    """Whom a library's procurement mail goes to: its directors and contacts."""
    return list(role_holders(roles=LIBRARY_ROLES, libraries=[library_id]))


MAIL_KINDS = {
    "reminder_week": "procurement.reminder_week",  # a week before the opt-in deadline
    "reminder_day": "procurement.reminder_day",  # a day before it
    "award": "procurement.award",
    "expiry": "procurement.expiry",  # the framework agreement ends within six months
}


def mail_key(kind: str, *, procurement_id: int, library_id: int, user_id: int, agreement_id: int | None = None,
             about: date | None = None) -> str:
    """The outbox key of one library's message to one of its people: each kind goes once per
    person and library, however often the task runs. `about` is the day the message is
    about (the deadline's day, the agreement's end): when staff move the deadline or an
    option extends the agreement, the libraries are told again about the new day, still once."""
    day = f":{about.isoformat()}" if about else ""
    return f"{MAIL_KINDS[kind]}:{procurement_id}:{library_id}:{agreement_id or 0}{day}:{user_id}"


@transaction.atomic
def _notify_library(*, kind: str, procurement: Procurement, library: Library, template: str, context: dict,
                    agreement: FrameworkAgreement | None = None, about: date | None = None) -> bool:
    """Queue one kind of message to the people of one library (those not yet sent it).
    Returns whether anyone was new to it. Sending, retrying a busy server and failing a
    refused address alone is the outbox's work: a refusal stops nobody else."""
    recipients = library_recipients(library.pk)
    keys = {user.pk: mail_key(kind, procurement_id=procurement.pk, library_id=library.pk, user_id=user.pk,
                              agreement_id=agreement.pk if agreement else None, about=about)
            for user in recipients}
    already = queued_keys(keys.values())
    context = {**context, "procurement": procurement, "library": library, "agreement": agreement,
               "site_url": settings.SITE_URL.rstrip("/")}
    new = [user for user in recipients if keys[user.pk] not in already]
    for user in new:
        enqueue_mail_to_user(user=user, key=keys[user.pk], kind=MAIL_KINDS[kind], template=template,
                             context=context, about=agreement or procurement)
    return bool(new)


def reminder_days(deadline_day: date) -> tuple[date, date]:
    """The days the week and the day reminders go out for a deadline on `deadline_day`: a
    week and a day before it, or the working day before when that day is a weekend or a
    public holiday (early rather than late, and read on a day someone is at work)."""
    return (previous_working_day(deadline_day - timedelta(days=7)),
            previous_working_day(deadline_day - timedelta(days=1)))


# Christmas or Easter can move the week reminder back by several days, so look further
# ahead than "a week and a day".
REMINDER_LOOKAHEAD = timedelta(days=14)


def opt_in_reminders_send(*, now=None) -> int:
    """Remind libraries that have not answered: once from the week reminder's day on, once
    more from the day reminder's day on (see reminder_days). Returns the number of libraries
    reminded."""
    from .selectors import libraries_without_answer

    now = now or timezone.now()
    today = timezone.localdate(now)
    told = 0
    open_procurements = Procurement.objects.filter(state=State.OPEN, opt_in_deadline__gt=now,
                                                   opt_in_deadline__lte=now + REMINDER_LOOKAHEAD)
    for procurement in open_procurements.select_related("purchasing_body"):
        deadline_day = timezone.localtime(procurement.opt_in_deadline).date()
        week_day, day_day = reminder_days(deadline_day)
        if today >= day_day:
            kind = "reminder_day"
        elif today >= week_day:
            kind = "reminder_week"
        else:
            continue
        for library in libraries_without_answer(procurement):
            told += _notify_library(kind=kind, procurement=procurement, library=library,
                                    template="procurement/mail/reminder", about=deadline_day,
                                    context={"days_left": procurement.days_left(today),
                                             "deadline": timezone.localtime(procurement.opt_in_deadline)})
    return told


def award_notify(*, procurement_id: int) -> int:
    """Tell the participating libraries (committed or interested) of the award."""
    procurement = Procurement.objects.select_related("purchasing_body").get(pk=procurement_id)
    awards = list(procurement.awards.select_related("supplier"))
    told = 0
    for library in Library.objects.filter(pk__in=participating_library_ids(procurement)).order_by("pk"):
        told += _notify_library(kind="award", procurement=procurement, library=library,
                                template="procurement/mail/award", context={"awards": awards})
    return told


EXPIRY_NOTICE_MONTHS = 6


def agreement_expiry_notices_send(*, today: date | None = None) -> int:
    """Tell the libraries an agreement covers that it ends within six months (once each)."""
    from .models import add_months

    today = today or timezone.localdate()
    horizon = add_months(today, EXPIRY_NOTICE_MONTHS)
    told = 0
    agreements = (FrameworkAgreement.objects.filter(ends_on__gte=today, ends_on__lte=horizon)
                  .select_related("procurement", "supplier").prefetch_related("libraries"))
    for agreement in agreements:
        for library in agreement.libraries.all():
            told += _notify_library(kind="expiry", procurement=agreement.procurement, library=library,
                                    agreement=agreement, about=agreement.ends_on, template="procurement/mail/expiry",
                                    context={"days_left": (agreement.ends_on - today).days})
    return told


def purchasing_body_for(day: date) -> PurchasingBody | None:
    """The body that acted on `day` (KL-Kuntahankinnat until 2019, then Hansel, as data)."""
    for body in PurchasingBody.objects.all():
        if body.was_active_on(day):
            return body
    return None
