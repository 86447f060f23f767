from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LounaConfig(AppConfig):
    name = "louna"
    verbose_name = _("Louna")

    def ready(self):
        # The seams into the core (nav entries, front-page cards, seeders, newsletter section).
        from .integration import register as register_louna
        from .programme.integration import register as register_programme

        register_louna()
        register_programme()
