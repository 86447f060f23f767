from django.contrib import admin

from .models import MunicipalityYearTotal, ServicePointFigures, SharedServiceTotal, StatisticsYear, StatsImport


@admin.register(StatisticsYear)
class StatisticsYearAdmin(admin.ModelAdmin):
    list_display = ("year", "state", "computed_at", "missing_service_points", "is_demo")


@admin.register(StatsImport)
class StatsImportAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "kind", "file_name", "rows", "imported_by", "imported_at")
    readonly_fields = ("imported_at",)


@admin.register(ServicePointFigures)
class ServicePointFiguresAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "service_point", "loans", "collection", "is_demo")
    list_filter = ("statistics_year",)
    list_select_related = ("statistics_year", "service_point")


@admin.register(SharedServiceTotal)
class SharedServiceTotalAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "metric", "total", "split_method")


@admin.register(MunicipalityYearTotal)
class MunicipalityYearTotalAdmin(admin.ModelAdmin):
    list_display = ("statistics_year", "municipality", "loans", "service_points_missing", "computed_at")
    list_select_related = ("statistics_year", "municipality")
