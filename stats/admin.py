from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import (
    ColumnMapping,
    CounterPlatform,
    Figure,
    Metric,
    MetricVersion,
    MunicipalityYearTotal,
    Service,
    ServiceFigure,
    SharedServiceTotal,
    StatisticsYear,
    StatsImport,
)


@admin.register(StatisticsYear)
class StatisticsYearAdmin(admin.ModelAdmin):
    list_display = ("year", "state", "computed_at", "missing_service_points", "is_demo")


@admin.register(StatsImport)
class StatsImportAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "kind", "file_name", "rows", "imported_by", "imported_at")
    readonly_fields = ("imported_at",)


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "unit", "level", "is_shared")


@admin.register(MetricVersion)
class MetricVersionAdmin(admin.ModelAdmin):
    list_display = ("year", "metric", "okm_variable", "position")
    list_filter = ("year",)


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "metric", "month", "municipality", "service_point", "value", "is_demo")
    list_filter = ("statistics_year", "metric")
    list_select_related = ("statistics_year", "metric", "municipality", "service_point")
    raw_id_fields = ("source_import", "replaced_by", "service_point")


@admin.register(SharedServiceTotal)
class SharedServiceTotalAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "metric", "total", "split_method", "source_import", "replaced_by")
    list_filter = ("statistics_year", "metric")
    list_select_related = ("statistics_year", "source_import__statistics_year", "replaced_by__statistics_year")
    raw_id_fields = ("source_import", "replaced_by")


@admin.register(MunicipalityYearTotal)
class MunicipalityYearTotalAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "municipality", "loans", "service_points_missing", "computed_at")
    list_select_related = ("statistics_year", "municipality")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "column", "target", "metric")
    list_filter = ("source", "target")


class CounterPlatformFormSet(BaseInlineFormSet):
    def clean(self):
        # The database's unique index compares lower(name); two new rows of one service that
        # differ only in case would pass each form's check and fail at save.
        super().clean()
        seen = set()
        for form in self.forms:
            name = (form.cleaned_data.get("name") or "").strip().lower() if form.cleaned_data else ""
            if not name or form.cleaned_data.get("DELETE"):
                continue
            if name in seen:
                form.add_error("name", _("The same COUNTER platform is named twice."))
            seen.add(name)


class CounterPlatformInline(admin.TabularInline):
    """The COUNTER platform names of an e-material service: its reports' uses are its own."""

    model = CounterPlatform
    formset = CounterPlatformFormSet
    extra = 1


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "matomo_site", "feeds", "is_active")
    list_filter = ("kind", "is_active")
    inlines = [CounterPlatformInline]

    def get_inlines(self, request, obj):
        # A web site has no COUNTER reports; a new service may become either kind.
        return [] if obj is not None and obj.kind != Service.Kind.EMATERIAL else self.inlines


@admin.register(ServiceFigure)
class ServiceFigureAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "service", "metric", "month", "value")
    list_filter = ("statistics_year", "service", "metric")
    list_select_related = ("statistics_year", "service", "metric")
    raw_id_fields = ("source_import", "replaced_by")
