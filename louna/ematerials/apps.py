from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EMaterialsConfig(AppConfig):
    """Louna's shared e-materials (area 4 of the service agreement): the directors'
    selection principles, budgets and their cost shares, orders and their cataloguing."""

    name = "louna.ematerials"
    label = "louna_ematerials"
    verbose_name = _("Louna e-materials")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import integration  # noqa: F401 - registers navigation, cards and demo data
