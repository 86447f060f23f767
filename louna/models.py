"""Louna: the yearly service agreement between Forssa city library and the Louna libraries,
its service areas and tasks, the directors' meetings, customer feedback, the shared web
services with their accessibility checks, and joint projects."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = (
    "Agreement",
    "AgreementDocument",
    "ServiceArea",
    "Task",
    "TaskNote",
    "TaskEvidence",
    "TaskMunicipality",
    "Meeting",
    "AgendaItem",
    "Decision",
    "WebService",
    "AccessibilityCheck",
    "AccessibilityFinding",
    "Feedback",
    "Project",
    "Milestone",
    "ProjectNote",
    # the action programme (louna/programme/models.py)
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

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


# ---------------------------------------------------------------- the agreement


class Agreement(models.Model):
    """One year's service agreement: Forssa city library produces services for the Louna
    libraries."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(
        "consortium.Library", on_delete=models.PROTECT, related_name="louna_agreements_provided",
        verbose_name=_("service provider"),
    )
    libraries = models.ManyToManyField(
        "consortium.Library", related_name="louna_agreements", verbose_name=_("libraries served"), blank=True
    )
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    signed_by_provider_on = models.DateField(_("signed by the provider"), null=True, blank=True)
    signed_by_libraries_on = models.DateField(_("signed by the libraries"), null=True, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="louna_agreement_period_order"),
        ]

    def __str__(self):
        return self.title or str(self.year)


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="louna/agreements/%Y/")
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["agreement", "title"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self):
        return self.title


class ServiceArea(models.Model):
    """A numbered service area (palvelukokonaisuus) of an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="areas", verbose_name=_("agreement"))
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.TextField(_("title"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="louna_area_number_unique")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Task(models.Model):
    """A task (toimenpide) of a service area, followed through the year."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        NOT_NEEDED = "not_needed", _("not needed this year")

    class Schedule(models.TextChoices):
        DUE_DATE = "due_date", _("by a due date")
        YEARLY = "yearly", _("yearly")
        AS_NEEDED = "as_needed", _("as needed")

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("service area"))
    number = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.TextField(_("task"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="louna_tasks",
        verbose_name=_("responsible person"),
    )
    schedule = models.CharField(_("schedule"), max_length=20, choices=Schedule.choices, default=Schedule.YEARLY)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    not_needed_reason = models.TextField(_("why not needed"), blank=True)
    per_municipality = models.BooleanField(
        _("followed per municipality"), default=False,
        help_text=_("Tick when the work differs by library and each library's state is followed separately."),
    )
    from_decision = models.ForeignKey(
        "Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks",
        verbose_name=_("from a meeting decision"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["area__number", "number", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="not_needed") | ~Q(not_needed_reason=""), name="louna_task_not_needed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(schedule="due_date") | Q(due_on__isnull=False), name="louna_task_due_date_set"
            ),
        ]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["due_on"])]

    def __str__(self):
        return self.text[:80]

    @property
    def is_closed(self):
        return self.state in (self.State.DONE, self.State.NOT_NEEDED)


class TaskNote(models.Model):
    """A dated progress note: the history of a task, never one overwritten figure."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes", verbose_name=_("task"))
    on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    for_directors = models.BooleanField(
        _("shown to directors"), default=True, help_text=_("Directors see only the notes meant for them.")
    )
    state_before = models.CharField(_("state before"), max_length=20, choices=Task.State.choices, blank=True)
    state_after = models.CharField(_("state after"), max_length=20, choices=Task.State.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-created_at", "-pk"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self):
        return f"{self.on}: {self.text[:60]}"


class TaskEvidence(models.Model):
    """A link or a file showing that a task was done."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("task"))
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="louna/evidence/%Y/", blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(~Q(url="") & Q(file="")) | (Q(url="") & ~Q(file="")), name="louna_evidence_link_or_file"
            )
        ]

    def __str__(self):
        return self.title


class TaskMunicipality(models.Model):
    """Follow-up of one task in one library, where the work differs by library."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="municipal_states", verbose_name=_("task"))
    library = models.ForeignKey(
        "consortium.Library", on_delete=models.CASCADE, related_name="louna_task_states", verbose_name=_("library")
    )
    state = models.CharField(_("state"), max_length=20, choices=Task.State.choices, default=Task.State.PLANNED)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["task", "library__name"]
        verbose_name = _("municipal follow-up")
        verbose_name_plural = _("municipal follow-up")
        constraints = [models.UniqueConstraint(fields=["task", "library"], name="louna_task_library_once")]

    def __str__(self):
        return f"{self.task} / {self.library}"


# ---------------------------------------------------------------- directors' meetings


class Meeting(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        AGENDA_SENT = "agenda_sent", _("agenda sent")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    # Empty while the year of the meeting has no agreement yet (January's meeting is planned
    # in December): the meeting is joined to that agreement when it is made.
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("agreement year"),
        null=True, blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("chair"),
    )
    proposals_close_on = models.DateField(_("agenda proposals by"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    agenda_sent_at = models.DateTimeField(_("agenda sent"), null=True, blank=True)
    ics_sequence = models.PositiveIntegerField(default=0)
    # Set when the time or place changes after the agenda was sent: the calendars hold the
    # old time until the updated agenda goes out (cleared by sending it).
    changed_after_agenda = models.BooleanField(_("changed after the agenda was sent"), default=False)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("directors' meeting")
        verbose_name_plural = _("directors' meetings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="louna_meeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="louna_meeting_place_or_online"),
        ]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ON_AGENDA = "on_agenda", _("on the agenda")
        DEFERRED = "deferred", _("deferred")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="louna_agenda_proposals",
        verbose_name=_("proposed by"),
    )
    library = models.ForeignKey(
        "consortium.Library", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("on behalf of"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    position = models.PositiveSmallIntegerField(_("position on the agenda"), default=0)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position", "created_at", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return self.text[:80]


# ---------------------------------------------------------------- shared web services


class WebService(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("what it is"), blank=True)
    url = models.URLField(_("address"), blank=True)
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("administrator"),
    )
    administrator_note = models.CharField(_("administered by (organisation)"), max_length=200, blank=True)
    introduced_on = models.DateField(_("introduced"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    receives_feedback = models.BooleanField(_("customer feedback arrives through it"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shared web service")
        verbose_name_plural = _("shared web services")

    def __str__(self):
        return self.name


class AccessibilityCheck(models.Model):
    """The yearly WCAG 2.1 check of one shared web service."""

    service = models.ForeignKey(WebService, on_delete=models.CASCADE, related_name="checks", verbose_name=_("service"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("checked by"),
    )
    summary = models.TextField(_("summary"), blank=True)
    fixed = models.TextField(_("what was fixed"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service", "-year"]
        verbose_name = _("accessibility check")
        verbose_name_plural = _("accessibility checks")
        constraints = [models.UniqueConstraint(fields=["service", "year"], name="louna_check_once_a_year")]

    def __str__(self):
        return f"{self.service} {self.year}"


class AccessibilityFinding(models.Model):
    class Severity(models.TextChoices):
        CRITICAL = "critical", _("critical")
        SERIOUS = "serious", _("serious")
        MODERATE = "moderate", _("moderate")
        MINOR = "minor", _("minor")

    check_run = models.ForeignKey(
        AccessibilityCheck, on_delete=models.CASCADE, related_name="findings", verbose_name=_("check")
    )
    criterion = models.CharField(
        _("WCAG 2.1 success criterion"), max_length=20, help_text=_("For example 1.4.3"),
    )
    description = models.TextField(_("finding"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    fix_note = models.TextField(_("how it was fixed"), blank=True)

    class Meta:
        ordering = ["check_run", "criterion", "pk"]
        verbose_name = _("accessibility finding")
        verbose_name_plural = _("accessibility findings")

    def __str__(self):
        return f"{self.criterion}: {self.description[:60]}"


# ---------------------------------------------------------------- customer feedback


class Feedback(models.Model):
    class Channel(models.TextChoices):
        FINNA = "finna", _("Finna feedback form")
        ELIBRARY = "elibrary", _("shared e-library")
        EMAIL = "email", _("e-mail")
        OTHER = "other", _("other")

    class State(models.TextChoices):
        NEW = "new", _("new")
        HANDLING = "handling", _("being handled")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    service = models.ForeignKey(
        WebService, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("service")
    )
    received_on = models.DateField(_("received"))
    text = models.TextField(_("feedback"))
    municipality = models.ForeignKey(
        "consortium.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"), help_text=_("Leave empty when the feedback concerns the shared service."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="answered") | ~Q(answer=""),
                name="louna_feedback_answered_has_answer",
                # Shown on the form (ModelForm validation meets the constraint before the
                # service does): no constraint name may reach a person.
                violation_error_message=_("Record the answer that was given."),
            )
        ]
        indexes = [models.Index(fields=["received_on"]), models.Index(fields=["state"])]

    def __str__(self):
        return f"{self.service} {self.received_on}"


# ---------------------------------------------------------------- projects


class Project(models.Model):
    class State(models.TextChoices):
        IDEA = "idea", _("idea")
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        DROPPED = "dropped", _("dropped")

    name = models.CharField(_("name"), max_length=200)
    aim = models.TextField(_("aim"), blank=True)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    budget = models.DecimalField(_("budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IDEA)
    libraries = models.ManyToManyField("consortium.Library", blank=True, related_name="louna_projects",
                                       verbose_name=_("libraries in it"))
    raised_in = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="project_ideas",
        verbose_name=_("raised in meeting"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="louna_project_period_order",
            )
        ]

    def __str__(self):
        return self.name


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project"))
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title


class ProjectNote(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes", verbose_name=_("project"))
    on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self):
        return f"{self.on}: {self.text[:60]}"
# The action programme's models live in louna/programme/ but belong to this app (label
# "louna", same tables and migrations); named here so Django registers them with the app.
from .programme.models import (  # noqa: E402
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
    VersionRead,
)
