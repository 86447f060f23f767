"""E-services and e-materials the consortium looks for, negotiates and offers to its
members; evaluation groups that trial them; members' proposals and the annual plan."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consortium.models import Library

__all__ = (
    "Kind", "Language", "Stage", "ALLOWED_MOVES", "Offering", "StageChange", "AppendOnlyError", "TakeUp",
    "Announcement", "EvaluationGroup", "Participation", "Evaluator", "Report", "CRITERIA",
    "Proposal", "ProposalSupport", "AnnualPlan", "PlanItem",
)


# ---------------------------------------------------------------- the catalogue


class Kind(models.TextChoices):
    EBOOKS = "ebooks", _("e-books")
    EAUDIOBOOKS = "eaudiobooks", _("e-audiobooks")
    MAGAZINES = "magazines", _("magazine service")
    MUSIC = "music", _("music service")
    FILMS = "films", _("films")
    DATABASE = "database", _("database")
    OTHER = "other", pgettext_lazy("kind of e-service", "other")


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    OTHER = "other", pgettext_lazy("language", "other languages")


class Stage(models.TextChoices):
    LOOKING = "looking", _("being looked for")
    NEGOTIATING = "negotiating", _("under negotiation")
    EVALUATING = "evaluating", _("under evaluation")
    OFFERED = "offered", _("offered to members")
    DISCONTINUED = "discontinued", _("discontinued")


# Forward along the path; a step may be skipped (not every service needs a trial). Back
# only to negotiation, and only with a reason (StageChange.reason).
ALLOWED_MOVES = {
    Stage.LOOKING: (Stage.NEGOTIATING, Stage.DISCONTINUED),
    Stage.NEGOTIATING: (Stage.EVALUATING, Stage.OFFERED, Stage.DISCONTINUED),
    Stage.EVALUATING: (Stage.NEGOTIATING, Stage.OFFERED, Stage.DISCONTINUED),
    Stage.OFFERED: (Stage.NEGOTIATING, Stage.DISCONTINUED),
    Stage.DISCONTINUED: (Stage.NEGOTIATING,),
}


class Offering(models.Model):
    """One e-service or e-material offering. Name and description have an optional Swedish
    version (translation.py)."""

    name = models.CharField(_("name"), max_length=200)
    vendor = models.CharField(_("vendor"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The languages as ",fi,sv," so that one language is found with a plain LIKE on any database.
    languages = models.CharField(_("languages"), max_length=40, blank=True)
    description = models.TextField(_("description"))
    pricing = models.TextField(_("how it is priced"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.LOOKING)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["stage", "name"], name="offering_stage_name")]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")

    def __str__(self):
        return self.name

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def get_languages_display(self) -> str:
        labels = dict(Language.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.language_codes)


class AppendOnlyError(Exception):
    pass


class StageChange(models.Model):
    """The history of an offering's stages: append-only. The model refuses updates and
    deletes; on PostgreSQL a trigger refuses them in the database too (migration 0002)."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.offering}: {self.from_stage} → {self.to_stage}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The stage history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The stage history cannot be deleted.")


class TakeUp(models.Model):
    """A member library uses an offering: from when, under which licence or contract."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="take_ups")
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="eservice_take_ups",
                                verbose_name=_("library"))
    since = models.DateField(_("in use since"))
    reference = models.CharField(_("licence or contract reference"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        ordering = ["library__name"]
        constraints = [models.UniqueConstraint(fields=["offering", "library"], name="take_up_once_per_library")]
        verbose_name = _("take-up")
        verbose_name_plural = _("take-ups")

    def __str__(self):
        return f"{self.library}: {self.offering}"


class Announcement(models.Model):
    """News of an offering now offered to the members: on their front pages and in the next
    newsletter. Title and text have an optional Swedish version."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["-published_at"], name="announcement_newest")]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.title


# ---------------------------------------------------------------- evaluation groups


class EvaluationGroup(models.Model):
    """Member libraries trial an offering for a period and report their experience."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="evaluation_groups",
                                 verbose_name=_("offering"))
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("trial starts"))
    ends_on = models.DateField(_("trial ends"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    summary_at = models.DateTimeField(_("summary written"), null=True, blank=True)
    summary_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-ends_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="evaluation_ends_after_start")]
        verbose_name = _("evaluation group")
        verbose_name_plural = _("evaluation groups")

    def __str__(self):
        return self.name

    @property
    def is_summarised(self) -> bool:
        return self.summary_at is not None

    def is_open_on(self, day) -> bool:
        """Reports are written and edited until the end of the period's last day."""
        return day <= self.ends_on


class Participation(models.Model):
    """A library invited to a group; a contact of the library accepts for it."""

    class State(models.TextChoices):
        INVITED = "invited", _("invited")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    group = models.ForeignKey(EvaluationGroup, on_delete=models.CASCADE, related_name="participations")
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+", verbose_name=_("library"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.INVITED)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["library__name"]
        constraints = [models.UniqueConstraint(fields=["group", "library"], name="participation_once_per_library")]
        verbose_name = _("participating library")
        verbose_name_plural = _("participating libraries")

    def __str__(self):
        return f"{self.group}: {self.library}"


class Evaluator(models.Model):
    """A person of a participating library who trials the offering and writes a report."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="evaluators")
    # Kept beside the participation so that "one evaluator per group" is a constraint.
    group = models.ForeignKey(EvaluationGroup, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("evaluator"))
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="evaluator_once_per_group")]
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")

    def __str__(self):
        return str(self.user)


# (field name, label): the five criteria every report rates from 1 to 5.
CRITERIA = (
    ("usefulness", _("usefulness to customers")),
    ("ease_of_use", _("ease of use for staff")),
    ("content", _("content")),
    ("accessibility", _("accessibility")),
    ("value", _("value for money")),
)


def _rating(label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class Report(models.Model):
    """An evaluator's structured experience report: one per evaluator (and so per group)."""

    evaluator = models.OneToOneField(Evaluator, on_delete=models.CASCADE, related_name="report")
    usefulness = _rating(CRITERIA[0][1])
    ease_of_use = _rating(CRITERIA[1][1])
    content = _rating(CRITERIA[2][1])
    accessibility = _rating(CRITERIA[3][1])
    value = _rating(CRITERIA[4][1])
    text = models.TextField(_("experiences"))
    recommend = models.BooleanField(_("would recommend it"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(**{f"{name}__gte": 1}) & Q(**{f"{name}__lte": 5}),
                                              name=f"report_{name}_1_to_5") for name, _label in CRITERIA]
        verbose_name = _("experience report")
        verbose_name_plural = _("experience reports")

    def __str__(self):
        return f"{self.evaluator}: {self.evaluator.group}"


# ---------------------------------------------------------------- proposals and the annual plan


class Proposal(models.Model):
    """A member library's proposal for the consortium's work in a coming year."""

    class State(models.TextChoices):
        NEW = "new", pgettext_lazy("proposal", "new")
        CONSIDERING = "considering", _("under consideration")
        PLANNED = "planned", _("taken into the plan")
        DECLINED = "declined", _("not this year")

    year = models.PositiveSmallIntegerField(_("for the year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    need = models.TextField(_("which need it answers"))
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+", verbose_name=_("library"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW)
    reason = models.TextField(_("reason"), blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "-created_at"], name="proposal_state_newest")]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.title


class ProposalSupport(models.Model):
    """Another library backs a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+", verbose_name=_("library"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["library__name"]
        constraints = [models.UniqueConstraint(fields=["proposal", "library"], name="support_once_per_library")]
        verbose_name = _("support")
        verbose_name_plural = _("supports")


class AnnualPlan(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    introduction = models.TextField(_("introduction"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")

    def __str__(self):
        return str(_("Annual plan %(year)s") % {"year": self.year})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PlanItem(models.Model):
    """One item of a year's plan: from members' proposals or staff's own. Title and aim
    have an optional Swedish version."""

    class Theme(models.TextChoices):
        EMATERIALS = "ematerials", _("e-materials")
        TRAINING = "training", _("training")
        PROCUREMENT = "procurement", _("procurement")
        METADATA = "metadata", _("metadata cooperation")
        OTHER = "other", pgettext_lazy("plan theme", "other")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("plan item", "planned")
        UNDERWAY = "underway", _("underway")
        DONE = "done", pgettext_lazy("plan item", "done")
        POSTPONED = "postponed", _("postponed")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=200)
    aim = models.TextField(_("aim"))
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices)
    schedule = models.CharField(_("schedule"), max_length=100, help_text=_("E.g. spring, or March–May."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    proposals = models.ManyToManyField(Proposal, blank=True, related_name="plan_items",
                                       verbose_name=_("from proposals"))

    class Meta:
        ordering = ["theme", "title"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")

    def __str__(self):
        return self.title
