"""The monthly newsletter: items staff write, issues assembled from them and from other
apps' sections, subscribers, and one delivery row per (issue, recipient) — the outbox that
makes sending crash-safe (see docs/newsletters.md).

Audience: a part of an issue is for every member (no area) or for the libraries of one of
the core's cooperation areas (consortium.CooperationArea); a subscriber belongs to the
areas they work in and gets the parts for all members plus those for their areas."""

import posixpath
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ("Item", "Issue", "Block", "Subscriber", "Delivery", "TRANSLATED_LANGUAGES",
           "MAIL_IMAGE_TYPES", "ITEM_IMAGE_FOLDER", "item_image_path")

# The issue is written in Finnish; these are the languages it may also be translated into.
TRANSLATED_LANGUAGES = ("sv", "en")
# Image types mail programs show; the only ones an item may carry and the image view serves.
MAIL_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
ITEM_IMAGE_FOLDER = "newsletters/items/"


def item_image_path(item, filename: str) -> str:
    """A random name: item images are public (newsletters.views.item_image), and one of a
    draft or of an item for one area must not be found by guessing its uploaded file name."""
    extension = posixpath.splitext(filename)[1].lower()[:10]
    return f"{ITEM_IMAGE_FOLDER}{uuid.uuid4().hex}{extension}"


def area_field():
    """The audience of an item or a part: empty for every member, else one cooperation
    area. PROTECT: deleting an area must not turn its parts into parts for everyone."""
    return models.ForeignKey("consortium.CooperationArea", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("audience"),
                             help_text=_("Empty: every member. An area: only the libraries of that area."))


class Item(models.Model):
    """A current matter staff write down at any time in the month; the next issue picks it up."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: *italic*, **bold**, [link](https://…), lists."))
    link = models.URLField(_("link"), blank=True)
    image = models.ImageField(_("image"), upload_to=item_image_path, blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True,
                                 help_text=_("What the image shows, for readers who cannot see it."))
    area = area_field()
    issue = models.ForeignKey("Issue", on_delete=models.SET_NULL, null=True, blank=True, related_name="items",
                              verbose_name=_("issue"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter item")
        verbose_name_plural = _("newsletter items")

    def __str__(self):
        return self.title


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")

    # The first day of the month the issue belongs to: one issue per month, enforced here.
    month = models.DateField(_("month"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    subject_en = models.CharField(_("subject in English"), max_length=200, blank=True)
    intro_en = models.TextField(_("introduction in English"), blank=True)
    period_start = models.DateTimeField(_("covers from"))
    period_end = models.DateTimeField(_("covers until"))
    created_at = models.DateTimeField(_("assembled"), default=timezone.now)
    send_at = models.DateTimeField(_("send time"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    job_run = models.ForeignKey("consortium.JobRun", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        ordering = ["-month"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="newsletters_issue_month_first_day"),
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        # A subject becomes a mail header: a line break in it would break every message (or,
        # unchecked, let someone add headers of their own).
        errors = {field: _("The subject must be on one line.") for field in ("subject", "subject_sv", "subject_en")
                  if any(char in (getattr(self, field) or "") for char in "\r\n")}
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.APPROVED)

    def has_translation(self, language: str) -> bool:
        return language == "fi" or (language in TRANSLATED_LANGUAGES and bool(getattr(self, f"subject_{language}")))

    def language_for(self, wanted: str | None) -> str:
        """The language a reader gets: theirs where the issue has a translation, else Finnish."""
        return wanted if wanted and self.has_translation(wanted) else "fi"

    @property
    def display_subject(self) -> str:
        """The subject in the reader's language where there is one."""
        return self.localized("subject")

    def localized(self, field: str, language: str | None = None) -> str:
        language = self.language_for(language or get_language())
        if language != "fi":
            value = getattr(self, f"{field}_{language}")
            if value:
                return value
        return getattr(self, f"{field}_fi")


class Block(models.Model):
    """One part of an issue, in the order staff set: an item, or a section another app gave."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Item")
        SECTION = "section", _("Section")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ITEM)
    source = models.CharField(_("source"), max_length=100, blank=True)  # a section key, or "item:<pk>"
    area = area_field()
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    title_sv = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    body_sv = models.TextField(_("text in Swedish"), blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    body_en = models.TextField(_("text in English"), blank=True)
    link = models.URLField(_("link"), blank=True)
    image_url = models.CharField(_("image"), max_length=300, blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("issue part")
        verbose_name_plural = _("issue parts")

    def __str__(self):
        return self.title

    def localized(self, field: str, language: str) -> str:
        if language != "fi":
            value = getattr(self, f"{field}_{language}", "")
            if value:
                return value
        return getattr(self, field)


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Left")

    class Method(models.TextChoices):
        WEB_FORM = "web", _("Web form, confirmed by e-mail")
        PROFILE = "profile", _("Portal profile")
        IMPORT = "import", _("Imported by staff")

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="fi")
    areas = models.ManyToManyField("consortium.CooperationArea", blank=True, related_name="+",
                                   verbose_name=_("cooperation areas"),
                                   help_text=_("The subscriber also gets the parts meant for these areas' libraries."))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="newsletter_subscription")
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.PENDING)
    consent_method = models.CharField(_("consent given through"), max_length=10, choices=Method.choices)
    consent_detail = models.CharField(_("consent details"), max_length=300, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    unsubscribed_at = models.DateTimeField(_("left"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return self.email


class Delivery(models.Model):
    """The outbox row of one message: claimed before sending, marked sent only after the
    SMTP server accepted it. The unique (issue, email) pair is what makes fan-out idempotent."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        INFLIGHT = "inflight", _("Being sent")
        AWAITING_RETRY = "retry", _("Waiting to retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    WAITING = (Status.QUEUED, Status.INFLIGHT, Status.AWAITING_RETRY)

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries")
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=5, default="fi")
    # The ids of the subscriber's cooperation areas when the issue fanned out, sorted: with
    # the language, which rendering of the issue this recipient gets.
    areas = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    retry_after = models.DateTimeField(_("retry after"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=250, blank=True)
    smtp_response = models.CharField(_("server reply"), max_length=250, blank=True)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="newsletters_one_delivery_per_recipient"),
        ]
        indexes = [models.Index(fields=["issue", "status"], name="newsletters_delivery_status")]

    def __str__(self):
        return f"{self.issue_id} → {self.email}"
