"""Writes of the trainings app. Every function validates, runs in one transaction and
queues its mail through the core's outbox in that same transaction (sent after commit).

Capacity: every change to who holds a place locks the training's row first
(SELECT … FOR UPDATE), so two people pressing the button at once are counted one after the
other and the places are never exceeded. Services do not check who the actor is: the
views ask permissions.py first."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consortium.models import LIBRARY_ROLES, RoleAssignment, User
from consortium.outbox import enqueue_mail, enqueue_mail_to_user

from .ics import training_ics
from .models import HELSINKI, Feedback, FeedToken, Registration, Training, TrainingWish, WishVote

__all__ = ("OFFER_HOURS", "training_save", "training_publish", "training_cancel", "registration_create",
           "registration_cancel", "offer_accept", "offers_lapse", "reminders_send", "trainings_mark_held",
           "attendance_mark", "feedback_give", "staff_message_send", "wish_create", "wish_support",
           "training_create_from_wish", "feed_token_renew", "offer_expiry")

OFFER_HOURS = 48  # how long a freed place waits for the person it is offered to
OFFER_LAST_HOURS = 2  # an offer ends at the latest this long before the training starts
REMINDER_BEFORE = timedelta(days=1)
LINK_BEFORE = timedelta(hours=1)
FEEDBACK_WITHIN = timedelta(days=14)  # feedback is asked for trainings held this recently

State = Registration.State


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _when(training: Training) -> str:
    start, end = timezone.localtime(training.starts_at, HELSINKI), timezone.localtime(training.ends_at, HELSINKI)
    if start.date() == end.date():
        return f"{date_format(start, 'SHORT_DATETIME_FORMAT')}–{date_format(end, 'TIME_FORMAT')}"
    return f"{date_format(start, 'SHORT_DATETIME_FORMAT')} – {date_format(end, 'SHORT_DATETIME_FORMAT')}"


def _mail(registration: Registration, kind: str, *, key: str | None = None, context=None, attachments=()):
    """One message to a registered (or waiting) person, once per registration and kind."""
    training = registration.training
    data = {"registration": registration, "training": training, "when": _when(training),
            "page_url": _absolute(reverse("trainings:registration", args=[registration.token])),
            "training_url": _absolute(reverse("trainings:detail", args=[training.pk])),
            "expires": date_format(timezone.localtime(registration.offer_expires_at, HELSINKI),
                                   "SHORT_DATETIME_FORMAT") if registration.offer_expires_at else "",
            **(context or {})}
    key = key or f"trainings.{kind}:{registration.pk}"
    common = {"key": key, "kind": f"trainings.{kind}", "template": f"trainings/mail/{kind}", "context": data,
              "about": registration, "attachments": attachments}
    if registration.user_id and registration.user.email.lower() == registration.email.lower():
        return enqueue_mail_to_user(user=registration.user, **common)
    return enqueue_mail(to=registration.email, language=registration.language, **common)


def _confirm(registration: Registration) -> None:
    ics = training_ics([registration.training], with_link=True)
    _mail(registration, "confirmation", attachments=[("koulutus.ics", ics, "text/calendar")])


# ---------------------------------------------------------------- trainings


def _check_training(training: Training, *, held_places: int) -> None:
    errors = {}
    if training.starts_at and training.ends_at and training.ends_at <= training.starts_at:
        errors["ends_at"] = _("The training must end after it starts.")
    if training.kind == Training.Kind.WEBINAR and not training.online_link:
        errors["online_link"] = _("A webinar needs its online link.")
    if training.capacity is not None and training.capacity < held_places:
        errors["capacity"] = _("%(count)s people already hold a place: the places cannot be fewer.") % {
            "count": held_places}
    if training.registration_deadline and training.starts_at and training.registration_deadline > training.starts_at:
        errors["registration_deadline"] = _("Registration must close before the training starts.")
    if (training.registration_opens_at and training.registration_deadline
            and training.registration_opens_at >= training.registration_deadline):
        errors["registration_opens_at"] = _("Registration must open before its deadline.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def training_save(*, training: Training, libraries=None, by, now: datetime | None = None) -> Training:
    """Create or change a training. Fewer places than people already holding one is refused;
    more places offer the new ones to the waiting list."""
    now = now or timezone.now()
    held = 0
    if training.pk:
        Training.objects.select_for_update().filter(pk=training.pk).first()
        held = training.registrations.filter(state__in=Registration.HOLDS_PLACE).count()
    else:
        training.created_by = by
    _check_training(training, held_places=held)
    training.full_clean()
    training.save()
    if libraries is not None:
        training.libraries.set(libraries)
    if training.pk and training.state in (Training.State.PUBLISHED,):
        _offer_free_places(training, now=now)
    return training


@transaction.atomic
def training_publish(*, training: Training, by) -> Training:
    if training.state != Training.State.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    training.state = Training.State.PUBLISHED
    training.save(update_fields=["state", "updated_at"])
    return training


@transaction.atomic
def training_cancel(*, training: Training, by) -> Training:
    """Cancel: every registered, offered and waiting person is told, once."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if training.state == Training.State.CANCELLED:
        raise ValidationError(_("The training is already cancelled."))
    if training.state == Training.State.HELD:
        raise ValidationError(_("A training already held cannot be cancelled."))
    training.state = Training.State.CANCELLED
    training.save(update_fields=["state", "updated_at"])
    for registration in training.registrations.filter(state__in=Registration.ACTIVE).select_related("user"):
        registration.training = training
        _mail(registration, "cancelled")
    return training


# ---------------------------------------------------------------- registration and the waiting list


def _library_of_person_ok(email: str, library) -> bool:
    """A person known to the portal through a library role must be registered under one of
    their own libraries; an address the portal does not know is the library's to vouch for."""
    libraries = set(RoleAssignment.objects.filter(user__email__iexact=email, role__in=LIBRARY_ROLES)
                    .values_list("library_id", flat=True))
    return not libraries or library.pk in libraries


@transaction.atomic
def registration_create(*, training: Training, library, full_name: str, email: str, by, user: User | None = None,
                        language: str = "fi", now: datetime | None = None) -> Registration:
    """Register a person: a place while there are places and nobody is waiting ahead,
    the waiting list otherwise. The person is told either way."""
    now = now or timezone.now()
    training = Training.objects.select_for_update().get(pk=training.pk)
    email = (email or "").strip()
    name = (full_name or "").strip()
    if training.state == Training.State.CANCELLED:
        raise ValidationError(_("“%(title)s” is cancelled: registration is not possible.") % {"title": training.title})
    if training.state != Training.State.PUBLISHED:
        raise ValidationError(_("Registration for “%(title)s” is not open.") % {"title": training.title})
    if now < training.registration_opens_at:
        raise ValidationError(_("Registration opens %(date)s.") % {
            "date": date_format(timezone.localtime(training.registration_opens_at, HELSINKI), "SHORT_DATETIME_FORMAT")})
    if now > training.registration_deadline:
        raise ValidationError(_("The registration deadline (%(date)s) has passed.") % {
            "date": date_format(timezone.localtime(training.registration_deadline, HELSINKI), "SHORT_DATETIME_FORMAT")})
    if not training.for_all_members and not training.libraries.filter(pk=library.pk).exists():
        raise ValidationError(_("“%(title)s” is for invited libraries only; %(library)s is not one of them.")
                              % {"title": training.title, "library": library.name})
    if training.registrations.filter(email__iexact=email, state__in=Registration.ACTIVE).exists():
        raise ValidationError({"email": _("%(email)s is already registered for this training.") % {"email": email}})
    if not _library_of_person_ok(email, library):
        raise ValidationError({"email": _("%(email)s works in another library: only their own library can "
                                          "register them.") % {"email": email}})
    if user is None:
        user = User.objects.filter(email__iexact=email).first()
    registration = Registration(training=training, library=library, user=user, full_name=name, email=email,
                                language=user.language if user and user.language else language, registered_by=by)
    holders = training.registrations.filter(state__in=Registration.HOLDS_PLACE).count()
    queue = training.registrations.filter(state=State.WAITING).exists()
    registration.state = State.REGISTERED if holders < training.capacity and not queue else State.WAITING
    registration.full_clean()
    registration.save()
    if registration.state == State.REGISTERED:
        _confirm(registration)
    else:
        _mail(registration, "waiting")
    return registration


def offer_expiry(training: Training, now: datetime) -> datetime | None:
    """48 hours, shorter near the start (never past OFFER_LAST_HOURS before it); None when
    it is too late to offer a place at all."""
    latest = training.starts_at - timedelta(hours=OFFER_LAST_HOURS)
    expires = min(now + timedelta(hours=OFFER_HOURS), latest)
    return expires if expires > now + timedelta(minutes=30) else None


def _offer_free_places(training: Training, *, now: datetime) -> int:
    """Offer the free places to the first people waiting. Called with the training locked."""
    if training.state != Training.State.PUBLISHED:
        return 0
    expires = offer_expiry(training, now)
    if expires is None:
        return 0
    free = training.capacity - training.registrations.filter(state__in=Registration.HOLDS_PLACE).count()
    offered = 0
    if free > 0:
        for registration in training.registrations.filter(state=State.WAITING).select_related("user")[:free]:
            registration.state = State.OFFERED
            registration.offer_expires_at = expires
            registration.save(update_fields=["state", "offer_expires_at", "changed_at"])
            registration.training = training
            # A person may be offered a place more than once (after a new cancellation): a key per offer.
            _mail(registration, "offer", key=f"trainings.offer:{registration.pk}:{int(expires.timestamp())}")
            offered += 1
    return offered


@transaction.atomic
def registration_cancel(*, registration: Registration, by, staff: bool = False,
                        now: datetime | None = None) -> Registration:
    """Cancel (or decline an offer, or leave the waiting list). Members may cancel until the
    deadline, staff (`staff=True`) until the start. A freed place is offered on."""
    now = now or timezone.now()
    training = Training.objects.select_for_update().get(pk=registration.training_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.training = training
    if registration.state not in Registration.ACTIVE:
        raise ValidationError(_("This registration is no longer active."))
    limit = training.starts_at if staff else training.registration_deadline
    if now > limit:
        raise ValidationError(_("Cancelling closed %(date)s; please contact the consortium.") % {
            "date": date_format(timezone.localtime(limit, HELSINKI), "SHORT_DATETIME_FORMAT")})
    freed = registration.state in Registration.HOLDS_PLACE
    registration.state = State.CANCELLED
    registration.offer_expires_at = None
    registration.save(update_fields=["state", "offer_expires_at", "changed_at"])
    _mail(registration, "cancellation")
    if freed:
        _offer_free_places(training, now=now)
    return registration


@transaction.atomic
def offer_accept(*, registration: Registration, by=None, now: datetime | None = None) -> Registration:
    now = now or timezone.now()
    training = Training.objects.select_for_update().get(pk=registration.training_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.training = training
    if registration.state != State.OFFERED:
        raise ValidationError(_("There is no open offer on this registration."))
    if registration.offer_expires_at and registration.offer_expires_at < now:
        raise ValidationError(_("The offer ended %(date)s.") % {
            "date": date_format(timezone.localtime(registration.offer_expires_at, HELSINKI), "SHORT_DATETIME_FORMAT")})
    if training.state != Training.State.PUBLISHED:
        raise ValidationError(_("Registration for “%(title)s” is not open.") % {"title": training.title})
    registration.state = State.REGISTERED
    registration.offer_expires_at = None
    registration.save(update_fields=["state", "offer_expires_at", "changed_at"])
    _confirm(registration)
    return registration


def offers_lapse(*, now: datetime | None = None) -> int:
    """Beat: offers whose time ran out lapse (the person is told) and the place goes to the
    next person waiting. One transaction per training, so one failure stops no other."""
    now = now or timezone.now()
    training_ids = set(Registration.objects.filter(state=State.OFFERED, offer_expires_at__lt=now)
                       .values_list("training_id", flat=True))
    lapsed = 0
    for training_id in sorted(training_ids):
        with transaction.atomic():
            training = Training.objects.select_for_update().get(pk=training_id)
            for registration in training.registrations.filter(state=State.OFFERED, offer_expires_at__lt=now) \
                    .select_related("user"):
                registration.state = State.LAPSED
                registration.save(update_fields=["state", "changed_at"])
                registration.training = training
                _mail(registration, "lapsed")
                lapsed += 1
            _offer_free_places(training, now=now)
    return lapsed


def reminders_send(*, now: datetime | None = None) -> int:
    """Beat: the day-before reminder, the webinar link an hour before, the feedback request
    after the training to those marked present. The outbox keys make each go once."""
    now = now or timezone.now()
    queued = 0
    registered = Registration.objects.filter(state=State.REGISTERED).select_related("training", "user")
    with transaction.atomic():
        live = Q(training__state__in=[Training.State.PUBLISHED, Training.State.CLOSED])
        for registration in registered.filter(live, training__starts_at__gt=now,
                                              training__starts_at__lte=now + REMINDER_BEFORE):
            _mail(registration, "reminder")
            queued += 1
        for registration in registered.filter(live, training__kind=Training.Kind.WEBINAR, training__starts_at__gt=now,
                                              training__starts_at__lte=now + LINK_BEFORE):
            _mail(registration, "link")
            queued += 1
        for registration in registered.filter(attended=True, training__ends_at__lt=now,
                                              training__ends_at__gte=now - FEEDBACK_WITHIN,
                                              feedback__isnull=True).exclude(training__state=Training.State.CANCELLED):
            _mail(registration, "feedback")
            queued += 1
    return queued


@transaction.atomic
def trainings_mark_held(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Training.objects.filter(state__in=[Training.State.PUBLISHED, Training.State.CLOSED],
                                   ends_at__lt=now).update(state=Training.State.HELD, updated_at=now)


# ---------------------------------------------------------------- after the training


@transaction.atomic
def attendance_mark(*, training: Training, present_ids, by, now: datetime | None = None) -> int:
    """Mark who was present (the rest of the registered as absent) once the training has started."""
    now = now or timezone.now()
    if now < training.starts_at:
        raise ValidationError(_("Attendance can be marked once the training has started."))
    present_ids = {int(pk) for pk in present_ids}
    registered = training.registrations.filter(state=State.REGISTERED)
    unknown = present_ids - set(registered.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(_("Not registered for this training: %(ids)s.") % {
            "ids": ", ".join(str(pk) for pk in sorted(unknown))})
    registered.filter(pk__in=present_ids).update(attended=True)
    registered.exclude(pk__in=present_ids).update(attended=False)
    return len(present_ids)


@transaction.atomic
def feedback_give(*, registration: Registration, rating, text: str = "", now: datetime | None = None) -> Feedback:
    now = now or timezone.now()
    if not registration.attended:
        raise ValidationError(_("Feedback is asked from those who were present."))
    if hasattr(registration, "feedback") and Feedback.objects.filter(registration=registration).exists():
        raise ValidationError(_("Thank you: your feedback was already received."))
    feedback = Feedback(registration=registration, rating=rating, text=(text or "").strip())
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def staff_message_send(*, training: Training, audience: str, subject: str, body: str, by) -> int:
    """Write to all registered (`registered`) or all present (`present`) people. The same
    text sent twice (a double click) goes once."""
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Write a subject.")
    if not body:
        errors["body"] = _("Write the message.")
    if audience not in ("registered", "present"):
        errors["audience"] = _("Choose who gets the message.")
    if errors:
        raise ValidationError(errors)
    recipients = training.registrations.filter(state=State.REGISTERED).select_related("user")
    if audience == "present":
        recipients = recipients.filter(attended=True)
    digest = hashlib.sha256(f"{audience}\n{subject}\n{body}".encode()).hexdigest()[:16]
    count = 0
    for registration in recipients:
        registration.training = training
        _mail(registration, "message", key=f"trainings.message:{training.pk}:{digest}:{registration.pk}",
              context={"subject": subject, "body": body})
        count += 1
    return count


# ---------------------------------------------------------------- wishes


@transaction.atomic
def wish_create(*, topic: str, eservice: str = "", library, staff_count: int, by) -> TrainingWish:
    wish = TrainingWish(topic=(topic or "").strip(), eservice=(eservice or "").strip(), created_by=by)
    wish.full_clean()
    wish.save()
    wish_support(wish=wish, library=library, staff_count=staff_count, by=by)
    return wish


@transaction.atomic
def wish_support(*, wish: TrainingWish, library, staff_count: int, by) -> WishVote:
    """A library says how many of its staff would come; a second answer replaces the first."""
    wish = TrainingWish.objects.select_for_update().get(pk=wish.pk)
    if wish.closed_at:
        raise ValidationError(_("A training was already arranged for “%(topic)s”.") % {"topic": wish.topic})
    vote = WishVote.objects.filter(wish=wish, library=library).first() or WishVote(wish=wish, library=library)
    vote.user = by
    vote.staff_count = staff_count
    vote.full_clean()
    vote.save()
    return vote


@transaction.atomic
def training_create_from_wish(*, wish: TrainingWish, training: Training, libraries=None, by,
                              now: datetime | None = None) -> Training:
    """Create the training the wish asked for; everyone who wished it is told once."""
    now = now or timezone.now()
    wish = TrainingWish.objects.select_for_update().get(pk=wish.pk)
    if wish.closed_at:
        raise ValidationError(_("A training was already arranged for “%(topic)s”.") % {"topic": wish.topic})
    training.from_wish = wish
    training_save(training=training, libraries=libraries, by=by, now=now)
    wish.closed_at = now
    wish.save(update_fields=["closed_at"])
    url = _absolute(reverse("trainings:detail", args=[training.pk]))
    for vote in wish.votes.select_related("user"):
        enqueue_mail_to_user(user=vote.user, key=f"trainings.wish:{wish.pk}:{vote.pk}", kind="trainings.wish",
                             template="trainings/mail/wish", about=training,
                             context={"wish": wish, "training": training, "when": _when(training),
                                      "training_url": url})
    return training


@transaction.atomic
def feed_token_renew(*, user, by) -> FeedToken:
    """A new secret for the personal calendar feed: the old address stops working."""
    FeedToken.objects.filter(user=user).delete()
    return FeedToken.objects.create(user=user)
