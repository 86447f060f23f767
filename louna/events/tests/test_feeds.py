"""The feeds: RSS that a feed parser accepts and iCalendar that the icalendar library reads,
each holding exactly its municipality's and the shared items inside their windows, in
Finnish local time; cached, answered 304 when unchanged, in a constant number of queries."""

from datetime import date, datetime, timedelta, timezone as dt_timezone

import feedparser
import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from louna.events import services
from louna.events.models import Item
from louna.events.tests.factories import ItemFactory, at

pytestmark = pytest.mark.django_db

NOW = at(date(2026, 11, 2), 12)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def items(humppila, tammela, clock):
    return {
        "humppila": ItemFactory(title_fi="Humppilan satutunti", libraries=[humppila]),
        "tammela": ItemFactory(title_fi="Tammelan lukupiiri", libraries=[tammela]),
        "shared": ItemFactory(title_fi="Koko Lounan kirjailijailta", all_of_louna=True),
        "news": ItemFactory(kind=Item.Kind.NEWS, title_fi="Humppilan uutinen", starts_at=None,
                            libraries=[humppila]),
        "pending": ItemFactory(title_fi="Tarkastamaton", state=Item.State.PENDING, libraries=[humppila]),
        "not_yet": ItemFactory(title_fi="Julkaistaan myöhemmin", publish_from=NOW + timedelta(days=1),
                               libraries=[humppila]),
        "expired": ItemFactory(title_fi="Julkaisu päättynyt", publish_until=NOW - timedelta(hours=1),
                               libraries=[humppila]),
        "past": ItemFactory(title_fi="Mennyt tapahtuma", starts_at=at(date(2026, 10, 1)), libraries=[humppila]),
    }


def _rss(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def _titles(parsed):
    return {entry.title.split(" ", 2)[-1] if entry.title[0].isdigit() else entry.title for entry in parsed.entries}


def test_municipality_rss_holds_its_own_and_the_shared_items_inside_their_windows(client, items):
    parsed = _rss(client, reverse("louna_events:municipality_rss", args=["103"]))
    assert _titles(parsed) == {"Humppilan satutunti", "Koko Lounan kirjailijailta", "Humppilan uutinen"}
    entry = next(e for e in parsed.entries if "satutunti" in e.title)
    # Finnish local time in the title, the Helsinki offset in the dates.
    assert entry.title == "10.11.2026 18.00–19.00 Humppilan satutunti"
    assert entry.link.endswith(reverse("louna_events:detail", args=[items["humppila"].pk]))
    assert "Humppila" in {tag.term for tag in entry.tags}
    assert entry.published.endswith("+0200")


def test_all_of_louna_rss_holds_every_municipalitys_items(client, items):
    parsed = _rss(client, reverse("louna_events:rss"))
    assert _titles(parsed) == {"Humppilan satutunti", "Tammelan lukupiiri", "Koko Lounan kirjailijailta",
                               "Humppilan uutinen"}


def test_municipality_ics_holds_its_events_in_helsinki_time(client, items):
    response = client.get(reverse("louna_events:municipality_ics", args=["834"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in events} == {"Tammelan lukupiiri", "Koko Lounan kirjailijailta"}
    start = next(e for e in events if str(e["SUMMARY"]) == "Tammelan lukupiiri")["DTSTART"]
    assert start.params["TZID"] == "Europe/Helsinki"
    assert start.dt.replace(tzinfo=None) == datetime(2026, 11, 10, 18, 0)
    assert start.dt.utcoffset() == timedelta(hours=2)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Helsinki"


def test_swedish_feed_uses_the_swedish_text_and_falls_back_to_finnish(client, humppila, clock):
    ItemFactory(title_fi="Satutunti", title_sv="Sagostund", libraries=[humppila])
    ItemFactory(title_fi="Lukupiiri", libraries=[humppila])
    parsed = _rss(client, reverse("louna_events:municipality_rss", args=["103"]) + "?lang=sv")
    assert _titles(parsed) == {"Sagostund", "Lukupiiri"}
    assert parsed.feed.language == "sv"


def test_unknown_municipality_or_language_is_not_found(client, items):
    assert client.get(reverse("louna_events:municipality_rss", args=["837"])).status_code == 404
    assert client.get(reverse("louna_events:rss") + "?lang=de").status_code == 404


@pytest.mark.parametrize("name", ["rss", "ics"])
def test_conditional_get_answers_304_until_the_feed_changes(client, items, coordinator, name,
                                                            django_capture_on_commit_callbacks):
    url = reverse(f"louna_events:{name}")
    first = client.get(url)
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=300"}
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        item = Item.objects.get(pk=items["shared"].pk)
        item.title_fi = "Kirjailijailta, uusi aika"
        with django_capture_on_commit_callbacks(execute=True):  # the cached feed is retired after commit
            services.item_save(item=item, libraries=[], all_of_louna=True, by=coordinator)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert b"uusi aika" in changed.content
        assert changed["ETag"] != etag
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def test_an_unchanged_rebuild_keeps_etag_and_last_modified(client, items):
    url = reverse("louna_events:rss")
    first = client.get(url)
    # Past the cache's lifetime the feed is built again, to the same content.
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        again = client.get(url)
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])


def _many(humppila, tammela, count):
    for n in range(count):
        ItemFactory(libraries=[humppila if n % 2 else tammela], repeat=Item.Repeat.WEEKLY if n % 3 == 0 else "",
                    repeat_until=date(2026, 12, 20) if n % 3 == 0 else None)
        ItemFactory(kind=Item.Kind.NEWS, starts_at=None, all_of_louna=n % 4 == 0,
                    libraries=[] if n % 4 == 0 else [humppila])


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize("name,args", [("rss", []), ("municipality_rss", ["103"]), ("ics", []),
                                       ("municipality_ics", ["834"])])
def test_feeds_answer_in_a_constant_number_of_queries(client, humppila, tammela, clock, count, name, args,
                                                      django_assert_max_num_queries):
    _many(humppila, tammela, count)
    url = reverse(f"louna_events:{name}", args=args)
    with django_assert_max_num_queries(3):  # (municipality), items, municipalities of the entries kept
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(1):  # cached: at most the municipality
        assert client.get(url).status_code == 200
