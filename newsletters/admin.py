"""Read-mostly admin views for support; the work itself happens on the staff pages."""

from django.contrib import admin

from .models import Block, Delivery, Issue, Item, Subscriber


class BlockInline(admin.TabularInline):
    model = Block
    extra = 0
    fields = ["position", "kind", "area", "title"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "month", "status", "send_at", "sent_at"]
    list_filter = ["status"]
    inlines = [BlockInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "issue", "created_at"]
    list_select_related = ["issue", "area"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "language", "status", "consent_method", "consent_at"]
    list_filter = ["status", "consent_method", "language", "areas"]
    search_fields = ["email", "name"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["email", "issue", "status", "attempts", "sent_at", "retry_after"]
    list_filter = ["status", "issue"]
    search_fields = ["email", "message_id"]
    list_select_related = ["issue"]
    raw_id_fields = ["subscriber"]
    # The outbox is the sender's: changing a row by hand could send a message twice or never.
    readonly_fields = [f.name for f in Delivery._meta.fields]
