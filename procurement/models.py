"""Joint procurements run by a central purchasing body (KL-Kuntahankinnat, later Hansel),
the member libraries' voluntary opt-in, framework agreements, appeals and contract notes.

The purchasing body is data (name and period), never a word in the code: KL-Kuntahankinnat
Oy merged into Hansel in 2019, and a procurement keeps the body that ran it.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from consortium.models import Library
from consortium.templatetags.portal import money

__all__ = (
    "PurchasingBody",
    "Supplier",
    "Category",
    "Procurement",
    "ProcurementTransition",
    "ProcurementDocument",
    "OptIn",
    "OptInEvent",
    "Award",
    "FrameworkAgreement",
    "Appeal",
    "ContractNote",
    "ALLOWED_MOVES",
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- organisations


class PurchasingBody(models.Model):
    """A central purchasing body and the period it acted under this name."""

    name = models.CharField(_("name"), max_length=150)
    business_id = models.CharField(_("business id"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)

    class Meta:
        ordering = ["-active_from"]
        verbose_name = _("purchasing body")
        verbose_name_plural = _("purchasing bodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=models.F("active_from")),
                name="purchasing_body_period_in_order",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def period_label(self) -> str:
        start = date_format(self.active_from, "SHORT_DATE_FORMAT")
        end = date_format(self.active_until, "SHORT_DATE_FORMAT") if self.active_until else ""
        return f"{start}–{end}"

    def was_active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=150)
    business_id = models.CharField(_("business id"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- procurements


class Category(models.TextChoices):
    E_MATERIALS = "e_materials", _("e-materials")
    PERIODICALS = "periodicals", _("periodicals")
    BOOKS = "books", _("books")
    OTHER = "other", _("other material")


class State(models.TextChoices):
    FOLLOWED = "followed", _("followed")
    PREPARATION = "preparation", _("in preparation")
    OPEN = "open", _("open for opt-in")
    CLOSED = "closed", _("opt-in closed")
    TENDERING = "tendering", _("tendering")
    AWARDED = "awarded", _("awarded")
    IN_FORCE = "in_force", _("framework agreement in force")
    ENDED = "ended", _("ended")
    CANCELLED = "cancelled", _("cancelled")


# The lifecycle: only these moves are allowed. Cancelling is possible from any stage
# before the award; after it the agreements run their course (or end).
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    State.FOLLOWED: (State.PREPARATION, State.TENDERING, State.CANCELLED),
    State.PREPARATION: (State.OPEN, State.CANCELLED),
    State.OPEN: (State.CLOSED, State.CANCELLED),
    State.CLOSED: (State.TENDERING, State.CANCELLED),
    State.TENDERING: (State.AWARDED, State.CANCELLED),
    State.AWARDED: (State.IN_FORCE,),
    State.IN_FORCE: (State.ENDED,),
    State.ENDED: (),
    State.CANCELLED: (),
}


class Procurement(models.Model):
    State = State

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    purchasing_body = models.ForeignKey(
        PurchasingBody, on_delete=models.PROTECT, related_name="procurements", verbose_name=_("purchasing body")
    )
    body_reference = models.CharField(
        _("purchasing body's reference"), max_length=50, blank=True, help_text=_("For example KLKH150.")
    )
    body_contact_name = models.CharField(_("contact at the purchasing body"), max_length=150, blank=True)
    body_contact_email = models.EmailField(_("contact's e-mail address"), blank=True)
    estimated_value = models.DecimalField(
        _("estimated total value (€)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.FOLLOWED)
    opt_in_deadline = models.DateTimeField(_("opt-in deadline"), null=True, blank=True)
    framework_parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="call_offs",
        verbose_name=_("call-off under the framework of"),
        help_text=_("Set when this is a later call-off or mini-competition under an earlier framework agreement."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("procurement")
        verbose_name_plural = _("procurements")
        indexes = [models.Index(fields=["state", "opt_in_deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="open") | Q(opt_in_deadline__isnull=False),
                name="open_procurement_has_deadline",
            )
        ]

    def __str__(self):
        return f"{self.body_reference} {self.title}".strip()

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("procurement:detail", args=[self.pk])

    @property
    def ocid(self) -> str:
        # An OCDS ocid is the publisher's registered prefix and a local id. Until the
        # consortium registers one, the prefix is an obvious demo value (settings may set it).
        return f"{getattr(settings, 'PROCUREMENT_OCID_PREFIX', 'ocds-demo01')}-{self.pk}"

    def allowed_moves(self) -> tuple[str, ...]:
        return ALLOWED_MOVES.get(self.state, ())

    def is_open_for_answers(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == State.OPEN and self.opt_in_deadline is not None and now < self.opt_in_deadline

    def days_left(self, today: date | None = None) -> int | None:
        """Whole days to the deadline's date (in Helsinki), 0 on the day itself."""
        if self.opt_in_deadline is None:
            return None
        today = today or timezone.localdate()
        return (timezone.localtime(self.opt_in_deadline).date() - today).days


class ProcurementTransition(models.Model):
    """One move of a procurement along its lifecycle: who, when and why."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("lifecycle move")
        verbose_name_plural = _("lifecycle moves")


def document_upload_to(instance, filename):
    # The uploaded name is never trusted: the stored name is generated, and only the
    # extension of the detected type is kept.
    return f"procurement/{uuid.uuid4().hex}.{instance.extension}"


class ProcurementDocument(models.Model):
    class Kind(models.TextChoices):
        CALL_FOR_INTEREST = "call_for_interest", _("call for interest")
        TENDER = "tender", _("tender documents")
        DECISION = "decision", _("procurement decision")
        AGREEMENT = "agreement", _("framework agreement")
        OTHER = "other", _("other document")

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="documents")
    agreement = models.ForeignKey("FrameworkAgreement", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="documents")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    @property
    def download_name(self) -> str:
        from django.utils.text import get_valid_filename, slugify

        return get_valid_filename(f"{slugify(self.title)[:80] or 'document'}.{self.extension}")


# ---------------------------------------------------------------- opt-in


class Answer(models.TextChoices):
    COMMITTED = "committed", _("binding commitment")
    INTERESTED = "interested", _("interested")
    DECLINED = "declined", _("not taking part")
    WITHDRAWN = "withdrawn", _("answer withdrawn")


class OptIn(models.Model):
    """A library's current answer to one procurement. Every change is also written to
    OptInEvent; `version` grows with each change so that a stale form is refused."""

    Answer = Answer

    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="opt_ins")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="procurement_opt_ins",
                                verbose_name=_("library"))
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    yearly_estimate = models.DecimalField(
        _("estimated yearly purchases (€)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact person's phone"), max_length=40, blank=True)
    decision_maker = models.CharField(_("decided by"), max_length=150, blank=True,
                                      help_text=_("The body or office holder who decided, e.g. the culture board."))
    decision_date = models.DateField(_("date of the decision"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decline_reason = models.TextField(_("reason for not taking part"), blank=True)
    version = models.PositiveIntegerField(default=1)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["library__name"]
        verbose_name = _("opt-in answer")
        verbose_name_plural = _("opt-in answers")
        constraints = [
            models.UniqueConstraint(fields=["procurement", "library"], name="one_answer_per_library"),
            models.CheckConstraint(
                condition=~Q(answer="committed")
                | (Q(yearly_estimate__isnull=False, yearly_estimate__gte=0, decision_date__isnull=False)
                   & ~Q(decision_number="") & ~Q(decision_maker="") & ~Q(contact_name="")),
                name="commitment_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.library}: {self.get_answer_display()}"

    @property
    def counts_as_answer(self) -> bool:
        return self.answer != Answer.WITHDRAWN

    @property
    def may_join_later(self) -> bool:
        return self.answer in (Answer.COMMITTED, Answer.INTERESTED)

    @property
    def decision_reference(self) -> str:
        if not self.decision_number:
            return ""
        day = date_format(self.decision_date, "SHORT_DATE_FORMAT") if self.decision_date else ""
        return f"{self.decision_maker} {day} § {self.decision_number}".strip()

    AUDITED_FIELDS = ("answer", "yearly_estimate", "contact_name", "contact_email", "contact_phone",
                      "decision_maker", "decision_date", "decision_number", "decline_reason")

    def audit_values(self) -> dict:
        values = {}
        for name in self.AUDITED_FIELDS:
            value = getattr(self, name)
            values[name] = "" if value is None else str(value) if not isinstance(value, date) else value.isoformat()
        return values


class AppendOnlyError(Exception):
    pass


class OptInEvent(models.Model):
    """The audit trail of opt-in answers: append-only. The model refuses updates and
    deletes, and on PostgreSQL a trigger refuses them in the database too."""

    class Action(models.TextChoices):
        CREATED = "created", _("answered")
        CHANGED = "changed", _("changed")
        WITHDRAWN = "withdrawn", _("withdrew")

    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="opt_in_events")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    old_values = models.JSONField(_("before"), default=dict, blank=True)
    new_values = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("opt-in audit entry")
        verbose_name_plural = _("opt-in audit trail")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The opt-in audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The opt-in audit trail cannot be deleted.")

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for each field that differs."""
        labels = {name: OptIn._meta.get_field(name).verbose_name for name in OptIn.AUDITED_FIELDS}
        answers = dict(Answer.choices)
        rows = []
        for name in OptIn.AUDITED_FIELDS:
            old, new = self.old_values.get(name, ""), self.new_values.get(name, "")
            if old != new:
                if name == "answer":
                    old, new = answers.get(old, old), answers.get(new, new)
                else:
                    field = OptIn._meta.get_field(name)
                    old, new = _shown_value(field, old), _shown_value(field, new)
                rows.append((labels[name], old, new))
        return rows


def _shown_value(field, value) -> str:
    """A value of the audit trail (kept as JSON text: "12500.50", "2026-12-01") as a Finn
    reads it: 12 500,50 €, 1.12.2026."""
    if value in ("", None):
        return ""
    try:
        if isinstance(field, models.DecimalField):
            return money(Decimal(str(value)))
        if isinstance(field, models.DateField):
            return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except (ValueError, ArithmeticError):
        pass  # an old entry in another shape is shown as it was kept
    return str(value)


# ---------------------------------------------------------------- award and agreements


class Award(models.Model):
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="awards")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="awards",
                                 verbose_name=_("supplier"))
    decision_date = models.DateField(_("date of the procurement decision"))
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    value = models.DecimalField(_("value (€)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["decision_date", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.UniqueConstraint(fields=["procurement", "supplier"], name="one_award_per_supplier")]

    def __str__(self):
        return f"{self.supplier} ({self.decision_date:%d.%m.%Y})"


class FrameworkAgreement(models.Model):
    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="agreements")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="agreements",
                                 verbose_name=_("supplier"))
    reference = models.CharField(_("purchasing body's reference"), max_length=50, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    extension_options = models.PositiveSmallIntegerField(_("options to extend"), default=0)
    extension_months = models.PositiveSmallIntegerField(_("length of each option (months)"), default=12)
    options_used = models.PositiveSmallIntegerField(_("options used"), default=0)
    joining_until = models.DateField(
        _("libraries may join until"), null=True, blank=True,
        help_text=_("Committed and interested libraries may join the agreement later until this day."),
    )
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    libraries = models.ManyToManyField(Library, blank=True, related_name="framework_agreements",
                                       verbose_name=_("libraries covered"))

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"),
            models.CheckConstraint(condition=Q(options_used__lte=models.F("extension_options")),
                                   name="agreement_options_used_within_options"),
        ]

    def __str__(self):
        return f"{self.reference or self.procurement.body_reference} – {self.supplier}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("procurement:agreement_detail", args=[self.pk])

    @property
    def latest_possible_end(self) -> date:
        return add_months(self.ends_on, (self.extension_options - self.options_used) * self.extension_months)

    def joining_days_left(self, today: date | None = None) -> int | None:
        if self.joining_until is None:
            return None
        return (self.joining_until - (today or timezone.localdate())).days

    def is_in_force(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on


class Appeal(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("procurement correction request")
        MARKET_COURT = "market_court", _("appeal to the Market Court")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DISMISSED = "dismissed", _("dismissed")
        UPHELD = "upheld", _("upheld")
        WITHDRAWN = "withdrawn", _("withdrawn")

    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    filed_by = models.CharField(_("filed by"), max_length=150)
    filed_on = models.DateField(_("filed"))
    against = models.CharField(_("against which decision"), max_length=200)
    status = models.CharField(_("state"), max_length=20, choices=Status.choices, default=Status.PENDING)
    outcome = models.TextField(_("outcome"), blank=True)
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_on__isnull=False),
                                   name="decided_appeal_has_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.filed_by} ({self.filed_on:%d.%m.%Y})"


class ContractNote(models.Model):
    class Kind(models.TextChoices):
        PRICE = "price", _("price change")
        SUPPLIER = "supplier", _("supplier change")
        COMPLAINT = "complaint", _("complaint from a library")
        OPTION = "option", _("option to extend used")
        OTHER = "other", _("other note")

    agreement = models.ForeignKey(FrameworkAgreement, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    library = models.ForeignKey(Library, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("library concerned"))
    text = models.TextField(_("note"))
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contract-management note")
        verbose_name_plural = _("contract-management notes")
