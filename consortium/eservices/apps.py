from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EServicesConfig(AppConfig):
    """The consortium's e-services and e-materials: the catalogue and its stages, the
    member libraries' take-ups, evaluation groups, members' proposals and the annual plan."""

    name = "consortium.eservices"
    label = "eservices"
    verbose_name = _("E-services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import integration  # noqa: F401 - registers navigation, cards, newsletter section, demo data
