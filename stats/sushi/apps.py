from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SushiConfig(AppConfig):
    """SUSHI accounts and their monthly harvests. Nested in stats because a harvested report
    is nothing but a COUNTER import made by a machine: it calls stats' services and is
    managed by the same people."""

    name = "stats.sushi"
    label = "stats_sushi"
    verbose_name = _("SUSHI harvesting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import integration  # noqa: F401 - registers the navigation entry
