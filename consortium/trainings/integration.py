"""The trainings' seams into the core: nav entries, front-page cards, the demo seeder and
the newsletter section (all through consortium.registry)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.registry import (Card, CardItem, NavEntry, NewsletterEntry, NewsletterSection, register_card,
                                 register_nav, register_newsletter_section, register_seeder)

from . import permissions, selectors
from .models import HELSINKI, Training

register_nav(NavEntry("trainings", gettext_lazy("Trainings"), "trainings:calendar", lambda user: True, order=30))
register_nav(NavEntry("trainings_manage", gettext_lazy("Arrange trainings"), "trainings:manage",
                      permissions.can_manage, order=31))
register_nav(NavEntry("trainings_wishes", gettext_lazy("Training wishes"), "trainings:wishes",
                      permissions.can_wish, order=32))


def _day(moment) -> str:
    return date_format(timezone.localtime(moment, HELSINKI), "SHORT_DATETIME_FORMAT")


@register_card
def person_cards(request, roles):
    user = request.user
    if not user.is_authenticated:
        return None
    now = timezone.now()
    coming, offers, owed = selectors.person_card_rows(user, now=now)
    cards = [Card(title=_("Your coming trainings"), order=40,
                  items=[CardItem(label=r.training.title, url=reverse("trainings:detail", args=[r.training_id]),
                                  note=_day(r.training.starts_at)) for r in coming],
                  empty_text=_("You have no coming trainings."), more_url=reverse("trainings:calendar"),
                  more_label=_("Training calendar"))]
    if offers:
        cards.append(Card(title=_("A place is offered to you"), order=12, items=[
            CardItem(label=r.training.title, url=reverse("trainings:registration", args=[r.token]), urgent=True,
                     note=_("accept by %(date)s") % {"date": _day(r.offer_expires_at)}) for r in offers]))
    if owed:
        cards.append(Card(title=_("Feedback on trainings"), order=45, items=[
            CardItem(label=r.training.title, url=reverse("trainings:registration", args=[r.token]))
            for r in owed]))
    if roles.staff:
        cards.append(Card(title=_("Trainings nearly full"), order=41, items=[
            CardItem(label=t.title, url=reverse("trainings:registrations", args=[t.pk]),
                     note=_("%(taken)s/%(capacity)s places, %(waiting)s waiting") % {
                         "taken": t.taken, "capacity": t.capacity, "waiting": t.waiting})
            for t in selectors.near_capacity(now=now)], empty_text=_("No training is nearly full.")))
        cards.append(Card(title=_("Most wished trainings"), order=42, items=[
            CardItem(label=w.topic, url=reverse("trainings:wishes"),
                     note=_("%(count)s staff") % {"count": w.demand or 0}) for w in selectors.wishes_ranked()[:5]],
            empty_text=_("No open wishes.")))
    return cards


def newsletter_section(*, since, until, area=None, **kwargs):
    """Trainings whose registration is open, for every member (nothing extra per area)."""
    if area is not None:
        return None
    trainings = Training.objects.filter(state=Training.State.PUBLISHED, registration_deadline__gt=until,
                                        registration_opens_at__lte=until)[:10]
    entries = [NewsletterEntry(title=t.title, text=t.description[:300], url=reverse("trainings:detail", args=[t.pk]),
                               note=_("register by %(date)s") % {"date": _day(t.registration_deadline)})
               for t in trainings]
    return NewsletterSection(key="trainings", title=_("Trainings"), entries=entries, order=30)


register_newsletter_section("trainings", newsletter_section)


def _seed(*, scale: int = 0, stdout=None):
    from .demo_data import seed_trainings

    seed_trainings(scale=scale, stdout=stdout)


register_seeder("trainings", _seed, order=40)
