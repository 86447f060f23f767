"""The action programme in the Django admin: read-mostly views for support."""

from django.contrib import admin

from .programme_models import ImplementationReport, LibraryPosition, Programme, ProgrammeDelivery, ProgrammeItem


class ItemInline(admin.TabularInline):
    model = ProgrammeItem
    fields = ("position", "title", "area", "state", "percent", "is_removed")
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "state", "review_deadline", "finalised_at")
    inlines = [ItemInline]


@admin.register(LibraryPosition)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("programme", "library", "position", "stated_by", "stated_at")
    list_filter = ("programme__year", "position")


@admin.register(ProgrammeDelivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("programme", "library", "version", "emailed_at")


@admin.register(ImplementationReport)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("programme", "library", "state", "sent_at")
