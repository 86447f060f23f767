"""In the admin the accounts show no credentials at all (not even encrypted): they are
changed on the account page only."""

from django.contrib import admin
from django.db import models

from .models import Harvest, SushiAccount


@admin.register(SushiAccount)
class SushiAccountAdmin(admin.ModelAdmin):
    list_display = ("service_name", "library", "release", "active", "stopped_at")
    exclude = ("customer_id_encrypted", "requestor_id_encrypted", "api_key_encrypted")
    readonly_fields = ("stopped_at", "stopped_reason")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Harvest)
class HarvestAdmin(admin.ModelAdmin):
    list_display = ("account", "report_id", "month", "state", "attempts", "finished_at")
    list_filter = ("state", "report_id")
    readonly_fields = ("stats_import", "exceptions", "error", "attempts")
