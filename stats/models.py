"""The Louna libraries' figures for the Ministry of Education and Culture's (OKM) annual
library statistics: per service point, per municipality for the shared services, and the
municipality totals the annual job computes from them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from consortium.models import Municipality, ServicePoint, ServicePointExternalId

__all__ = (
    "StatisticsYear",
    "StatsImport",
    "Metric",
    "MetricVersion",
    "Figure",
    "PendingImport",
    "DraftState",
    "Service",
    "ServiceFigure",
    "CounterPlatform",
    "ColumnMapping",
    "CounterMonthUses",
    "CounterUsage",
    "AnnualReport",
    "MunicipalityLock",
    "SharedMetric",
    "ServiceSharedMetric",
    "KEYED_FIGURES",
    "SplitMethod",
    "SharedServiceTotal",
    "MunicipalityYearTotal",
    "SERVICE_POINT_FIELDS",
    "TOTAL_FIELDS",
)

# The service-point counts, in the order the import file and the pages show them.
SERVICE_POINT_FIELDS = ("removals", "acquisitions", "collection", "loans", "active_customers")


class StatisticsYear(models.Model):
    """One statistics year (1.1.–31.12.): open -> imported -> computed -> reported.
    Once reported to the ministry it is locked: nothing about it changes any more."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        IMPORTED = "imported", _("figures imported")
        COMPUTED = "computed", _("computed")
        REPORTED = "reported", _("reported")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reported by"))
    # The completeness found by the last computation (the Louna service points lacking figures).
    missing_service_points = models.PositiveIntegerField(_("service points without figures"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("statistics year")
        verbose_name_plural = _("statistics years")
        constraints = [models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100),
                                              name="stats_year_in_range")]

    def __str__(self):
        return str(self.year)

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.REPORTED


class StatsImport(models.Model):
    """One accepted import file: who brought it, when, and how many rows it had."""

    class Kind(models.TextChoices):
        SERVICE_POINTS = "service_points", _("service point figures")
        SHARED = "shared", _("shared services")
        COUNTER = "counter", _("COUNTER usage report")
        WEB_VISITS = "web_visits", _("web visits (Matomo export)")
        EMATERIAL = "ematerial", _("e-material vendor figures")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded")
        HARVEST = "harvest", _("harvested")

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="imports",
                                        verbose_name=_("statistics year"))
    kind = models.CharField(_("content"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    encoding = models.CharField(_("character encoding"), max_length=20, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    # The same file twice is recognised by its SHA-256 (of the bytes as uploaded).
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    replaced = models.PositiveIntegerField(_("figures replaced"), default=0)
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)
    reverted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reverted by"))
    # Uploaded by a person, or harvested from a vendor's SUSHI API (stats.sushi). A harvested
    # report carries a key (account, report, month): the same key again replaces the import.
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.UPLOAD)
    source_key = models.CharField(_("source key"), max_length=120, blank=True, db_index=True)
    # A COUNTER import's report, institution, platforms and period ({"report_id",
    # "institution", "platforms": [...], "begin", "end": "YYYY-MM-DD"}): a later import of the
    # same report and institution with a platform in common replaces its counts of the
    # months both cover (services.counter_import_save).
    counter_scope = models.JSONField(_("COUNTER report scope"), default=dict, blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.statistics_year}: {self.file_name}"


class DraftState(models.TextChoices):
    CHECKING = "checking", _("being checked")
    READY = "ready", _("waiting for confirmation")
    REFUSED = "refused", _("refused")
    SAVING = "saving", _("being saved")
    SAVED = "saved", _("saved")
    FAILED = "failed", pgettext_lazy("a background job's outcome", "failed")


class PendingImport(models.Model):
    """A previewed file waiting for its confirmation: the bytes and their hash are kept here
    (not in the session), so a confirm saves exactly what was previewed. Uploading another
    file for the same year drops the person's earlier drafts, so a stale confirm from a
    second tab finds nothing rather than importing the other file."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="+",
                                        verbose_name=_("statistics year"))
    kind = models.CharField(_("content"), max_length=20, choices=StatsImport.Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("file"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # A large file is checked and saved by a background job (stats/import_jobs.py): the draft
    # carries the job's state, the run that shows its progress, the preview the check left
    # (JSON, so the page can show it once the job is done) and the import it became.
    state = models.CharField(_("state"), max_length=10, choices=DraftState.choices, default=DraftState.READY)
    job_run = models.ForeignKey("consortium.JobRun", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("background job"))
    result = models.JSONField(_("check result"), default=dict, blank=True)
    stats_import = models.ForeignKey("StatsImport", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("import"))
    # The service a single-site web analytics export is for (its rows name no site).
    service = models.ForeignKey("Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("web or e-material service"))

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return f"{self.statistics_year}: {self.file_name} ({self.sha256[:12]})"


# ---------------------------------------------------------------- metrics as data


class Metric(models.Model):
    """A figure the statistics know: a code the files and other apps use, its names, its
    unit and the level it is reported at. Which OKM variable it feeds is per year
    (MetricVersion), because OKM's variable set changes from year to year."""

    class Level(models.TextChoices):
        SERVICE_POINT = "service_point", _("service point")
        MUNICIPALITY = "municipality", _("municipality")
        # A web site or an e-material service (ServiceFigure); not in a year's OKM set by itself.
        SERVICE = "service", _("web or e-material service")

    class Unit(models.TextChoices):
        ITEMS = "items", pgettext_lazy("unit", "items")
        LOANS = "loans", pgettext_lazy("unit", "loans")
        CUSTOMERS = "customers", pgettext_lazy("unit", "customers")
        VISITS = "visits", pgettext_lazy("unit", "visits")
        USES = "uses", pgettext_lazy("unit", "uses")
        TITLES = "titles", pgettext_lazy("unit", "titles")
        EUROS = "euros", pgettext_lazy("unit", "euros")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=120)
    name_sv = models.CharField(_("name in Swedish"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    level = models.CharField(_("reported per"), max_length=15, choices=Level.choices)
    # Shared services' figures arrive as one total and are split among municipalities.
    is_shared = models.BooleanField(_("split among municipalities"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return {"sv": self.name_sv, "en": self.name_en}.get(language) or self.name_fi


class MetricVersion(models.Model):
    """A metric in one year's set, with the OKM variable it fed that year. A year's figures
    keep the set they were reported under: a new year gets a copy of the previous set,
    which can then change without touching earlier years."""

    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="versions", verbose_name=_("metric"))
    okm_variable = models.CharField(_("OKM variable"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["year", "position", "metric__code"]
        verbose_name = _("metric of a year")
        verbose_name_plural = _("metrics of a year")
        constraints = [models.UniqueConstraint(fields=["year", "metric"], name="stats_metric_once_per_year")]

    def __str__(self):
        return f"{self.year}: {self.metric_id}"


class Figure(models.Model):
    """One value: a metric for a year (month 0) or a month, of a service point (its
    municipality kept beside it) or of a municipality, with the import it came from. An
    import that replaces figures keeps the old rows, marked `replaced_by`, so reverting it
    brings them back. A zero is a figure; a missing row is no figure."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="figures",
                                        verbose_name=_("statistics year"))
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="figures", verbose_name=_("metric"))
    month = models.PositiveSmallIntegerField(_("month"), default=0, help_text=_("0: the whole year"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("municipality"))
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="statistics", verbose_name=_("service point"))
    value = models.PositiveBigIntegerField(_("value"))
    source_import = models.ForeignKey(StatsImport, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="figures", verbose_name=_("import"))
    replaced_by = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="replaced_figures", verbose_name=_("replaced by"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["statistics_year", "metric", "month"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        indexes = [models.Index(fields=["statistics_year", "municipality", "metric"], name="stats_figure_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(month__lte=12), name="stats_figure_month_0_to_12"),
            models.UniqueConstraint(fields=["statistics_year", "metric", "month", "service_point"],
                                    condition=Q(replaced_by__isnull=True, service_point__isnull=False),
                                    name="stats_point_figure_current_once"),
            models.UniqueConstraint(fields=["statistics_year", "metric", "month", "municipality"],
                                    condition=Q(replaced_by__isnull=True, service_point__isnull=True),
                                    name="stats_municipality_figure_current_once"),
        ]

    def __str__(self):
        return f"{self.statistics_year}/{self.month}: {self.metric_id} {self.value}"


class SharedMetric(models.TextChoices):
    """The shared services' figures that are split among the Louna municipalities."""

    FINNA_VISITS = "finna_visits", _("web visits to Finna")
    LOUNAKIRJAILIJAT_VISITS = "lounakirjailijat_visits", _("web visits to Lounakirjailijat")
    EMATERIAL_COUNT = "ematerial_count", _("shared e-materials: count")
    EMATERIAL_USES = "ematerial_uses", _("shared e-materials: uses")
    EMATERIAL_ACQUISITIONS = "ematerial_acquisitions", _("shared e-materials: acquisitions")


class ServiceSharedMetric(models.TextChoices):
    """Shared figures only the e-material services' own figures give (metrics.SERVICE_FEEDS):
    split by the annual job, not at import. Kept apart from SharedMetric, whose values are
    MunicipalityYearTotal's columns."""

    EMATERIAL_LOANS = "ematerial_shared_loans", _("shared e-materials: loans")
    EMATERIAL_ACQUISITIONS_EUR = "ematerial_acquisitions_eur", _("shared e-materials: acquisitions in euros")


# Every shared figure that has an allocation key of its own.
KEYED_FIGURES = SharedMetric.choices + ServiceSharedMetric.choices


class SplitMethod(models.TextChoices):
    POPULATION = "population", _("by population share")
    LOANS = "loans", _("by loans")
    AGREED = "agreed", _("by agreed shares")
    EQUAL = "equal", _("equally")
    GIVEN = "given", _("as given in the file")


class AllocationKey(models.Model):
    """How one shared figure of a year is split among the municipalities, as the coordinator
    chose it: by population, by loans, by agreed shares or equally. A figure without a row is
    split by population, as it always was. The split itself is made when the figure is
    imported, and the key and its inputs are kept beside it (SharedServiceTotal.key_inputs);
    the e-material services' figures are split when the annual job runs, by the key in force
    then, and the key and its inputs are kept in the report version (AnnualReport.details)."""

    CHOICES = [(value, label) for value, label in SplitMethod.choices if value != SplitMethod.GIVEN]

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="allocation_keys",
                                        verbose_name=_("statistics year"))
    metric = models.CharField(_("figure"), max_length=40, choices=KEYED_FIGURES)
    method = models.CharField(_("split method"), max_length=20, choices=CHOICES)
    # {municipality id as text: its whole-number share}; only for agreed shares.
    agreed_shares = models.JSONField(_("agreed shares"), default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["statistics_year", "metric"]
        verbose_name = _("allocation key")
        verbose_name_plural = _("allocation keys")
        constraints = [models.UniqueConstraint(fields=["statistics_year", "metric"], name="stats_key_once_per_figure")]

    def __str__(self):
        return f"{self.statistics_year_id}: {self.metric} {self.method}"


class SharedServiceTotal(models.Model):
    """A shared figure's total for the year and how an import divided it: the key and its
    inputs, shown beside the parts. A row per import that split the figure: a later split
    keeps this one, marked `replaced_by` as its parts are (Figure), so reverting the later
    import brings back this total, key and inputs together with the parts made by them."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="shared_totals",
                                        verbose_name=_("statistics year"))
    metric = models.CharField(_("figure"), max_length=40)
    total = models.PositiveBigIntegerField(_("total"))
    split_method = models.CharField(_("split method"), max_length=20, choices=SplitMethod.choices)
    # The allocation key's inputs as used ({municipality id: weight}), shown beside the split.
    key_inputs = models.JSONField(_("key inputs"), default=dict, blank=True)
    # For a population split: the population year used (the latest at or before the statistics year).
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    # The import whose split this is (none: demo data); the total goes with it, as its parts do.
    source_import = models.ForeignKey(StatsImport, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="shared_totals", verbose_name=_("import"))
    replaced_by = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="replaced_shared_totals", verbose_name=_("replaced by"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["statistics_year", "metric"]
        verbose_name = _("shared service total")
        verbose_name_plural = _("shared service totals")
        constraints = [models.UniqueConstraint(fields=["statistics_year", "metric"],
                                               condition=Q(replaced_by__isnull=True),
                                               name="stats_shared_total_in_force_once")]

    def __str__(self):
        return f"{self.statistics_year}: {self.metric}"


# The municipality totals: the service-point sums, then the shared services' parts.
TOTAL_FIELDS = SERVICE_POINT_FIELDS + tuple(SharedMetric.values)


class MunicipalityYearTotal(models.Model):
    """A municipality's totals for the year, written by the annual job (one row per
    municipality and year: running the job again overwrites, never duplicates)."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="totals",
                                        verbose_name=_("statistics year"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("municipality"))
    removals = models.PositiveIntegerField(_("removals"), default=0)
    acquisitions = models.PositiveIntegerField(_("acquisitions"), default=0)
    collection = models.PositiveIntegerField(_("collection at 31.12."), default=0)
    loans = models.PositiveIntegerField(_("loans (incl. renewals)"), default=0)
    active_customers = models.PositiveIntegerField(_("active customers"), default=0)
    finna_visits = models.PositiveIntegerField(_("web visits to Finna"), default=0)
    lounakirjailijat_visits = models.PositiveIntegerField(_("web visits to Lounakirjailijat"), default=0)
    ematerial_count = models.PositiveIntegerField(_("shared e-materials: count"), default=0)
    ematerial_uses = models.PositiveIntegerField(_("shared e-materials: uses"), default=0)
    ematerial_acquisitions = models.PositiveIntegerField(_("shared e-materials: acquisitions"), default=0)
    service_points = models.PositiveIntegerField(_("service points"), default=0)
    service_points_missing = models.PositiveIntegerField(_("service points without figures"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["statistics_year", "municipality"]
        verbose_name = _("municipality total")
        verbose_name_plural = _("municipality totals")
        constraints = [models.UniqueConstraint(fields=["statistics_year", "municipality"],
                                               name="stats_total_once_per_municipality")]

    def __str__(self):
        return f"{self.statistics_year}: {self.municipality_id}"


class ColumnMapping(models.Model):
    """Which column of a source's export is which metric, kept as data: a new export format
    (Quria after Mikromarc, a vendor's own column names) is a few rows here, not code. The
    column name is compared lower-cased without punctuation. The built-in Finnish names
    of the base metrics (csvimport.POINT_HEADERS) always apply as well. For service-point
    files the source is the library system (mikromarc, quria, kirkanta, other); a row may
    also name a system's id column (target: the service point id), whose values are then
    looked up among that system's ids."""

    class Target(models.TextChoices):
        METRIC = "metric", _("a metric")
        SERVICE_POINT_ID = "service_point_id", _("the service point's id in the source's system")

    # The files a mapping can apply to: a library system's service-point export (its id
    # source), an e-material vendor's file, a web analytics export.
    OTHER_SOURCES = ("vendor", "matomo")

    source = models.CharField(_("source"), max_length=40, help_text=_(
        "The files the column is in: a library system's export (kirkanta, mikromarc, quria, other), vendor "
        "(e-material vendors' files) or matomo (web analytics exports)."))
    column = models.CharField(_("column name"), max_length=120)
    target = models.CharField(_("the column is"), max_length=20, choices=Target.choices, default=Target.METRIC)
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="column_mappings",
                               verbose_name=_("metric"), null=True, blank=True)

    class Meta:
        ordering = ["source", "column"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "column"], name="stats_column_mapped_once"),
            # A metric's column names its metric; an id column none.
            models.CheckConstraint(condition=Q(target="metric", metric__isnull=False)
                                   | Q(target="service_point_id", metric__isnull=True),
                                   name="stats_column_mapping_target"),
        ]

    def clean(self):
        # Kept as the imports look it up (lower case), so "Vendor" is vendor's mapping; a
        # mapping of any other source would be kept and never applied to a file.
        self.source = self.source.strip().lower()
        sources = (*ServicePointExternalId.Source.values, *self.OTHER_SOURCES)
        if self.source not in sources:
            raise ValidationError({"source": _("No import reads files of the source “%(source)s”: give one of "
                                               "%(sources)s.") % {"source": self.source.strip()[:40],
                                                                  "sources": ", ".join(sources)}})
        if self.target == self.Target.METRIC and self.metric_id is None:
            raise ValidationError({"metric": _("Choose the metric the column gives.")})
        if self.target == self.Target.SERVICE_POINT_ID:
            if self.metric_id is not None:
                raise ValidationError({"metric": _("An id column gives no metric: leave the metric empty.")})
            if self.source.strip().lower() not in ServicePointExternalId.Source.values:
                raise ValidationError({"source": _("An id column's source is the system whose ids it holds: one "
                                                   "of %(systems)s.") % {
                    "systems": ", ".join(ServicePointExternalId.Source.values)}})

    def __str__(self):
        return f"{self.source}: {self.column} → {self.metric_id or self.target}"


class CounterUsage(models.Model):
    """One month's count of one metric type for one item of a COUNTER R5/R5.1 report, with
    the import (the report file) it came from. Uses, never loans: COUNTER has no loans."""

    # No foreign-key constraint in the database: PostgreSQL checks one row at a time at commit,
    # which doubled the time a 200 000-row report (2.4 million counts) took to load
    # (bench/stats.py). The rows are written only with their import, in its transaction, and
    # go with it (Django's cascade, or a revert's one DELETE).
    source_import = models.ForeignKey(StatsImport, on_delete=models.CASCADE, related_name="counter_usage",
                                      verbose_name=_("import"), db_constraint=False)
    report_id = models.CharField(_("COUNTER report"), max_length=10)
    release = models.CharField(_("COUNTER release"), max_length=4)
    platform = models.CharField(_("platform"), max_length=255, blank=True)
    title = models.CharField(pgettext_lazy("a publication in a COUNTER report", "title"), max_length=500, blank=True)
    identifiers = models.JSONField(_("identifiers"), default=dict, blank=True)
    data_type = models.CharField(_("data type"), max_length=40, blank=True)
    access_type = models.CharField(_("access type"), max_length=40, blank=True)
    access_method = models.CharField(_("access method"), max_length=40, blank=True)
    yop = models.CharField(_("year of publication"), max_length=9, blank=True)
    metric_type = models.CharField(_("metric type"), max_length=60)
    month = models.DateField(_("month"))
    count = models.PositiveBigIntegerField(_("count"))
    # A later import of the same report and months replaced this count: kept, so reverting
    # that import brings it back (as Figure.replaced_by). No constraint, as source_import;
    # indexed only where set, so the COPY of a new report (all NULL here) maintains no index.
    replaced_by = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="replaced_counter_usage", verbose_name=_("replaced by"),
                                    db_constraint=False, db_index=False)

    class Meta:
        verbose_name = _("COUNTER usage")
        verbose_name_plural = _("COUNTER usage")
        indexes = [models.Index(fields=["source_import", "metric_type"], name="stats_counter_by_import"),
                   models.Index(fields=["replaced_by"], condition=Q(replaced_by__isnull=False),
                                name="stats_counter_replaced")]

    def __str__(self):
        return f"{self.report_id} {self.platform} {self.metric_type} {self.month}"


class CounterMonthUses(models.Model):
    """An import's uses per report, platform and month: its COUNTER counts of the uses
    metric (Total_Item_Requests, the access method TDM left out) added up when the report
    is saved (services.counter_import_save), from the rows it has just read. The uses of a
    year (stats/counteruses.py) are read from these few dozen rows per import rather than
    grouped from the millions of CounterUsage rows on every page load. Replaced and
    reverted with the import's CounterUsage rows, month by month."""

    source_import = models.ForeignKey(StatsImport, on_delete=models.CASCADE, related_name="counter_month_uses",
                                      verbose_name=_("import"))
    report_id = models.CharField(_("COUNTER report"), max_length=10)
    platform = models.CharField(_("platform"), max_length=255, blank=True)
    month = models.DateField(_("month"))  # the first day
    uses = models.PositiveBigIntegerField(_("number of uses"))
    # As CounterUsage.replaced_by: set for the same imports and months in the same save.
    replaced_by = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="replaced_counter_month_uses", verbose_name=_("replaced by"))

    class Meta:
        verbose_name = _("COUNTER uses per month")
        verbose_name_plural = _("COUNTER uses per month")
        indexes = [models.Index(fields=["month"], name="stats_counter_uses_month")]

    def __str__(self):
        return f"{self.report_id} {self.platform} {self.month}: {self.uses}"


# ---------------------------------------------------------------- the annual reports


class AnnualReport(models.Model):
    """One version of a municipality's annual report for OKM: the figures the annual job
    computed, kept as data, so a later run never overwrites what an earlier one said.
    Each run of the job adds a version (1, 2, ...) with what changed from the one before.
    A version's figures never change (PostgreSQL refuses it in a trigger, see migration
    0007); the only change a version takes is being marked delivered, once, and a
    delivered version takes none at all. Versions are never deleted."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.PROTECT, related_name="reports",
                                        verbose_name=_("statistics year"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("municipality"))
    version = models.PositiveSmallIntegerField(_("version"))
    # {metric code: value}; an int, or a decimal (euros) as text. A missing code: no figure.
    figures = models.JSONField(_("figures"), default=dict)
    # What the figures rest on: the metrics as they were named then, the service points'
    # figures, the shared figures' allocation keys, the figure sources and what was missing.
    details = models.JSONField(_("details"), default=dict)
    # [{"code", "old", "new"}] against the previous version of the same municipality and year.
    changes = models.JSONField(_("changes"), default=list)
    # The job run that made the version: a task delivered twice for the same run makes no
    # second version (a plain id: job runs are pruned after 90 days, reports are kept).
    job_run_id = models.PositiveBigIntegerField(_("job run"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("started by"))
    created_at = models.DateTimeField(_("computed"))
    delivered = models.BooleanField(_("delivered"), default=False)
    delivered_at = models.DateTimeField(_("delivered on"), null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("delivered by"))

    class Meta:
        ordering = ["statistics_year", "municipality", "version"]
        verbose_name = _("annual report version")
        verbose_name_plural = _("annual report versions")
        constraints = [
            models.UniqueConstraint(fields=["statistics_year", "municipality", "version"],
                                    name="stats_report_version_once"),
            models.UniqueConstraint(fields=["job_run_id", "municipality"], condition=Q(job_run_id__isnull=False),
                                    name="stats_report_once_per_job_run"),
            models.CheckConstraint(condition=Q(delivered=False, delivered_at__isnull=True)
                                   | Q(delivered=True, delivered_at__isnull=False),
                                   name="stats_report_delivered_has_date"),
        ]

    def __str__(self):
        return f"{self.statistics_year_id}/{self.municipality_id} v{self.version}"

    def save(self, *args, **kwargs):
        # The database refuses it on PostgreSQL; this says so on any database.
        if self.pk is not None and not kwargs.get("update_fields"):
            raise ValueError("An annual report version is never rewritten; only annual_services changes it.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Annual report versions are kept.")
class Service(models.Model):
    """A web site or an e-material service whose figures come per service, not per service
    point: web visits from the web analytics tool (Matomo), e-book and e-audiobook loans
    from the vendor's own report, titles and acquisitions per year. A web site whose year
    total is a shared figure names that metric (`feeds`): importing its visits also splits
    the year's total among the municipalities, as the shared-services file does."""

    class Kind(models.TextChoices):
        WEB = "web", _("web site")
        EMATERIAL = "ematerial", _("e-material service")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    # How the web analytics export names the site: its id in Matomo or its name (the Label column).
    matomo_site = models.CharField(_("Matomo site id or name"), max_length=120, blank=True)
    feeds = models.ForeignKey(Metric, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              limit_choices_to={"is_shared": True}, verbose_name=_("shared figure it feeds"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("web or e-material service")
        verbose_name_plural = _("web and e-material services")

    def __str__(self):
        return self.name


class ServiceFigure(models.Model):
    """A service's figure for a month (1–12) or the whole year (0): web visits, e-material
    loans (as the vendor reports them: COUNTER has no loans, so they are never derived from
    Total_Item_Requests), titles, acquisitions in euros and in items. Replaced rows are kept,
    marked `replaced_by`, as with Figure, so an import can be reverted."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="service_figures",
                                        verbose_name=_("statistics year"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="figures",
                                verbose_name=_("web or e-material service"))
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="service_figures",
                               verbose_name=_("metric"))
    month = models.PositiveSmallIntegerField(_("month"), default=0, help_text=_("0: the whole year"))
    # Euros keep their cents; counts are whole numbers in the same column.
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source_import = models.ForeignKey(StatsImport, on_delete=models.CASCADE, related_name="service_figures",
                                      verbose_name=_("import"))
    replaced_by = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="replaced_service_figures", verbose_name=_("replaced by"))

    class Meta:
        ordering = ["statistics_year", "service", "metric", "month"]
        verbose_name = _("service figure")
        verbose_name_plural = _("service figures")
        constraints = [
            models.CheckConstraint(condition=Q(month__lte=12), name="stats_service_figure_month_0_to_12"),
            models.CheckConstraint(condition=Q(value__gte=0), name="stats_service_figure_not_negative"),
            models.UniqueConstraint(fields=["statistics_year", "service", "metric", "month"],
                                    condition=Q(replaced_by__isnull=True), name="stats_service_figure_current_once"),
        ]

    def __str__(self):
        return f"{self.statistics_year}/{self.month}: {self.service_id} {self.metric_id} {self.value}"


class MunicipalityLock(models.Model):
    """One municipality's figures for a year reported to the ministry and locked before the
    year as a whole is: the year lock (StatisticsYear.is_locked) is the whole country's, and
    Louna reports before the rest of the country has finished. Once locked, no import may
    add, change or replace a figure of the municipality (or of a municipality its joint
    library organisation also serves), no import holding its figures is reverted, and the
    annual job makes it no new version. As with the year lock there is no undo: what went to
    the ministry stays as it went. `report` is the version it was locked at (delivered)."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.PROTECT, related_name="municipality_locks",
                                        verbose_name=_("statistics year"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("municipality"))
    report = models.OneToOneField(AnnualReport, on_delete=models.PROTECT, related_name="lock",
                                  verbose_name=_("annual report version"))
    locked_at = models.DateTimeField(_("locked"))
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("locked by"))

    class Meta:
        ordering = ["statistics_year", "municipality"]
        verbose_name = _("municipality lock")
        verbose_name_plural = _("municipality locks")
        constraints = [models.UniqueConstraint(fields=["statistics_year", "municipality"],
                                               name="stats_municipality_locked_once")]

    def __str__(self):
        return f"{self.statistics_year_id}/{self.municipality_id} locked"


class CounterPlatform(models.Model):
    """A platform name that an e-material service's COUNTER reports give (the `Platform`
    column, or the header's platform filter): the link from the reports' counts to the
    service, so its uses can be split among the municipalities (stats/counteruses.py).
    Compared without regard to case or surrounding spaces. A name belongs to one service at
    most (unique), so no count is given to two services."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="counter_platforms",
                                limit_choices_to={"kind": "ematerial"}, verbose_name=_("e-material service"))
    name = models.CharField(_("COUNTER platform"), max_length=255,
                            help_text=_("As the service's COUNTER reports name it, e.g. Ellibs."))

    class Meta:
        ordering = ["service", "name"]
        verbose_name = _("COUNTER platform")
        verbose_name_plural = _("COUNTER platforms")
        constraints = [models.UniqueConstraint(
            Lower("name"), name="stats_counter_platform_once",
            violation_error_message=_("Another service already claims this COUNTER platform."))]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        self.name = self.name.strip()
        if self.service_id and self.service.kind != Service.Kind.EMATERIAL:
            raise ValidationError({"service": _("Only an e-material service has COUNTER platforms.")})
