"""The web library's feeds: RSS 2.0 (Django's syndication framework) and iCalendar (the
icalendar package), for all of Louna and for each municipality (shared items in each).

A feed is built with a fixed number of queries, kept in the cache for FEED_LIFETIME seconds
(keyed by the feed version every write bumps, so a change shows at once), and answered with
an ETag and a Last-Modified that stay the same while the feed's content does, so a front
page polling it gets 304 Not Modified."""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from . import selectors
from .recurrence import HELSINKI, Occurrence
from .services import FEED_VERSION_KEY

__all__ = ("FEED_LIFETIME", "feed_response", "build_rss", "build_ics")

FEED_LIFETIME = 300  # seconds a built feed is served from the cache (and may be cached by a reader)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class FeedScope:
    """What one feed is about: a municipality (None: all of Louna) at a moment."""

    municipality: object
    now: datetime


@dataclass
class _Entry:
    """One RSS item: an event's occurrence or a news item."""

    item: object
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    key: str = ""


def _where(item) -> list[str]:
    if item.all_of_louna:
        return [_("All of Louna")]
    return [municipality.name for municipality in item.municipalities.all()]


class LounaRssFeed(Feed):
    """RSS 2.0. Links are made from SITE_URL, never from the request's Host, because the
    built feed is cached and served to everyone."""

    description_template = "louna_events/feed_description.html"

    def title(self, scope):
        municipality = scope.municipality
        if municipality is None:
            return _("Louna libraries: events and news")
        return _("Louna libraries in %(municipality)s: events and news") % {"municipality": municipality.name}

    def link(self, scope):
        municipality = scope.municipality
        return _absolute(reverse("louna_events:list") + (f"?municipality={municipality.pk}" if municipality else ""))

    def feed_url(self, scope):
        municipality = scope.municipality
        if municipality is None:
            return _absolute(reverse("louna_events:rss"))
        return _absolute(reverse("louna_events:municipality_rss", args=[municipality.code]))

    def description(self, scope):
        return _("Coming events and current news of the Louna libraries.")

    def items(self, scope):
        events, news = selectors.feed_entries(municipality=scope.municipality, now=scope.now)
        return ([_Entry(o.item, o.starts_at, o.ends_at, o.key) for o in events]
                + [_Entry(item, key=str(item.pk)) for item in news])

    def item_title(self, entry):
        if entry.starts_at is None:
            return entry.item.title
        return f"{_format_when(entry.starts_at, entry.ends_at)} {entry.item.title}"

    def item_link(self, entry):
        path = reverse("louna_events:detail", args=[entry.item.pk])
        if entry.starts_at is not None and entry.item.repeat:
            path += f"?date={entry.starts_at.date().isoformat()}"
        return _absolute(path)

    def item_guid(self, entry):
        host = urlparse(settings.SITE_URL).hostname or "localhost"
        return f"louna-event-{entry.key}@{host}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return timezone.localtime(entry.item.publish_from, HELSINKI)

    def item_updateddate(self, entry):
        return timezone.localtime(entry.item.updated_at, HELSINKI)

    def item_categories(self, entry):
        item = entry.item
        return [item.get_kind_display(), item.get_audience_display(), *_where(item)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = kwargs["item"]
        context.update(entry=entry, item=entry.item, when=_format_when(entry.starts_at, entry.ends_at)
                       if entry.starts_at else "", where=", ".join(_where(entry.item)),
                       image_url=_absolute(entry.item.image.url) if entry.item.image else "")
        return context


def _format_when(starts_at: datetime, ends_at: datetime) -> str:
    """13.10.2026 18.00–19.00 (or with the end's date when it ends on another day)."""
    from django.utils.formats import date_format

    start, end = timezone.localtime(starts_at, HELSINKI), timezone.localtime(ends_at, HELSINKI)
    first = date_format(start, "SHORT_DATETIME_FORMAT")
    if start.date() == end.date():
        return f"{first}–{date_format(end, 'TIME_FORMAT')}"
    return f"{first} – {date_format(end, 'SHORT_DATETIME_FORMAT')}"


def build_rss(request, *, municipality, now: datetime) -> bytes:
    return LounaRssFeed().get_feed(FeedScope(municipality, now), request).writeString("utf-8").encode("utf-8")


def build_ics(*, municipality, now: datetime) -> bytes:
    """Every coming occurrence as an event of its own (times in Europe/Helsinki with the
    zone's VTIMEZONE), so a front page need not expand repeating rules itself."""
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    events, _news = selectors.feed_entries(municipality=municipality, now=now)
    calendar = Calendar()
    calendar.add("prodid", "-//Kirjastoportaali//Louna events//FI")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    name = _("Louna libraries: events") if municipality is None else \
        _("Louna libraries in %(municipality)s: events") % {"municipality": municipality.name}
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    for occurrence in events:
        calendar.add_component(_vevent(occurrence, host))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(occurrence: Occurrence, host: str) -> Event:
    item = occurrence.item
    event = Event()
    event.add("uid", f"louna-event-{occurrence.key}@{host}")
    event.add("dtstamp", item.updated_at)
    event.add("last-modified", item.updated_at)
    event.add("dtstart", occurrence.starts_at.astimezone(HELSINKI))
    event.add("dtend", occurrence.ends_at.astimezone(HELSINKI))
    event.add("summary", item.title)
    url = _absolute(reverse("louna_events:detail", args=[item.pk]))
    event.add("description", f"{item.text}\n\n{url}")
    if item.place:
        event.add("location", item.place)
    event.add("url", item.link or url)
    event.add("categories", [str(item.get_audience_display()), *_where(item)])
    return event


# ---------------------------------------------------------------- caching and conditional GET


def feed_response(request, *, kind: str, municipality, language: str) -> HttpResponse:
    """The feed from the cache or freshly built, with ETag, Last-Modified and Cache-Control;
    304 when the reader's copy is current."""
    # A new starting value after the key is lost, never one whose feeds may still be kept.
    version = cache.get_or_set(FEED_VERSION_KEY, time.time_ns, None)
    code = municipality.code if municipality else "all"
    key = f"louna_events:feed:{kind}:{code}:{language}:{version}"
    built = cache.get(key)
    if built is None:
        now = timezone.now()
        with translation.override(language):
            body = build_rss(request, municipality=municipality, now=now) if kind == "rss" \
                else build_ics(municipality=municipality, now=now)
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        # Last-Modified moves only when the content does: an unchanged rebuild keeps it.
        meta_key = f"louna_events:feed-meta:{kind}:{code}:{language}"
        previous = cache.get(meta_key)
        modified = previous[1] if previous and previous[0] == etag else int(now.timestamp())
        cache.set(meta_key, (etag, modified), None)
        built = (body, etag, modified)
        cache.set(key, built, FEED_LIFETIME)
    body, etag, modified = built
    content_type = "application/rss+xml; charset=utf-8" if kind == "rss" else "text/calendar; charset=utf-8"
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = HttpResponse(body, content_type=content_type)
        if kind == "ics":
            response["Content-Disposition"] = 'inline; filename="louna-events.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=FEED_LIFETIME)
    return response
