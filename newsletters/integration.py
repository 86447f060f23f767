"""What the newsletter plugs into the core: front-page cards, navigation, demo data."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.registry import Card, CardItem, NavEntry, register_card, register_nav, register_seeder

from .models import Issue, Subscriber
from .permissions import can_manage_newsletters, offered_own_subscription

register_nav(NavEntry("newsletters", gettext_lazy("Newsletter"), "newsletters:index", can_manage_newsletters,
                      order=60))
register_nav(NavEntry("newsletter-subscription", gettext_lazy("Newsletter"), "newsletters:my_subscription",
                      offered_own_subscription, order=60))


@register_card
def newsletter_review_card(request, roles):
    """Staff: a draft waiting for review, or an issue being sent."""
    if not can_manage_newsletters(request.user):
        return None
    items = []
    for issue in Issue.objects.filter(status__in=[Issue.Status.DRAFT, Issue.Status.APPROVED,
                                                  Issue.Status.SENDING]).order_by("-month")[:3]:
        note = {Issue.Status.DRAFT: _("draft waiting for review"),
                Issue.Status.APPROVED: _("approved, waiting for the send time"),
                Issue.Status.SENDING: _("being sent")}[issue.status]
        items.append(CardItem(label=issue.subject, url=reverse("newsletters:issue_detail", args=[issue.pk]),
                              note=note, urgent=issue.status == Issue.Status.DRAFT))
    return Card(title=_("Newsletter"), items=items, empty_text=_("No newsletter issue waiting."),
                more_url=reverse("newsletters:index"), more_label=_("Newsletter items and issues"), order=40)


@register_card
def newsletter_subscription_card(request, roles):
    """Everyone else with a role: whether they get the newsletter, and where to change it."""
    if not offered_own_subscription(request.user):
        return None
    subscribed = Subscriber.objects.filter(user=request.user, status=Subscriber.Status.ACTIVE).exists()
    label = _("You receive the newsletter.") if subscribed else _("You do not receive the newsletter yet.")
    return Card(title=_("Newsletter"), items=[CardItem(label=label, url=reverse("newsletters:my_subscription"))],
                more_url=reverse("newsletters:archive"), more_label=_("Newsletter archive"), order=80)


def _seed(*, scale, stdout):
    from .demo import seed_newsletters

    seed_newsletters(scale=scale, stdout=stdout)


register_seeder("newsletters", _seed, order=200)
