"""The action programme in the Django admin, read only: every change goes through the
services, which keep a final version frozen and record amendments as such."""

from django.contrib import admin

from .programme_models import ImplementationReport, LibraryPosition, Programme, ProgrammeDelivery, ProgrammeItem


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemInline(ReadOnly, admin.TabularInline):
    model = ProgrammeItem
    fields = ("position", "title", "area", "state", "percent", "is_removed")
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("year", "title", "state", "review_deadline", "finalised_at")
    inlines = [ItemInline]


@admin.register(LibraryPosition)
class PositionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("programme", "library", "position", "stated_by", "stated_at")
    list_filter = ("programme__year", "position")


@admin.register(ProgrammeDelivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("programme", "library", "version", "emailed_at")


@admin.register(ImplementationReport)
class ReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("programme", "library", "state", "sent_at")
