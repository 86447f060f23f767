"""SUSHI accounts (where and as whom to ask a vendor for COUNTER reports) and harvests (one
row per account, report and month: what was asked, what came back, what was imported)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortium.models import Library
from stats.models import StatsImport

from . import crypto

__all__ = ("SushiAccount", "Harvest", "REPORT_CHOICES", "SECRET_FIELDS")

# The master reports and standard views a library's e-materials usually have.
REPORT_CHOICES = [
    ("TR", _("TR: title master report")),
    ("TR_B1", _("TR_B1: book requests")),
    ("TR_B3", _("TR_B3: book usage by access type")),
    ("TR_J1", _("TR_J1: journal requests")),
    ("PR", _("PR: platform master report")),
    ("PR_P1", _("PR_P1: platform usage")),
    ("DR", _("DR: database master report")),
    ("DR_D1", _("DR_D1: database search and item usage")),
]
# The credentials, stored encrypted (column <name>_encrypted) and never shown again.
SECRET_FIELDS = ("customer_id", "requestor_id", "api_key")


class SushiAccount(models.Model):
    """One vendor's SUSHI endpoint as one customer: a library's own licence, or the
    consortium's shared one (no library)."""

    class Release(models.TextChoices):
        R5 = "5", "COUNTER 5"
        R51 = "5.1", "COUNTER 5.1"

    service_name = models.CharField(_("e-material service"), max_length=120)
    library = models.ForeignKey(Library, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("library"), help_text=_("Empty: the consortium's shared licence."))
    platform = models.CharField(_("platform"), max_length=120, blank=True,
                                help_text=_("Only when the endpoint serves several platforms."))
    url = models.URLField(_("endpoint URL"), max_length=300,
                          help_text=_("The base URL before /reports, e.g. https://sushi.example.com/counter/r5"))
    release = models.CharField(_("COUNTER release"), max_length=3, choices=Release.choices, default=Release.R5)
    customer_id_encrypted = models.TextField(editable=False, blank=True)
    requestor_id_encrypted = models.TextField(editable=False, blank=True)
    api_key_encrypted = models.TextField(editable=False, blank=True)
    reports = models.JSONField(_("reports"), default=list)
    active = models.BooleanField(_("harvest monthly"), default=True)
    # Set when the vendor refused the credentials: no more harvests until they are replaced.
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stopped_reason = models.CharField(_("reason for stopping"), max_length=500, blank=True)
    # Counts the replacements of the credentials, so "stopped" is told once per set of them.
    credentials_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["service_name", "library__name", "pk"]
        verbose_name = _("SUSHI account")
        verbose_name_plural = _("SUSHI accounts")

    def __str__(self):
        owner = self.library.name if self.library_id else _("consortium")
        return f"{self.service_name} ({owner})"

    # Never printed, never in a form's initial data: read only by the client.
    def secret(self, name: str) -> str:
        assert name in SECRET_FIELDS
        return crypto.decrypt(getattr(self, f"{name}_encrypted"))

    def set_secret(self, name: str, value: str) -> None:
        assert name in SECRET_FIELDS
        setattr(self, f"{name}_encrypted", crypto.encrypt(value))

    def has_secret(self, name: str) -> bool:
        return bool(getattr(self, f"{name}_encrypted"))

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None


class Harvest(models.Model):
    """One report of one month from one account: its state, the attempts, the COUNTER
    exceptions of the last answer, and the import it produced. Claimed by a worker with a
    lease (`claimed_until`); a worker that dies leaves the row running until the lease runs
    out, then it is taken again, and the import keyed by account, report and month makes a
    second import of the same answer a no-op."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being harvested")
        RETRY = "retry", _("retried later")
        NOT_READY = "not_ready", _("usage not ready yet")
        DONE = "done", _("imported")
        EMPTY = "empty", _("no usage")
        FAILED = "failed", _("failed")
        CREDENTIALS = "credentials", _("credentials refused")

    DUE_STATES = (State.PENDING, State.RETRY)
    FINISHED_STATES = (State.DONE, State.EMPTY)

    account = models.ForeignKey(SushiAccount, on_delete=models.CASCADE, related_name="harvests",
                                verbose_name=_("SUSHI account"))
    report_id = models.CharField(_("COUNTER report"), max_length=10)
    month = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    # The COUNTER exceptions of the last answer: [{"Code", "Severity", "Message", "Data"}].
    exceptions = models.JSONField(_("COUNTER exceptions"), default=list, blank=True)
    error = models.CharField(_("problem"), max_length=1000, blank=True)
    stats_import = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("import"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["account", "report_id", "month"]
        verbose_name = _("harvest")
        verbose_name_plural = _("harvests")
        # month is always the first day of a month (services.month_start).
        constraints = [
            models.UniqueConstraint(fields=["account", "report_id", "month"], name="stats_sushi_harvest_once"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="stats_sushi_harvest_due")]

    def __str__(self):
        return f"{self.account_id} {self.report_id} {self.month:%Y-%m}"

    @property
    def source_key(self) -> str:
        return f"sushi:{self.account_id}:{self.report_id}:{self.month:%Y-%m}"

    @property
    def exception_text(self) -> str:
        """The exceptions and the problem in one line, for the grid's hover and table."""
        parts = [f"{e.get('Code', '')} {e.get('Message', '')}".strip() + (f" ({e['Data']})" if e.get("Data") else "")
                 for e in self.exceptions or []]
        if self.error:
            parts.append(self.error)
        return "; ".join(part for part in parts if part)
