from django.contrib import admin

from .models import (
    ColumnMapping,
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
    list_display = ("statistics_year", "metric", "total", "split_method")


@admin.register(MunicipalityYearTotal)
class MunicipalityYearTotalAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "municipality", "loans", "service_points_missing", "computed_at")
    list_select_related = ("statistics_year", "municipality")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "column", "metric")
    list_filter = ("source",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "matomo_site", "feeds", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(ServiceFigure)
class ServiceFigureAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "service", "metric", "month", "value")
    list_filter = ("statistics_year", "service", "metric")
    list_select_related = ("statistics_year", "service", "metric")
    raw_id_fields = ("source_import", "replaced_by")
