from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Training


@admin.register(Training)
class TrainingAdmin(TranslationAdmin):
    """For the site's owners to look; trainings are arranged on the pages, where the rules run."""

    list_display = ("title", "kind", "theme", "state", "starts_at", "capacity")
    list_filter = ("kind", "state", "language")
    search_fields = ("title_fi", "title_sv", "theme")
    raw_id_fields = ("created_by", "from_wish")
    filter_horizontal = ("libraries",)
