"""The action programme in the Django admin, read only: every change goes through the
services, which keep a final version frozen and record amendments as such. Registered by
`register(site)`, called from louna/admin.py."""

from django.contrib import admin

from .models import ImplementationReport, LibraryPosition, Programme, ProgrammeDelivery, ProgrammeItem


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


class ProgrammeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("year", "title", "state", "review_deadline", "finalised_at")
    inlines = [ItemInline]


class PositionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("programme", "library", "position", "stated_by", "stated_at")
    list_filter = ("programme__year", "position")


class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("programme", "library", "version", "emailed_at")


class ReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("programme", "library", "state", "sent_at")


def register(site: admin.AdminSite) -> None:
    site.register(Programme, ProgrammeAdmin)
    site.register(LibraryPosition, PositionAdmin)
    site.register(ProgrammeDelivery, DeliveryAdmin)
    site.register(ImplementationReport, ReportAdmin)
