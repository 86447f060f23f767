"""How Louna's e-materials plug into the portal: navigation and demo data."""

from django.utils.translation import gettext_lazy

from consortium.registry import NavEntry, register_figure_source, register_nav, register_seeder

from .permissions import can_view


def _seed(*, scale: int = 0, stdout=None) -> None:
    from .demo_data import seed_ematerials

    seed_ematerials(scale=scale, stdout=stdout)


register_nav(NavEntry("louna-ematerials", gettext_lazy("Louna e-materials"), "louna_ematerials:overview",
                      can_view, order=42))
register_seeder("louna-ematerials", _seed, order=45)


def _figures(*, year: int):
    from .selectors import statistics_figures

    return statistics_figures(year=year)


# The figures' source is the key, so the report shows the label in the reader's language.
register_figure_source("louna-ematerials", _figures, label=gettext_lazy("Louna e-material orders"))
