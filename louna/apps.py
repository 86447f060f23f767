from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LounaConfig(AppConfig):
    name = "louna"
    verbose_name = _("Louna")

    def ready(self):
        from . import integration  # noqa: F401  registers cards, the nav entry and the seeder
        from . import programme_integration  # noqa: F401  the action programme (issue 6)
