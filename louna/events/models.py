"""An event or a news item of the Louna libraries, shown in the web library's feeds."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ("Item",)


class Item(models.Model):
    """One event (with a time, possibly repeating) or one news item.

    Whose it is: `library` is the Louna library that wrote it (its own item, published
    after the coordinator's check) or empty for the coordinator's shared items (published
    at once). What it concerns: `all_of_louna`, or the `libraries` chosen; `municipalities`
    is kept from those libraries so that a municipality's feed is one indexed filter."""

    class Kind(models.TextChoices):
        EVENT = "event", pgettext_lazy("item kind", "event")
        NEWS = "news", pgettext_lazy("item kind", "news")

    class Audience(models.TextChoices):
        ALL = "all", pgettext_lazy("audience", "everyone")
        CHILDREN = "children", _("children")
        YOUTH = "youth", _("young people")
        ADULTS = "adults", _("adults")

    class Language(models.TextChoices):
        FINNISH = "fi", _("Finnish")
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")
        SEVERAL = "mul", _("several languages")

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting the coordinator's check")
        PUBLISHED = "published", pgettext_lazy("item state", "approved")
        RETURNED = "returned", _("returned to the library")

    class Repeat(models.TextChoices):
        NONE = "", _("does not repeat")
        DAILY = "daily", _("every day")
        WEEKLY = "weekly", _("every week")
        BIWEEKLY = "biweekly", _("every other week")
        MONTHLY = "monthly", _("every month on the same date")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.EVENT)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    image = models.ImageField(_("image"), upload_to="louna/events/%Y/", blank=True)
    image_alt = models.CharField(
        _("image description (alt text)"), max_length=300, blank=True,
        help_text=_("What the image shows, for those who cannot see it. Required with an image."),
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    repeat = models.CharField(_("repeats"), max_length=10, choices=Repeat.choices, default=Repeat.NONE, blank=True)
    repeat_until = models.DateField(_("repeats until"), null=True, blank=True)
    # Dates (ISO strings) on which a repeating event does not take place.
    exception_dates = models.JSONField(_("cancelled dates"), default=list, blank=True)
    library = models.ForeignKey(
        "consortium.Library", on_delete=models.PROTECT, null=True, blank=True, related_name="louna_event_items",
        verbose_name=_("written by library"),
    )
    all_of_louna = models.BooleanField(_("all of Louna"), default=False)
    libraries = models.ManyToManyField(
        "consortium.Library", blank=True, related_name="louna_event_items_concerning",
        verbose_name=_("libraries concerned"),
    )
    municipalities = models.ManyToManyField(
        "consortium.Municipality", blank=True, related_name="louna_event_items", verbose_name=_("municipalities"),
    )
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    language = models.CharField(_("language"), max_length=3, choices=Language.choices, default=Language.FINNISH)
    link = models.URLField(_("link for more"), blank=True)
    publish_from = models.DateTimeField(_("published from"))
    publish_until = models.DateTimeField(_("published until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("written by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    check_note = models.TextField(_("coordinator's note"), blank=True,
                                  help_text=_("Why the item was returned: what the library should change."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-publish_from", "-pk"]
        verbose_name = _("event or news item")
        verbose_name_plural = _("events and news")
        indexes = [models.Index(fields=["state", "publish_from"], name="louna_event_published")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="louna_event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(publish_until__isnull=True) | Q(publish_until__gt=models.F("publish_from")),
                name="louna_event_publish_window_order",
                violation_error_message=_("The publishing must end after it begins."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="event") | (Q(starts_at__isnull=False) & Q(ends_at__isnull=False)),
                name="louna_event_has_times",
                violation_error_message=_("An event needs a start and an end time."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_event(self) -> bool:
        return self.kind == self.Kind.EVENT

    @property
    def is_shared(self) -> bool:
        """A shared item concerns all of Louna: it is in every municipality's feed."""
        return self.all_of_louna
