"""The Louna libraries' figures for the Ministry of Education and Culture's (OKM) annual
library statistics: per service point, per municipality for the shared services, and the
municipality totals the annual job computes from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.models import Municipality, ServicePoint

__all__ = (
    "StatisticsYear",
    "StatsImport",
    "ServicePointFigures",
    "SharedMetric",
    "SplitMethod",
    "SharedServiceTotal",
    "MunicipalitySharedFigure",
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

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="imports",
                                        verbose_name=_("statistics year"))
    kind = models.CharField(_("content"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    encoding = models.CharField(_("character encoding"), max_length=20, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.statistics_year}: {self.file_name}"


class ServicePointFigures(models.Model):
    """The year's figures of one service point. Loans include renewals; the collection is
    counted at 31.12.; active customers come from the library-system vendor's support and
    may arrive later (empty until then)."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="point_figures",
                                        verbose_name=_("statistics year"))
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="statistics",
                                      verbose_name=_("service point"))
    removals = models.PositiveIntegerField(_("removals"))
    acquisitions = models.PositiveIntegerField(_("acquisitions"))
    collection = models.PositiveIntegerField(_("collection at 31.12."))
    loans = models.PositiveIntegerField(_("loans (incl. renewals)"))
    active_customers = models.PositiveIntegerField(_("active customers"), null=True, blank=True)
    source_import = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("import"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["statistics_year", "service_point"]
        verbose_name = _("service point figures")
        verbose_name_plural = _("service point figures")
        constraints = [models.UniqueConstraint(fields=["statistics_year", "service_point"],
                                               name="stats_point_figures_once_per_year")]

    def __str__(self):
        return f"{self.statistics_year}: {self.service_point_id}"


class SharedMetric(models.TextChoices):
    """The shared services' figures that are split among the Louna municipalities."""

    FINNA_VISITS = "finna_visits", _("web visits to Finna")
    LOUNAKIRJAILIJAT_VISITS = "lounakirjailijat_visits", _("web visits to Lounakirjailijat")
    EMATERIAL_COUNT = "ematerial_count", _("shared e-materials: count")
    EMATERIAL_USES = "ematerial_uses", _("shared e-materials: uses")
    EMATERIAL_ACQUISITIONS = "ematerial_acquisitions", _("shared e-materials: acquisitions")


class SplitMethod(models.TextChoices):
    POPULATION = "population", _("by population share")
    GIVEN = "given", _("as given in the file")


class SharedServiceTotal(models.Model):
    """A shared service's total for the year and how it was divided."""

    statistics_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="shared_totals",
                                        verbose_name=_("statistics year"))
    metric = models.CharField(_("figure"), max_length=30, choices=SharedMetric.choices)
    total = models.PositiveIntegerField(_("total"))
    split_method = models.CharField(_("split method"), max_length=20, choices=SplitMethod.choices)
    # For a population split: the population year used (the latest at or before the statistics year).
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    source_import = models.ForeignKey(StatsImport, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("import"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["statistics_year", "metric"]
        verbose_name = _("shared service total")
        verbose_name_plural = _("shared service totals")
        constraints = [models.UniqueConstraint(fields=["statistics_year", "metric"],
                                               name="stats_shared_total_once_per_year")]

    def __str__(self):
        return f"{self.statistics_year}: {self.get_metric_display()}"


class MunicipalitySharedFigure(models.Model):
    """One municipality's part of a shared service's total."""

    shared_total = models.ForeignKey(SharedServiceTotal, on_delete=models.CASCADE, related_name="parts")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("municipality"))
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["shared_total", "municipality"]
        verbose_name = _("municipality's part")
        verbose_name_plural = _("municipalities' parts")
        constraints = [models.UniqueConstraint(fields=["shared_total", "municipality"],
                                               name="stats_shared_part_once")]

    def __str__(self):
        return f"{self.shared_total}: {self.municipality_id} {self.value}"


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
