"""The events app's seams into the core: the nav entry, the coordinator's card of items
waiting for a check, and the demo seeder."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.registry import Card, CardItem, NavEntry, register_card, register_nav, register_seeder

from . import permissions, selectors

register_nav(NavEntry("louna_events", gettext_lazy("Louna events"), "louna_events:manage",
                      permissions.can_write, order=41))


@register_card
def pending_card(request, roles):
    """The coordinator's check: libraries' items waiting to be published."""
    if not roles.coordinator:
        return None
    waiting = list(selectors.pending_items()[:8])
    return Card(
        title=_("Events and news waiting for your check"),
        items=[CardItem(label=item.title, url=reverse("louna_events:edit", args=[item.pk]),
                        note=str(item.library or "")) for item in waiting],
        empty_text=_("Nothing waits for a check."), more_url=reverse("louna_events:manage"),
        more_label=_("All events and news"), order=22,
    )


def _seed(*, scale: int = 0, stdout=None):
    from .demo_data import seed_events

    seed_events(scale=scale, stdout=stdout)


register_seeder("louna_events", _seed, order=45)
