"""Counting for the statistics: events per municipality and audience in a year."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from louna.events import selectors
from louna.events.models import Item
from louna.events.tests.factories import ItemFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_events(humppila, tammela):
    # Weekly on Tuesdays 6.10.–10.11.2026 without 27.10.: five dates, children, Humppila.
    ItemFactory(libraries=[humppila], audience=Item.Audience.CHILDREN, starts_at=at(date(2026, 10, 6)),
                repeat=Item.Repeat.WEEKLY, repeat_until=date(2026, 11, 10), exception_dates=["2026-10-27"])
    ItemFactory(libraries=[humppila, tammela], audience=Item.Audience.ADULTS, starts_at=at(date(2026, 5, 5)))
    ItemFactory(all_of_louna=True, audience=Item.Audience.ALL, starts_at=at(date(2026, 9, 1)))
    ItemFactory(libraries=[tammela], audience=Item.Audience.YOUTH, state=Item.State.PENDING)  # unchecked
    ItemFactory(libraries=[tammela], audience=Item.Audience.YOUTH, starts_at=at(date(2025, 12, 31), 23))
    ItemFactory(kind=Item.Kind.NEWS, starts_at=None, libraries=[tammela])


def _row(counts, label):
    return next(row for row in counts["rows"] if row["label"] == label)


def test_events_are_counted_per_municipality_and_audience(year_of_events):
    counts = selectors.event_counts(year=2026)
    audiences = [value for value, _ in counts["audiences"]]
    humppila = dict(zip(audiences, _row(counts, "Humppila")["counts"]))
    tammela = dict(zip(audiences, _row(counts, "Tammela")["counts"]))
    shared = dict(zip(audiences, counts["rows"][-1]["counts"]))
    assert humppila == {"all": 0, "children": 5, "youth": 0, "adults": 1}
    assert tammela == {"all": 0, "children": 0, "youth": 0, "adults": 1}
    assert shared == {"all": 1, "children": 0, "youth": 0, "adults": 0}
    assert counts["total"] == 8


def test_counts_page_and_excel_for_the_coordinator_only(client, coordinator, director, year_of_events):
    url = reverse("louna_events:counts")
    client.force_login(director)
    assert client.get(url).status_code == 403
    assert client.get(reverse("louna_events:counts_xlsx", args=[2026])).status_code == 403
    client.force_login(coordinator)
    response = client.get(url, {"year": 2026})
    assert response.status_code == 200
    assert "Humppila" in response.content.decode()
    book = load_workbook(BytesIO(client.get(reverse("louna_events:counts_xlsx", args=[2026])).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Kunta"
    assert ("Humppila 103", 0, 5, 0, 1, 6) in rows
    assert rows[-1][-1] == 8
