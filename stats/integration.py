"""The statistics' seams into the core: navigation entry, front-page card, seeder."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.registry import Card, CardItem, NavEntry, register_card, register_nav, register_seeder

from . import permissions, selectors
from .models import StatisticsYear

register_nav(NavEntry("stats", gettext_lazy("Statistics"), "stats:year_list", permissions.can_view, order=50))
# The national table: every municipality's delivered figures, for every signed-in member.
register_nav(NavEntry("stats-national", gettext_lazy("National statistics"), "stats:national_index",
                      permissions.can_view_national, order=51))


@register_card
def coordinator_statistics_card(request, roles):
    """For the coordinator: last year's statistics, until they are computed and complete."""
    if not roles.coordinator:
        return None
    year = timezone.localdate().year - 1
    statistics_year, missing = selectors.year_attention(year=year)
    items = []
    if statistics_year is None:
        items.append(CardItem(label=_("The statistics year %(year)d has not been started.") % {"year": year},
                              url=reverse("stats:year_list"), urgent=True))
    else:
        url = reverse("stats:year_detail", args=[year])
        if statistics_year.state in (StatisticsYear.State.OPEN, StatisticsYear.State.IMPORTED):
            items.append(CardItem(label=_("The totals of %(year)d are not computed yet.") % {"year": year},
                                  url=url, urgent=True))
        if missing:
            items.append(CardItem(label=_("%(count)d service points have no figures for %(year)d.")
                                  % {"count": missing, "year": year}, url=url + "#points", urgent=True))
    return Card(title=_("Statistics %(year)d") % {"year": year}, items=items,
                empty_text=_("The statistics are computed and complete."),
                more_url=reverse("stats:year_list"), more_label=_("All statistics years"), order=30)


def _seed(*, scale: int = 0, stdout=None):
    from .demo_data import seed_stats

    seed_stats(scale=scale, stdout=stdout)


register_seeder("stats", _seed, order=50)
