from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = _("Consortium")

    def ready(self):
        from . import cards  # noqa: F401  registers the core's own front-page cards
        from .frontpage import connect_invalidation

        connect_invalidation()
