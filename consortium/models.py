"""The core: organisations, people and their roles, and background job runs."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = (
    "User",
    "Municipality",
    "MunicipalityPopulation",
    "CooperationArea",
    "Library",
    "JointMunicipality",
    "ServicePoint",
    "ServicePointExternalId",
    "Role",
    "RoleAssignment",
    "JobRun",
    "OutboxMessage",
)


# ---------------------------------------------------------------- people


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, email):
        # Logging in is case-insensitive on the address.
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by e-mail; what they may do comes from their role assignments."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=5, default="fi", choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("May log in to the Django admin site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        # Lists of people come in this order; without the index PostgreSQL sorts every
        # person by the collation's rules on each page (12 ms at 5,000 people).
        indexes = [models.Index(fields=["full_name", "email"], name="user_list_order")]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


# ---------------------------------------------------------------- organisations

municipality_code_validator = RegexValidator(r"^\d{3}$", _("A municipality code has exactly three digits."))


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=3, unique=True, validators=[municipality_code_validator])
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100, blank=True)
    # Finnish genitives are not made by adding an "n" (Jokioinen → Jokioisten, Lahti →
    # Lahden): "Jokioisten kunnankirjasto" needs the form itself, kept as data.
    name_genitive_fi = models.CharField(_("genitive in Finnish"), max_length=100, blank=True,
                                        help_text=_("E.g. Jokioisten, Forssan, Helsingin."))

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    @property
    def name(self):
        if get_language() == "sv" and self.name_sv:
            return self.name_sv
        return self.name_fi


class MunicipalityPopulation(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population at 31 December"))

    class Meta:
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="population_once_per_year")]
        verbose_name = _("population")
        verbose_name_plural = _("populations")

    def __str__(self):
        return f"{self.municipality} {self.year}: {self.population}"


class CooperationArea(models.Model):
    """A regional cooperation of libraries, e.g. Louna (the Forssa region)."""

    slug = models.SlugField(_("identifier"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperation area")
        verbose_name_plural = _("cooperation areas")

    def __str__(self):
        return self.name


class LibraryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_area(self, slug):
        return self.filter(cooperation_areas__slug=slug)


class Library(models.Model):
    """A municipality's library organisation: the unit that joins the consortium."""

    name = models.CharField(_("name"), max_length=150)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("municipality")
    )
    member_since = models.DateField(_("consortium member since"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    cooperation_areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="libraries", verbose_name=_("cooperation areas")
    )
    # A joint library organisation (yhteiskirjasto) serves its host municipality
    # (`municipality`) and these: OKM gets one series from it, under the host.
    also_serves = models.ManyToManyField(
        Municipality, through="JointMunicipality", blank=True, related_name="served_by",
        verbose_name=_("also serves"),
    )

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("library")
        verbose_name_plural = _("libraries")

    def __str__(self):
        return self.name

    @property
    def is_member(self):
        return self.member_since is not None

    def clean(self):
        # The other direction of JointMunicipality.clean: a municipality another active
        # organisation serves cannot host a library organisation of its own as well.
        if self.municipality_id and self.is_active:
            host = (Library.objects.filter(is_active=True, joint_municipalities__municipality_id=self.municipality_id)
                    .exclude(pk=self.pk).first())
            if host is not None:
                raise ValidationError({"municipality": _(
                    "%(municipality)s is already served by the joint library organisation %(library)s; a "
                    "municipality has one library organisation.") % {"municipality": self.municipality,
                                                                     "library": host}})


class JointMunicipality(models.Model):
    """A municipality that a joint library organisation serves besides its host municipality.

    The municipality has no library organisation of its own: its figures are in the joint
    organisation's series. Unique per municipality, so no municipality is served by two."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="joint_municipalities",
                                verbose_name=_("library"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="joint_library",
                                     verbose_name=_("municipality"))

    class Meta:
        ordering = ["library", "municipality__name_fi"]
        constraints = [models.UniqueConstraint(
            fields=["municipality"], name="municipality_served_by_one_library",
            violation_error_message=_("This municipality is already served by another library organisation."))]
        verbose_name = pgettext_lazy("joint library organisation", "municipality also served")
        verbose_name_plural = pgettext_lazy("joint library organisation", "municipalities also served")

    def __str__(self):
        return f"{self.library}: {self.municipality}"

    def clean(self):
        try:  # in the admin's inline the library may be new (no id yet) while it is checked
            library = self.library
        except Library.DoesNotExist:
            return
        if not self.municipality_id:
            return
        if self.municipality_id == library.municipality_id:
            raise ValidationError({"municipality": _(
                "%(municipality)s is the library's own (host) municipality; list only the other municipalities "
                "it serves.") % {"municipality": self.municipality}})
        own = (Library.objects.filter(is_active=True, municipality_id=self.municipality_id)
               .exclude(pk=library.pk).first())
        if own is not None:
            raise ValidationError({"municipality": _(
                "%(municipality)s has a library organisation of its own, %(library)s; a municipality is served by "
                "one library organisation. Make %(library)s inactive first if it has joined this one.")
                % {"municipality": self.municipality, "library": own}})
        other = (JointMunicipality.objects.filter(municipality_id=self.municipality_id)
                 .exclude(library_id=library.pk).select_related("library").first())
        if other is not None:
            raise ValidationError({"municipality": _(
                "%(municipality)s is already served by %(library)s; a municipality is served by one library "
                "organisation.") % {"municipality": self.municipality, "library": other.library}})


class ServicePoint(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", _("main library")
        BRANCH = "branch", _("branch library")
        MOBILE = "mobile", _("mobile library")
        OTHER = "other", _("other service point")

    library = models.ForeignKey(
        Library, on_delete=models.CASCADE, related_name="service_points", verbose_name=_("library")
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    opened_on = models.DateField(_("open from"), null=True, blank=True)
    closed_on = models.DateField(_("open until"), null=True, blank=True)

    class Meta:
        ordering = ["library", "name"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(opened_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="service_point_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.name

    def is_open_on(self, day):
        return (self.opened_on is None or self.opened_on <= day) and (self.closed_on is None or day <= self.closed_on)


class ServicePointExternalId(models.Model):
    """An id of a service point in an outside system, kept as a (source, value) pair so
    that imports find the point across a change of library system (Mikromarc -> Quria)."""

    class Source(models.TextChoices):
        KIRKANTA = "kirkanta", _("Kirkanta (national library directory)")
        MIKROMARC = "mikromarc", _("Mikromarc")
        QURIA = "quria", _("Quria")
        OTHER = "other", _("other system")

    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(_("system"), max_length=20, choices=Source.choices)
    value = models.CharField(_("id"), max_length=100)

    class Meta:
        ordering = ["source"]
        constraints = [models.UniqueConstraint(fields=["source", "value"], name="external_id_unique_per_source")]
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")

    def __str__(self):
        return f"{self.get_source_display()}: {self.value}"


# ---------------------------------------------------------------- roles


class Role(models.TextChoices):
    STAFF = "staff", _("consortium staff")
    COORDINATOR = "coordinator", _("Louna coordinator")
    DIRECTOR = "director", _("library director")
    CONTACT = "contact", _("library contact")


LIBRARY_ROLES = (Role.DIRECTOR, Role.CONTACT)


class RoleAssignment(models.Model):
    """One role a person holds; director and contact roles are held in a library."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    library = models.ForeignKey(
        Library, on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments",
        verbose_name=_("library"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "library__name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=[r.value for r in LIBRARY_ROLES]) & Q(library__isnull=False))
                | (~Q(role__in=[r.value for r in LIBRARY_ROLES]) & Q(library__isnull=True)),
                name="library_role_has_library",
            ),
            models.UniqueConstraint(fields=["user", "role", "library"], name="role_once_per_library"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(library__isnull=True), name="global_role_once"
            ),
        ]

    def __str__(self):
        # Role(...).label, not get_role_display(): the latter rebuilds the choices on each
        # call, and a people list prints this for every row.
        label = Role(self.role).label if self.role in Role.values else self.role
        if self.library_id:
            return f"{label} ({self.library})"
        return str(label)


# ---------------------------------------------------------------- background jobs


class JobRun(models.Model):
    """One run of a long background job, updated by the job as it goes."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    task_name = models.CharField(pgettext_lazy("background job", "task"), max_length=200)
    label = models.CharField(_("description"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The last sign of life of a running job (its start, or any progress it reported): the
    # sweeper fails runs whose worker died without saying so (sweep_stalled_job_runs).
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0, validators=[MinValueValidator(0)])
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The run is its own outbox entry: what to send to Celery is written with the run, in the
    # caller's transaction, and handed_over_at is set (by one conditional UPDATE) when the
    # broker took it. A run queued while the broker was down waits here until the hand-over
    # sweep (consortium.jobs.job_runs_hand_over) sends it, once.
    task_args = models.JSONField(_("task arguments"), default=list, blank=True)
    task_kwargs = models.JSONField(_("task keyword arguments"), default=dict, blank=True)
    handed_over_at = models.DateTimeField(_("handed to the queue"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [
            models.Index(fields=["task_name", "-created_at"]),
            models.Index(fields=["created_at"], condition=models.Q(state="queued", handed_over_at__isnull=True),
                         name="jobrun_waiting_for_broker"),
        ]

    def __str__(self):
        return f"{self.label or self.task_name} ({self.get_state_display()})"

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)


# ---------------------------------------------------------------- the mail outbox


class OutboxMessage(models.Model):
    """One e-mail the portal has to send, written in the same transaction as the change
    that calls for it and sent afterwards by a worker (consortium/outbox.py).

    The message is rendered when it is queued, in the recipient's language, so a worker
    only has to send it, and what was sent stays readable here. `key` names the message
    (e.g. "louna.agenda:12:7:3"): queuing the same key again does nothing, so a task that
    runs twice, or a person who presses twice, sends one message."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("mail state", "waiting")
        SENDING = "sending", pgettext_lazy("mail state", "being sent")
        RETRY = "retry", pgettext_lazy("mail state", "waiting to retry")
        SENT = "sent", pgettext_lazy("mail state", "sent")
        FAILED = "failed", pgettext_lazy("mail state", "failed")

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=60)
    to = models.EmailField(_("recipient"), max_length=254)
    recipient = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    language = models.CharField(_("language"), max_length=8)
    about_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"name": ..., "mimetype": ..., "base64": ...}]: the files travel with the row.
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("reason"), blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    smtp_reply = models.CharField(_("server's reply"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["state", "retry_after"], name="outbox_due"),
            models.Index(fields=["about_type", "about_id"], name="outbox_about"),
            models.Index(fields=["kind", "-created_at"], name="outbox_kind"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.get_state_display()})"
