"""The action programme's seams into the core: the navigation entry, front-page cards and
the demo seeder."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.registry import Card, CardItem, NavEntry, register_card, register_nav, register_seeder

from . import permissions as perms
from .demo import seed_programmes
from .models import ChangeProposal, LibraryPosition, Programme

def programme_review_card(request, roles):
    """Each programme in review (two can be open for comments at once): the director sees
    whether their library has answered and the deadline; the coordinator sees how many have
    answered and the proposals waiting."""
    if not (roles.coordinator or roles.is_director):
        return None
    cards = [card for programme in Programme.objects.filter(state=Programme.State.REVIEW).order_by("year")
             if (card := _review_card(request.user, programme)) is not None]
    return cards or None


def _review_card(user, programme):
    url = reverse("louna:programme_detail", args=[programme.year])
    deadline = date_format(programme.review_deadline, "SHORT_DATE_FORMAT") if programme.review_deadline else "–"
    items = []
    if perms.can_coordinate(user):
        answered = LibraryPosition.objects.filter(programme=programme).count()
        total = perms.louna_libraries().count()
        waiting = ChangeProposal.objects.filter(item__programme=programme, state=ChangeProposal.State.OPEN).count()
        items.append(CardItem(label=_("%(answered)d of %(total)d libraries have answered")
                              % {"answered": answered, "total": total},
                              url=reverse("louna:programme_manage", args=[programme.year]),
                              note=_("deadline %(date)s") % {"date": deadline}))
        if waiting:
            items.append(CardItem(label=_("%(count)d change proposals waiting") % {"count": waiting}, url=url,
                                  urgent=True))
    else:
        mine = perms.position_libraries(user)
        if not mine:
            return None
        answered = set(LibraryPosition.objects.filter(programme=programme, library_id__in=mine)
                       .values_list("library_id", flat=True))
        if answered >= set(mine):
            items.append(CardItem(label=_("Your library has answered"), url=url + "#position"))
        else:
            items.append(CardItem(label=_("Read the draft and state your library's position"), url=url,
                                  note=_("by %(date)s") % {"date": deadline},
                                  urgent=bool(programme.review_deadline)
                                  and (programme.review_deadline - timezone.localdate()).days <= 3))
    return Card(title=_("Action programme %(year)d in review") % {"year": programme.year}, items=items,
                more_url=url, more_label=_("Open the programme"), order=15)


def _seed(*, scale: int = 0, stdout=None):
    seed_programmes(scale=scale, stdout=stdout)


def register() -> None:
    """Called once from LounaConfig.ready()."""
    register_nav(NavEntry("louna-programme", gettext_lazy("Action programme"), "louna:programme_list",
                          perms.can_view_programme, order=41))
    register_card(programme_review_card)
    register_seeder("louna-programme", _seed, order=41)
