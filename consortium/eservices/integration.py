"""How the e-services app plugs into the core: navigation, front-page cards, the newsletter
section of new offerings and the demo-data seeder (all through consortium.registry)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

from .permissions import is_member

register_nav(NavEntry("eservices", gettext_lazy("E-services"), "eservices:catalogue", is_member, order=20))
register_nav(NavEntry("eservices-proposals", gettext_lazy("Proposals and annual plan"), "eservices:proposals",
                      is_member, order=21))


def _name(obj, field):
    """The reader's language version of a translated field, else the Finnish one."""
    from django.utils.translation import get_language

    own = getattr(obj, f"{field}_{(get_language() or 'fi')[:2]}", None)
    return own or getattr(obj, f"{field}_fi")


@register_card
def new_offerings_card(request, roles):
    """Announcements of offerings newly offered to the members."""
    if not roles.any:
        return None
    from .selectors import recent_announcements

    items = [CardItem(label=_name(a, "title"), url=reverse("eservices:offering_detail", args=[a.offering_id]),
                      note=date_format(timezone.localtime(a.published_at), "SHORT_DATE_FORMAT"))
             for a in recent_announcements()]
    return Card(title=_("New e-services for members"), items=items,
                empty_text=_("No new e-services in the last two months."),
                more_url=reverse("eservices:catalogue"), more_label=_("The e-service catalogue"), order=15)


@register_card
def owed_reports_card(request, roles):
    """The experience reports this person still owes."""
    if not roles.library_ids:
        return None
    from .selectors import owed_reports

    today = timezone.localdate()
    items = [CardItem(label=evaluator.group.name, url=reverse("eservices:report_write", args=[evaluator.pk]),
                      note=_("by %(date)s") % {"date": date_format(evaluator.group.ends_on, "SHORT_DATE_FORMAT")},
                      urgent=(evaluator.group.ends_on - today).days <= 7)
             for evaluator in owed_reports(request.user, today=today)[:5]]
    if not items:
        return None
    return Card(title=_("Experience reports you still owe"), items=items, order=16,
                more_url=reverse("eservices:groups"), more_label=_("Evaluation groups"))


@register_card
def triage_card(request, roles):
    """Staff: members' proposals waiting for a first decision."""
    if not roles.staff:
        return None
    from .selectors import proposals_awaiting_triage

    items = [CardItem(label=f"{p.title} ({p.library.name})", url=reverse("eservices:proposal_detail", args=[p.pk]))
             for p in proposals_awaiting_triage()[:5]]
    return Card(title=_("Proposals awaiting triage"), items=items, empty_text=_("Every proposal has been triaged."),
                more_url=reverse("eservices:proposals"), more_label=_("All proposals"), order=17)


def newsletter_section(*, since, until, area=None, **kwargs):
    """Offerings newly offered to the members: for every member, so nothing for a
    cooperation area alone. (Accepts the registry's other keywords as it grows.)"""
    if area is not None:
        return None
    from .models import Announcement

    announcements = Announcement.objects.filter(published_at__gte=since, published_at__lt=until).order_by(
        "published_at")
    entries = [NewsletterEntry(title=_name(a, "title"), text=(_name(a, "text") or "")[:400],
                               url=reverse("eservices:offering_detail", args=[a.offering_id]))
               for a in announcements]
    if not entries:
        return None
    return NewsletterSection(key="eservices", title=_("New e-services for members"), entries=entries, order=20)


register_newsletter_section("eservices", newsletter_section)


def _seed(*, scale, stdout):
    from .demo_data import seed_eservices

    seed_eservices(scale=scale, stdout=stdout)


register_seeder("eservices", _seed, order=25)
