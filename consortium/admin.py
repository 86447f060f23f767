from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import (
    CooperationArea,
    JobRun,
    JointMunicipality,
    Library,
    Municipality,
    MunicipalityPopulation,
    RoleAssignment,
    ServicePoint,
    ServicePointExternalId,
    User,
)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["library"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "language", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "title", "phone", "language"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


class PopulationInline(admin.TabularInline):
    model = MunicipalityPopulation
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_sv"]
    search_fields = ["code", "name_fi", "name_sv"]
    inlines = [PopulationInline]


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0


class JointMunicipalityInline(admin.TabularInline):
    """A joint library organisation's other municipalities (its host is `municipality`);
    JointMunicipality.clean names what is refused."""

    model = JointMunicipality
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "member_since", "is_active"]
    list_filter = ["is_active", "cooperation_areas"]
    search_fields = ["name", "municipality__name_fi", "municipality__code"]
    list_select_related = ["municipality"]
    inlines = [JointMunicipalityInline, ServicePointInline]


class ExternalIdInline(admin.TabularInline):
    model = ServicePointExternalId
    extra = 0


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name", "library", "kind", "opened_on", "closed_on"]
    list_filter = ["kind"]
    search_fields = ["name", "library__name"]
    list_select_related = ["library"]
    inlines = [ExternalIdInline]


admin.site.register(CooperationArea)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["task_name", "state", "created_at", "progress_done", "progress_total"]
    list_filter = ["state", "task_name"]
