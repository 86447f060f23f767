"""Expanding repeating events into their occurrences with python-dateutil's rrule.

The rule runs on the Helsinki wall clock, not on UTC: a story hour every Tuesday at 18.00
stays at 18.00 after the clocks turn back in October (its UTC time moves from 15.00 to
16.00). Expanding in UTC would put it at 17.00 all winter."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

__all__ = ("HELSINKI", "Occurrence", "occurrences", "occurrences_between", "MAX_OCCURRENCES")

HELSINKI = ZoneInfo("Europe/Helsinki")
# No repeating event may run past this many occurrences (the service refuses more), so one
# item can never flood a feed or the list.
MAX_OCCURRENCES = 366

_FREQUENCIES = {
    "daily": (rrule.DAILY, 1),
    "weekly": (rrule.WEEKLY, 1),
    "biweekly": (rrule.WEEKLY, 2),
    "monthly": (rrule.MONTHLY, 1),
}


@dataclass(frozen=True)
class Occurrence:
    """One time an item is shown: an event's single date, or a news item (no times)."""

    item: object
    starts_at: datetime | None
    ends_at: datetime | None

    @property
    def key(self) -> str:
        """Stable id of the occurrence (feed GUIDs and iCalendar UIDs)."""
        if self.starts_at is None:
            return f"{self.item.pk}"
        return f"{self.item.pk}-{self.starts_at.astimezone(HELSINKI):%Y%m%d}"


def _rule(*, repeat: str, starts_at: datetime, repeat_until: date | None, exception_dates) -> rrule.rruleset:
    local_start = starts_at.astimezone(HELSINKI).replace(tzinfo=None)
    frequency, interval = _FREQUENCIES[repeat]
    until = datetime.combine(repeat_until, datetime.max.time()) if repeat_until else None
    rules = rrule.rruleset()
    rules.rrule(rrule.rrule(frequency, interval=interval, dtstart=local_start, until=until, count=None if until else 1))
    for text in exception_dates or ():
        day = date.fromisoformat(text)
        rules.exdate(datetime.combine(day, local_start.time()))
    return rules


def occurrences(*, repeat: str, starts_at: datetime, ends_at: datetime, repeat_until: date | None,
                exception_dates=()) -> list[tuple[datetime, datetime]]:
    """All (start, end) pairs of an event, aware in Europe/Helsinki, exceptions left out."""
    duration = ends_at - starts_at
    if not repeat:
        return [(starts_at.astimezone(HELSINKI), ends_at.astimezone(HELSINKI))]
    pairs = []
    for local in _rule(repeat=repeat, starts_at=starts_at, repeat_until=repeat_until,
                       exception_dates=exception_dates):
        start = local.replace(tzinfo=HELSINKI)
        # The end keeps the wall-clock length too (fold and DST gaps resolve as zoneinfo does).
        end = (local + duration).replace(tzinfo=HELSINKI)
        pairs.append((start, end))
        if len(pairs) >= MAX_OCCURRENCES:
            break
    return pairs


def occurrences_between(items, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences of events that are under way or begin in [start, end), in time order;
    news items are not expanded (the caller adds them as they are)."""
    found = []
    for item in items:
        if item.kind != "event":
            continue
        for occurrence_start, occurrence_end in occurrences(
                repeat=item.repeat, starts_at=item.starts_at, ends_at=item.ends_at,
                repeat_until=item.repeat_until, exception_dates=item.exception_dates):
            if occurrence_end > start and occurrence_start < end:
                found.append(Occurrence(item, occurrence_start, occurrence_end))
    found.sort(key=lambda occurrence: (occurrence.starts_at, occurrence.item.pk))
    return found
