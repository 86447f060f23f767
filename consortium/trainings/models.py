"""Trainings of the consortium: training days and webinars, the registrations (with the
waiting list and its offers), feedback, the personal calendar feed's token and the
members' training wishes."""

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consortium.models import Library

HELSINKI = ZoneInfo("Europe/Helsinki")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Training(models.Model):
    class Kind(models.TextChoices):
        DAY = "day", _("training day")
        WEBINAR = "webinar", _("webinar")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("training state", "draft")
        PUBLISHED = "published", pgettext_lazy("training state", "published")
        CLOSED = "closed", _("registration closed")
        HELD = "held", pgettext_lazy("training state", "held")
        CANCELLED = "cancelled", pgettext_lazy("training state", "cancelled")

    class Language(models.TextChoices):
        FI = "fi", _("Finnish")
        SV = "sv", _("Swedish")
        EN = "en", _("English")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DAY)
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    eservice = models.CharField(_("e-service"), max_length=100, blank=True,
                                help_text=_("The e-service the training is about, if any."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True,
                                  help_text=_("Shown only to registered people."))
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_deadline = models.DateTimeField(_("registration deadline"))
    for_all_members = models.BooleanField(_("for all member libraries"), default=True)
    libraries = models.ManyToManyField(Library, blank=True, related_name="trainings",
                                       verbose_name=_("libraries invited"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FI)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    from_wish = models.ForeignKey("TrainingWish", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="trainings", verbose_name=_("from the wish"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        indexes = [models.Index(fields=["state", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_has_places"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_webinar(self) -> bool:
        return self.kind == self.Kind.WEBINAR

    @property
    def is_open_to_view(self) -> bool:
        return self.state != self.State.DRAFT


class Registration(models.Model):
    """One person at one training: registered, waiting (in queue order), offered a freed
    place until `offer_expires_at`, or out (cancelled, or the offer lapsed)."""

    class State(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("registration state", "registered")
        WAITING = "waiting", _("on the waiting list")
        OFFERED = "offered", _("offered a place")
        CANCELLED = "cancelled", pgettext_lazy("registration state", "cancelled")
        LAPSED = "lapsed", _("offer lapsed")

    ACTIVE = (State.REGISTERED, State.WAITING, State.OFFERED)
    HOLDS_PLACE = (State.REGISTERED, State.OFFERED)

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="registrations")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="training_registrations",
                                verbose_name=_("library"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="training_registrations")
    full_name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, default="fi")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REGISTERED)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    attended = models.BooleanField(_("present"), null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["training", "state", "created_at"])]
        constraints = [
            # One active registration per address and training; a cancelled one may be followed by a new one.
            models.UniqueConstraint(fields=["training", "email"], condition=Q(state__in=["registered", "waiting",
                                                                                         "offered"]),
                                    name="training_registration_once"),
        ]

    def __str__(self):
        return f"{self.full_name} – {self.training}"


class Feedback(models.Model):
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5")]


class FeedToken(models.Model):
    """The secret in a person's calendar subscription address; a new one retires the old."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_feed")
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)


class TrainingWish(models.Model):
    """A topic members would like to be trained on; libraries join it with their staff count."""

    topic = models.CharField(_("topic"), max_length=200)
    eservice = models.CharField(_("e-service"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("training arranged"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training wish")
        verbose_name_plural = _("training wishes")

    def __str__(self):
        return self.topic


class WishVote(models.Model):
    wish = models.ForeignKey(TrainingWish, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+", verbose_name=_("library"))
    staff_count = models.PositiveIntegerField(_("staff who would come"), validators=[MinValueValidator(1),
                                                                                     MaxValueValidator(500)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wish", "library"], name="wish_vote_once_per_library"),
                       models.CheckConstraint(condition=Q(staff_count__gte=1), name="wish_vote_positive")]
