from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self):
        from . import integration  # noqa: F401  (registers cards, navigation and the seeder)
