from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LounaEventsConfig(AppConfig):
    name = "louna.events"
    label = "louna_events"
    verbose_name = _("Louna events and news")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import integration  # noqa: F401  registers the nav entry, the card and the seeder
