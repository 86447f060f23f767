from django.contrib import admin

from .models import (
    Appeal,
    Award,
    ContractNote,
    FrameworkAgreement,
    OptIn,
    OptInEvent,
    Procurement,
    ProcurementDocument,
    PurchasingBody,
    Supplier,
)

admin.site.register([PurchasingBody, Supplier, Award, Appeal, ContractNote, FrameworkAgreement])


@admin.register(Procurement)
class ProcurementAdmin(admin.ModelAdmin):
    list_display = ["title", "body_reference", "category", "state", "opt_in_deadline"]
    list_filter = ["state", "category"]
    # The state moves only through the portal's lifecycle service, which records each move.
    readonly_fields = ["state"]


@admin.register(ProcurementDocument)
class ProcurementDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "procurement", "kind", "content_type", "size"]
    readonly_fields = ["file", "extension", "content_type", "size", "sha256"]


@admin.register(OptIn)
class OptInAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the opt-in service, which keeps the audit trail."""

    list_display = ["procurement", "library", "answer", "yearly_estimate", "answered_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OptInEvent)
class OptInEventAdmin(OptInAdmin):
    list_display = ["procurement", "library", "action", "by", "at"]
