"""Reads of Louna's events and news: what is published where, the coming events, the
writers' own lists and the yearly counts. Each read is a fixed number of queries; the
repeating events are expanded in Python (recurrence.py)."""

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from consortium.models import Library, Municipality
from consortium.permissions import LOUNA_AREA

from . import permissions
from .models import Item
from .recurrence import HELSINKI, Occurrence, occurrences, occurrences_between

__all__ = (
    "louna_municipalities",
    "published",
    "for_municipality",
    "feed_entries",
    "with_places",
    "item_list_for",
    "item_get_for_edit",
    "published_item_get",
    "pending_items",
    "coming_occurrences",
    "with_items",
    "coming_dates",
    "event_counts",
    "FEED_HORIZON",
    "FEED_MAX_EVENTS",
    "FEED_MAX_NEWS",
)

# What a feed holds: the coming half year of events and the latest news.
FEED_HORIZON = timedelta(days=183)
FEED_MAX_EVENTS = 200
FEED_MAX_NEWS = 50


def louna_municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.filter(
        pk__in=Library.objects.in_area(LOUNA_AREA).values("municipality_id")).order_by("name_fi")


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.select_related("library").prefetch_related(
        Prefetch("municipalities", queryset=Municipality.objects.order_by("name_fi")),
        Prefetch("libraries", queryset=Library.objects.order_by("name")),
    )


def published(*, now: datetime) -> QuerySet[Item]:
    """Checked items inside their publishing window."""
    return Item.objects.filter(
        Q(publish_until__isnull=True) | Q(publish_until__gt=now),
        state=Item.State.PUBLISHED, publish_from__lte=now,
    )


def for_municipality(qs: QuerySet, municipality) -> QuerySet:
    """A municipality's items and the shared ones (all of Louna)."""
    if municipality is None:
        return qs
    return qs.filter(Q(all_of_louna=True) | Q(pk__in=Item.municipalities.through.objects.filter(
        municipality_id=municipality.pk).values("item_id")))


def _not_over(qs: QuerySet, now: datetime) -> QuerySet:
    """News, and events with an occurrence still to come or under way."""
    return qs.filter(Q(kind=Item.Kind.NEWS) | Q(ends_at__gte=now)
                     | Q(repeat_until__gte=timezone.localtime(now, HELSINKI).date()))


def feed_entries(*, municipality=None, now: datetime) -> tuple[list[Occurrence], list[Item]]:
    """(coming event occurrences in time order, news newest first) for a feed."""
    qs = _not_over(for_municipality(published(now=now), municipality), now).filter(
        Q(kind=Item.Kind.NEWS) | Q(starts_at__lt=now + FEED_HORIZON))
    items = list(qs.order_by("-publish_from", "-pk"))
    events = occurrences_between(items, now, now + FEED_HORIZON)[:FEED_MAX_EVENTS]
    news = [item for item in items if item.kind == Item.Kind.NEWS][:FEED_MAX_NEWS]
    with_places([occurrence.item for occurrence in events] + news)
    return events, news


def with_places(items) -> None:
    """Read the municipalities of the items shown (one query), not of every item expanded."""
    prefetch_related_objects(list({item.pk: item for item in items}.values()),
                             Prefetch("municipalities", queryset=Municipality.objects.order_by("name_fi")))


def published_item_get(*, pk: int, now: datetime) -> Item:
    return _with_relations(published(now=now)).get(pk=pk)


def item_get_for_edit(*, user, pk: int) -> Item:
    return _with_relations(permissions.restrict_items(Item.objects.all(), user)).get(pk=pk)


def item_list_for(*, user) -> QuerySet[Item]:
    """The items a person may edit, waiting ones first."""
    return (_with_relations(permissions.restrict_items(Item.objects.all(), user))
            .select_related("created_by").order_by("-state", "-updated_at", "-pk"))


def pending_items() -> QuerySet[Item]:
    return Item.objects.filter(state=Item.State.PENDING).select_related("library").order_by("created_at", "pk")


@dataclass(frozen=True)
class _Times:
    """What expanding an item into its occurrences needs, and no more."""

    pk: int
    kind: str
    repeat: str
    starts_at: datetime | None
    ends_at: datetime | None
    repeat_until: date | None
    exception_dates: list


def coming_occurrences(qs: QuerySet, *, start: date, end: date) -> list[Occurrence]:
    """The event occurrences of `qs` (already filtered) from `start` to `end` inclusive.

    Each occurrence's `item` holds only the item's times: every matching item is expanded
    but only a page of them is shown, so call with_items() on that page. (A model object per
    matching item, with its translated fields, cost most of the list's time.)"""
    window_start = datetime.combine(start, time.min, tzinfo=HELSINKI)
    window_end = datetime.combine(end + timedelta(days=1), time.min, tzinfo=HELSINKI)
    items = qs.filter(kind=Item.Kind.EVENT, starts_at__lt=window_end).filter(
        Q(ends_at__gte=window_start) | Q(repeat_until__gte=start))
    times = [_Times(*row) for row in items.order_by().values_list(*(f.name for f in fields(_Times)))]
    return occurrences_between(times, window_start, window_end)


def with_items(shown: list[Occurrence], qs: QuerySet) -> list[Occurrence]:
    """The occurrences of coming_occurrences() that are shown, each with its whole item (from
    `qs`) and the item's municipalities: two queries however many there are."""
    items = {item.pk: item for item in qs.filter(pk__in={occurrence.item.pk for occurrence in shown})}
    with_places(list(items.values()))
    return [Occurrence(items[occurrence.item.pk], occurrence.starts_at, occurrence.ends_at) for occurrence in shown]


def coming_dates(item: Item, *, today: date, days: int = 366) -> list[Occurrence]:
    """An item's own coming dates (from the item already read: no query)."""
    start = datetime.combine(today, time.min, tzinfo=HELSINKI)
    return occurrences_between([item], start, start + timedelta(days=days))


# ---------------------------------------------------------------- counting for the statistics

SHARED = "shared"


def event_counts(*, year: int) -> dict:
    """Events held in `year` (each occurrence of a repeating one counts, cancelled dates do
    not) per municipality and audience, for the OKM statistics' event figures.

    An event concerning several municipalities counts in each of them; a shared event (all
    of Louna) is counted once, on a row of its own, so no municipality's figure is inflated
    by events it did not hold. Only checked events count."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    window_start = datetime.combine(first, time.min, tzinfo=HELSINKI)
    window_end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=HELSINKI)
    items = (Item.objects.filter(kind=Item.Kind.EVENT, state=Item.State.PUBLISHED, starts_at__lt=window_end)
             .filter(Q(ends_at__gte=window_start) | Q(repeat_until__gte=first))
             .prefetch_related("municipalities"))
    counts: dict[object, Counter] = {}
    for item in items:
        held = sum(1 for start, _end in occurrences(
            repeat=item.repeat, starts_at=item.starts_at, ends_at=item.ends_at, repeat_until=item.repeat_until,
            exception_dates=item.exception_dates) if first <= start.date() <= last)
        if not held:
            continue
        keys = [SHARED] if item.all_of_louna else [m.pk for m in item.municipalities.all()]
        for key in keys:
            counts.setdefault(key, Counter())[item.audience] += held
    audiences = [value for value, _label in Item.Audience.choices]
    rows = []
    for municipality in louna_municipalities():
        counter = counts.get(municipality.pk, Counter())
        rows.append({"municipality": municipality, "label": municipality.name,
                     "counts": [counter[a] for a in audiences], "total": sum(counter.values())})
    shared = counts.get(SHARED, Counter())
    rows.append({"municipality": None, "label": None, "counts": [shared[a] for a in audiences],
                 "total": sum(shared.values())})
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(audiences))]
    return {"year": year, "audiences": Item.Audience.choices, "rows": rows, "totals": totals,
            "total": sum(totals)}
