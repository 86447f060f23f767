"""Louna's yearly action programme (toimenpideohjelma): drafted with the directors in a
review round of published versions, finalised and delivered to each library as a PDF,
followed through the year, and reported on early the next year.

The coordinator edits a working copy (`ProgrammeItem`); publishing makes a numbered
`ProgrammeVersion` holding a frozen copy of every item's text (`ItemVersion`). Comments
and proposals point at the item version they answered, so they stay tied to the text
the director read. A final version never changes; an amendment is a new version marked
as such, with its reason."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = (
    "Programme",
    "ProgrammeItem",
    "ProgrammeVersion",
    "ItemVersion",
    "ItemComment",
    "ChangeProposal",
    "LibraryPosition",
    "VersionRead",
    "ProgrammeDelivery",
    "ItemProgress",
    "ItemFollower",
    "ImplementationReport",
    "ITEM_TEXT_FIELDS",
)

# The parts of an item's text that a version freezes and a director may propose changes to.
ITEM_TEXT_FIELDS = ("title", "aim", "measures", "responsible", "schedule", "indicator")


class Programme(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        FINAL = "final", _("final")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    agreement = models.ForeignKey(
        "louna.Agreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="programmes",
        verbose_name=_("service agreement"),
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    review_deadline = models.DateField(_("review deadline"), null=True, blank=True)
    review_opened_at = models.DateTimeField(_("review opened"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("action programme")
        verbose_name_plural = _("action programmes")

    def __str__(self):
        return self.title

    @property
    def is_final(self) -> bool:
        return self.state == self.State.FINAL


class ProgrammeItem(models.Model):
    """The working copy of one item; what directors read is its latest `ItemVersion`."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        MOVED = "moved", _("moved to next year")
        DROPPED = "dropped", pgettext_lazy("programme item", "dropped")  # not the projects' "dropped"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="items")
    area = models.ForeignKey(
        "louna.ServiceArea", on_delete=models.SET_NULL, null=True, blank=True, related_name="programme_items",
        verbose_name=_("service area"), help_text=_("Leave empty for an item that stands alone."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    aim = models.TextField(_("aim"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=300, blank=True)
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)
    indicator = models.TextField(_("indicator"), blank=True, help_text=_("What will show that the item was done."))
    libraries = models.ManyToManyField(
        "consortium.Library", blank=True, related_name="programme_items", verbose_name=_("concerns the libraries"),
        help_text=_("Leave empty when the item concerns every Louna library."),
    )
    from_task = models.ForeignKey(
        "louna.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="programme_items",
        verbose_name=_("drafted from the task"),
    )
    is_removed = models.BooleanField(_("removed from the programme"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="louna_programme_item_percent_max"),
        ]

    def __str__(self):
        return self.title


class ProgrammeVersion(models.Model):
    class Kind(models.TextChoices):
        DRAFT = "draft", _("review version")
        FINAL = "final", _("final version")
        AMENDMENT = "amendment", _("amendment")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    note = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="louna_programme_version_once"),
        ]

    def __str__(self):
        return f"{self.programme} v{self.number}"


class ItemVersion(models.Model):
    """One item's text as a version published it. Never changed after it is written."""

    version = models.ForeignKey(ProgrammeVersion, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="versions")
    area = models.ForeignKey("louna.ServiceArea", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    aim = models.TextField(_("aim"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=300, blank=True)
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)
    indicator = models.TextField(_("indicator"), blank=True)

    class Meta:
        ordering = ["version", "position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["version", "item"], name="louna_item_version_once")]

    def __str__(self):
        return self.title


class ItemComment(models.Model):
    """A comment on an item (threaded by `parent`), tied to the item version it answered."""

    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="comments")
    item_version = models.ForeignKey(ItemVersion, on_delete=models.RESTRICT, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    library = models.ForeignKey(
        "consortium.Library", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("on behalf of"),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.text[:60]


class ChangeProposal(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("waiting")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="proposals")
    item_version = models.ForeignKey(ItemVersion, on_delete=models.RESTRICT, related_name="proposals")
    field = models.CharField(_("part of the item"), max_length=20)
    proposed_text = models.TextField(_("proposed text"))
    reason = models.TextField(_("why"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    library = models.ForeignKey("consortium.Library", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")

    def __str__(self):
        return f"{self.item}: {self.field}"


class LibraryPosition(models.Model):
    """A library's answer to the review: stated by its director, or (NO_ANSWER) recorded by
    the coordinator with the reason the library did not answer."""

    class Position(models.TextChoices):
        APPROVE = "approve", _("approve")
        RESERVATIONS = "reservations", _("approve with reservations")
        NO_ANSWER = "no_answer", _("did not answer (reason recorded)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="positions")
    library = models.ForeignKey("consortium.Library", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.RESTRICT, related_name="+")
    position = models.CharField(pgettext_lazy("stance on a programme item", "position"), max_length=20,
                                choices=Position.choices)
    reservation = models.TextField(_("reservation or reason"), blank=True)
    stated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stated_at = models.DateTimeField(_("stated"), auto_now=True)

    class Meta:
        ordering = ["library__name"]
        verbose_name = _("library's position")
        verbose_name_plural = _("libraries' positions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "library"], name="louna_programme_position_once"),
            models.CheckConstraint(condition=Q(position="approve") | ~Q(reservation=""),
                                   name="louna_programme_position_reason"),
        ]

    def __str__(self):
        return f"{self.library}: {self.position}"


class VersionRead(models.Model):
    """The version a person last read, so they see what changed since."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="louna_programme_read_once")]


class ProgrammeDelivery(models.Model):
    """A library's copy of the final (or amended) programme: the PDF and where it went."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="deliveries")
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.RESTRICT, related_name="deliveries")
    library = models.ForeignKey("consortium.Library", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("library"))
    pdf = models.FileField(_("PDF"), upload_to="louna/programmes/%Y/")
    generated_at = models.DateTimeField(_("made"), auto_now_add=True)
    emailed_to = models.TextField(_("e-mailed to"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["library__name", "-version__number"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["version", "library"], name="louna_delivery_once_per_version"),
        ]


class ItemProgress(models.Model):
    """A dated entry of an item's follow-up: state, per cent and the note."""

    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=20, choices=ProgrammeItem.State.choices)
    percent = models.PositiveSmallIntegerField(_("progress (%)"),
                                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    note = models.TextField(_("note"), blank=True)
    state_before = models.CharField(max_length=20, choices=ProgrammeItem.State.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-created_at", "-pk"]
        verbose_name = _("follow-up entry")
        verbose_name_plural = _("follow-up entries")


class ItemFollower(models.Model):
    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="louna_item_follow_once")]


class ImplementationReport(models.Model):
    """The short report on how a programme was carried out, one per library and year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reports")
    library = models.ForeignKey("consortium.Library", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("library"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    content = models.JSONField(default=dict, blank=True)
    drafted_at = models.DateTimeField(_("drafted"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    pdf = models.FileField(_("PDF"), upload_to="louna/reports/%Y/", blank=True)
    emailed_to = models.TextField(_("e-mailed to"), blank=True)

    class Meta:
        ordering = ["library__name"]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")
        constraints = [
            models.UniqueConstraint(fields=["programme", "library"], name="louna_report_once_per_library"),
        ]
