"""SUSHI harvesting's seams into the core: a navigation entry for those who manage it, and
the demo seeder."""

from django.utils.translation import gettext_lazy

from consortium.registry import NavEntry, register_nav, register_seeder

from .permissions import can_manage_sushi

register_nav(NavEntry("stats_sushi", gettext_lazy("SUSHI harvesting"), "stats_sushi:grid", can_manage_sushi,
                      order=51))


def _seed(*, scale: int = 0, stdout=None):
    from .demo_data import seed_sushi

    seed_sushi(scale=scale, stdout=stdout)


# After stats (50): the demo accounts belong to Louna libraries seeded before.
register_seeder("stats_sushi", _seed, order=55)
