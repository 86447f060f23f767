from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Item


@admin.register(Item)
class ItemAdmin(TranslationAdmin):
    """For the site's owners: the pages (with their rules) are where items are written."""

    list_display = ("title", "kind", "library", "all_of_louna", "state", "starts_at", "publish_from")
    list_filter = ("kind", "state", "audience", "all_of_louna")
    search_fields = ("title_fi", "title_sv")
    raw_id_fields = ("created_by", "approved_by")
    filter_horizontal = ("libraries", "municipalities")
