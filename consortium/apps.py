from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = _("Consortium")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import cards  # noqa: F401  registers the core's own front-page cards
        from .models import RoleAssignment
        from .permissions import _drop_cached_roles

        post_save.connect(_drop_cached_roles, sender=RoleAssignment, dispatch_uid="portal-roles-cache-save")
        post_delete.connect(_drop_cached_roles, sender=RoleAssignment, dispatch_uid="portal-roles-cache-delete")
