from django.contrib import admin

from . import models
from .programme.admin import register as register_programme_admin


class AreaInline(admin.TabularInline):
    model = models.ServiceArea
    extra = 0


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "provider")
    inlines = [AreaInline]


@admin.register(models.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("__str__", "area", "state", "responsible", "due_on")
    list_filter = ("state", "area__agreement__year")
    search_fields = ("text",)


for model in (models.Meeting, models.AgendaItem, models.Feedback, models.WebService, models.AccessibilityCheck,
              models.Project):
    admin.site.register(model)

register_programme_admin(admin.site)
