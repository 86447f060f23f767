"""How the procurement app plugs into the core: front-page cards, navigation, the
newsletter section and the demo-data seeder (all through consortium.registry)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consortium.registry import (
    Card,
    CardItem,
    NavEntry,
    NewsletterEntry,
    NewsletterSection,
    register_card,
    register_nav,
    register_newsletter_section,
    register_seeder,
)

from .permissions import answers_for_a_library, can_manage_procurements, can_see_procurements

register_nav(NavEntry("procurements", gettext_lazy("Procurements"), "procurement:list", can_see_procurements,
                      order=30))
register_nav(NavEntry("procurement_overview", gettext_lazy("Procurement overview"), "procurement:overview",
                      can_manage_procurements, order=31))
register_nav(NavEntry("our_agreements", gettext_lazy("Our agreements"), "procurement:our_agreements",
                      answers_for_a_library, order=32))


def days_left_label(days: int) -> str:
    if days <= 0:
        return _("closes today")
    return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}


@register_card
def awaiting_answer_card(request, roles):
    """Open procurements still waiting for my library's answer, soonest deadline first."""
    if not roles.library_ids:
        return None
    from .selectors import open_awaiting_answer

    today = timezone.localdate()
    items = []
    for procurement in open_awaiting_answer(library_ids=roles.library_ids)[:6]:
        days = procurement.days_left(today)
        items.append(CardItem(label=procurement.title, url=reverse("procurement:detail", args=[procurement.pk]),
                              note=days_left_label(days), urgent=days <= 7))
    return Card(title=_("Procurements awaiting your library's answer"), items=items,
                empty_text=_("Your library has answered every open procurement."),
                more_url=reverse("procurement:list"), more_label=_("All procurements"), order=20)


@register_card
def agreements_ending_card(request, roles):
    if not roles.staff:
        return None
    from .selectors import agreements_ending, pending_appeals

    today = timezone.localdate()
    items = [CardItem(label=str(agreement), url=reverse("procurement:agreement_detail", args=[agreement.pk]),
                      note=_("ends %(date)s") % {"date": date_format(agreement.ends_on, "SHORT_DATE_FORMAT")},
                      urgent=(agreement.ends_on - today).days <= 60)
             for agreement in agreements_ending(months=6, today=today)[:5]]
    items += [CardItem(label=str(appeal), url=reverse("procurement:detail", args=[appeal.procurement_id]),
                       note=_("appeal pending"), urgent=True) for appeal in pending_appeals()[:3]]
    return Card(title=_("Agreements ending within six months"), items=items,
                empty_text=_("No agreement ends within six months and no appeal is pending."),
                more_url=reverse("procurement:overview"), more_label=_("Procurement overview"), order=25)


def newsletter_section(*, since, until, area=None):
    """Procurements open for opt-in, with their deadlines: for every member, so nothing
    for a cooperation area alone."""
    from .models import Procurement, State

    if area is not None:
        return None

    open_now = Procurement.objects.filter(state=State.OPEN, opt_in_deadline__gt=until).order_by("opt_in_deadline")
    entries = []
    for procurement in open_now:
        deadline = date_format(timezone.localtime(procurement.opt_in_deadline), "SHORT_DATE_FORMAT")
        entries.append(NewsletterEntry(
            title=procurement.title,
            text=(procurement.description or "")[:400],
            url=reverse("procurement:detail", args=[procurement.pk]),
            note=_("opt-in by %(date)s") % {"date": deadline},
        ))
    if not entries:
        return None
    return NewsletterSection(key="procurement", title=_("Procurements open for opt-in"), entries=entries, order=30)


register_newsletter_section("procurement", newsletter_section)


def _seed(*, scale, stdout):
    from .demo_data import seed_procurement

    seed_procurement(scale=scale, stdout=stdout)


register_seeder("procurement", _seed, order=30)
