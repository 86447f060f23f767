"""Repeating events expand on the Helsinki wall clock: a Tuesday story hour at 18.00 stays at
18.00 when the clocks turn back on 25.10.2026 (15.00 UTC before, 16.00 UTC after), in the
list, the RSS and the iCalendar feed; cancelled dates are left out."""

from datetime import date, datetime, timedelta

import feedparser
import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from louna.events import selectors
from louna.events.models import Item
from louna.events.recurrence import HELSINKI, occurrences
from louna.events.tests.factories import ItemFactory, at

pytestmark = pytest.mark.django_db

STORY_HOUR = dict(title_fi="Satutunti", starts_at=at(date(2026, 10, 13), 18), ends_at=at(date(2026, 10, 13), 18, 45),
                  repeat=Item.Repeat.WEEKLY, repeat_until=date(2026, 11, 10), exception_dates=["2026-10-27"])
EXPECTED_LOCAL = [datetime(2026, 10, 13, 18), datetime(2026, 10, 20, 18), datetime(2026, 11, 3, 18),
                  datetime(2026, 11, 10, 18)]


def test_rule_keeps_the_wall_clock_time_across_the_dst_change():
    pairs = occurrences(repeat="weekly", starts_at=STORY_HOUR["starts_at"], ends_at=STORY_HOUR["ends_at"],
                        repeat_until=date(2026, 11, 10), exception_dates=["2026-10-27"])
    assert [start.replace(tzinfo=None) for start, _end in pairs] == EXPECTED_LOCAL
    utc_hours = [start.astimezone(HELSINKI).utcoffset() for start, _end in pairs]
    assert utc_hours == [timedelta(hours=3)] * 2 + [timedelta(hours=2)] * 2
    assert all(end - start == timedelta(minutes=45) for start, end in pairs)


def test_spring_change_keeps_the_wall_clock_time_too():
    pairs = occurrences(repeat="daily", starts_at=at(date(2026, 3, 28), 10), ends_at=at(date(2026, 3, 28), 11),
                        repeat_until=date(2026, 3, 30))
    assert [(s.hour, s.utcoffset()) for s, _e in pairs] == [(10, timedelta(hours=2)), (10, timedelta(hours=3)),
                                                           (10, timedelta(hours=3))]


def test_list_shows_each_date_at_18_across_the_change(client, humppila):
    ItemFactory(libraries=[humppila], **STORY_HOUR)
    with time_machine.travel(at(date(2026, 10, 1), 12), tick=False):
        response = client.get(reverse("louna_events:list"), {"start": "1.10.2026", "end": "30.11.2026"})
    assert [o.starts_at.replace(tzinfo=None) for o in response.context["page"]] == EXPECTED_LOCAL
    html = response.content.decode()
    assert "27.10.2026" not in html
    assert html.count(">18.45</time>") == 4
    assert 'datetime="2026-10-20T18:00:00+03:00"' in html and 'datetime="2026-11-03T18:00:00+02:00"' in html


def test_feeds_expand_the_dates_across_the_change(client, humppila):
    ItemFactory(libraries=[humppila], **STORY_HOUR)
    with time_machine.travel(at(date(2026, 10, 1), 12), tick=False):
        rss = feedparser.parse(client.get(reverse("louna_events:municipality_rss", args=["103"])).content)
        ics = Calendar.from_ical(client.get(reverse("louna_events:municipality_ics", args=["103"])).content)
    assert [e.title for e in rss.entries] == [f"{d.day}.{d.month}.2026 18.00–18.45 Satutunti" for d in EXPECTED_LOCAL]
    assert len({e.id for e in rss.entries}) == 4
    starts = [e["DTSTART"].dt for e in ics.walk("VEVENT")]
    assert [s.replace(tzinfo=None) for s in starts] == EXPECTED_LOCAL
    assert [s.utcoffset() for s in starts] == [timedelta(hours=3)] * 2 + [timedelta(hours=2)] * 2
    assert len({str(e["UID"]) for e in ics.walk("VEVENT")}) == 4


def test_occurrences_already_over_leave_the_feed(client, humppila):
    ItemFactory(libraries=[humppila], **STORY_HOUR)
    with time_machine.travel(at(date(2026, 11, 1), 12), tick=False):
        events, _news = selectors.feed_entries(now=at(date(2026, 11, 1), 12))
    assert [o.starts_at.date() for o in events] == [date(2026, 11, 3), date(2026, 11, 10)]
