"""SUSHI harvesting's seam into the core: a navigation entry for those who manage it."""

from django.utils.translation import gettext_lazy

from consortium.registry import NavEntry, register_nav

from .permissions import can_manage_sushi

register_nav(NavEntry("stats_sushi", gettext_lazy("SUSHI harvesting"), "stats_sushi:grid", can_manage_sushi,
                      order=51))
