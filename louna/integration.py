"""Louna's seams into the core: front-page cards, the navigation entry and the seeder."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.permissions import LOUNA_AREA
from consortium.registry import (
    Card,
    CardItem,
    NavEntry,
    register_card,
    register_nav,
    register_newsletter_section,
    register_seeder,
)

from . import permissions, selectors
from .models import AgendaItem, Feedback, Meeting

def coordinator_tasks_card(request, roles):
    """The coordinator's open tasks of this year: overdue first, then due this month."""
    if not roles.coordinator:
        return None
    today = timezone.localdate()
    overdue, this_month = selectors.tasks_due(user=request.user, today=today)
    items = [CardItem(label=f"{task.area.number}. {task.text[:90]}", url=reverse("louna:task_detail", args=[task.pk]),
                      note=_("overdue since %(date)s") % {"date": date_format(task.due_on, "SHORT_DATE_FORMAT")}, urgent=True)
             for task in overdue[:8]]
    items += [CardItem(label=f"{task.area.number}. {task.text[:90]}", url=reverse("louna:task_detail", args=[task.pk]),
                       note=_("due %(date)s") % {"date": date_format(task.due_on, "SHORT_DATE_FORMAT")})
              for task in this_month[:8]]
    cards = [Card(title=_("Louna tasks due this month"), items=items,
                  empty_text=_("No open tasks due this month."), more_url=reverse("louna:home"),
                  more_label=_("Task board"), order=20)]
    missing = selectors.services_missing_check(year=today.year)
    if missing:
        cards.append(Card(
            title=_("Accessibility checks missing for %(year)d") % {"year": today.year},
            items=[CardItem(label=service.name, url=reverse("louna:service_detail", args=[service.pk]), urgent=True)
                   for service in missing],
            more_url=reverse("louna:service_list"), more_label=_("Shared web services"), order=25,
        ))
    return cards


def director_card(request, roles):
    """A director's coming meeting, the agenda items they proposed, and open feedback
    about their own municipality."""
    if not roles.is_director:
        return None
    user = request.user
    municipalities = permissions.director_municipality_ids(user)
    if not municipalities:
        return None  # directs no Louna library
    cards = []
    meeting = selectors.next_meeting(user=user)
    if meeting:
        local = timezone.localtime(meeting.starts_at)
        items = [CardItem(label=meeting.title, url=reverse("louna:meeting_detail", args=[meeting.pk]),
                          note=local.strftime("%d.%m.%Y %H:%M"))]
        if meeting.proposals_close_on:
            items.append(CardItem(label=_("Agenda proposals by %(date)s")
                                  % {"date": date_format(meeting.proposals_close_on, "SHORT_DATE_FORMAT")}))
    else:
        items = []
    proposals = list(
        AgendaItem.objects.filter(proposed_by=user, meeting__starts_at__gte=timezone.now())
        .exclude(meeting__state=Meeting.State.CANCELLED).select_related("meeting").order_by("meeting__starts_at")[:8]
    )
    items += [CardItem(label=item.title, url=reverse("louna:meeting_detail", args=[item.meeting_id]),
                       note=item.get_state_display()) for item in proposals]
    cards.append(Card(title=_("Louna directors' meetings"), items=items, empty_text=_("No meeting planned yet."),
                      more_url=reverse("louna:meeting_list"), more_label=_("All meetings"), order=20))
    open_feedback = list(
        Feedback.objects.filter(municipality_id__in=municipalities,
                                state__in=[Feedback.State.NEW, Feedback.State.HANDLING])
        .select_related("service").order_by("-received_on")[:8]
    )
    cards.append(Card(
        title=_("Open customer feedback about your municipality"),
        items=[CardItem(label=f"{feedback.service}: {feedback.text[:70]}",
                        url=reverse("louna:feedback_detail", args=[feedback.pk]),
                        note=feedback.get_state_display()) for feedback in open_feedback],
        empty_text=_("No open feedback."), more_url=reverse("louna:feedback_list"), more_label=_("All feedback"),
        order=21,
    ))
    return cards


def _seed(*, scale: int = 0, stdout=None):
    from .demo_data import seed_louna

    seed_louna(scale=scale, stdout=stdout)


def newsletter_section(*, since, until, area=None):
    """For the Louna area's readers of the newsletter: tasks of the agreement done in the
    period and the directors' meetings coming in the next two months. Nothing for the whole
    membership or another area."""
    from datetime import timedelta

    from consortium.registry import NewsletterEntry, NewsletterSection

    from .models import Task, TaskNote

    if area is None or area.slug != LOUNA_AREA:
        return None
    done = (TaskNote.objects.filter(state_after=Task.State.DONE, for_directors=True, created_at__gte=since,
                                    created_at__lt=until)
            .select_related("task__area__agreement").order_by("on", "pk")[:20])
    entries = [NewsletterEntry(title=f"{note.task.area.number}. {note.task.text[:120]}", text=note.text,
                               url=reverse("louna:task_detail", args=[note.task_id]),
                               note=_("done %(date)s") % {"date": date_format(note.on, "SHORT_DATE_FORMAT")}) for note in done]
    coming = Meeting.objects.filter(starts_at__gte=until, starts_at__lt=until + timedelta(days=62)).exclude(
        state=Meeting.State.CANCELLED).order_by("starts_at")
    entries += [NewsletterEntry(title=meeting.title, url=reverse("louna:meeting_detail", args=[meeting.pk]),
                                note=date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT"))
                for meeting in coming]
    return NewsletterSection(key="louna", title=_("Louna service agreement"), entries=entries, order=40)


def register() -> None:
    """Called once from LounaConfig.ready(), before the action programme's seams."""
    register_nav(NavEntry("louna", gettext_lazy("Louna"), "louna:home", permissions.can_view, order=40))
    register_card(coordinator_tasks_card)
    register_card(director_card)
    register_seeder("louna", _seed, order=40)
    register_newsletter_section("louna", newsletter_section)
