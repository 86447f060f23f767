"""The front page's cards, rendered once and kept in the cache until anything changes.

Every app adds cards through the registry, so the front page asks several apps a few queries
each; it is also the page people open most. The rendered cards are kept per person and
language. Any saved or deleted row (outside sessions and login bookkeeping) moves a global
version number, which retires every kept copy at once, so nobody sees a card that a change
has made wrong. Bulk QuerySet.update() sends no signal: code whose cards depend on such a
write calls invalidate_front_page_cards() (job runs do), and the short lifetime bounds the
rest, as it does time alone ("3 days left")."""

import time

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .registry import cards_for

__all__ = ("front_page_cards_html", "connect_invalidation", "invalidate_front_page_cards", "CARDS_LIFETIME")

CARDS_LIFETIME = 60  # seconds
VERSION_KEY = "frontpage:cards:version"
# Rows written on every visit or login: they never change what a card says.
IGNORED_APPS = frozenset({"sessions", "axes", "admin", "contenttypes"})


def _fresh_version() -> int:
    # A new starting value never met before: copies kept under an evicted version are not
    # picked up again when the count starts over.
    return time.time_ns()


def _data_changed(sender, **kwargs) -> None:
    if sender._meta.app_label not in IGNORED_APPS:
        invalidate_front_page_cards()


def invalidate_front_page_cards() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def connect_invalidation() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_data_changed, dispatch_uid=f"frontpage-cards-{signal!r}")


def front_page_cards_html(request, roles) -> str:
    # One round trip: the current version and this person's copy, which carries the version
    # it was rendered under.
    key = f"frontpage:cards:{request.user.pk}:{get_language()}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = _fresh_version()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY)
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        return mark_safe(kept[1])  # rendered by our own template below, escaped there
    html = render_to_string("consortium/includes/cards.html", {"cards": cards_for(request, roles)}, request=request)
    cache.set(key, (version, str(html)), CARDS_LIFETIME)
    return html
