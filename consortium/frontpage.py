"""The front page, rendered once and kept in the cache until anything changes.

Every app adds cards through the registry, so the front page asks several apps a few queries
each; it is also the page people open most. The whole rendered page is kept per person and
language (the frame around the cards — navigation by role, the language switch, the name —
costs as much to render as the cards themselves). Any saved or deleted row (outside
sessions and login bookkeeping) moves a global version number, which retires every kept
copy at once, so nobody sees a card that a change has made wrong. Bulk QuerySet.update()
sends no signal: code whose cards depend on such a write calls
invalidate_front_pages() (job runs do), and the short lifetime bounds the rest, as it
does time alone ("3 days left").

Two things on the page belong to the request, not to the person, and are never kept: the
CSRF token of the header's forms (kept as a placeholder, filled in on every request) and
one-off messages (a page that has any is rendered afresh, which also consumes them)."""

import time
from functools import lru_cache

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

__all__ = ("kept_front_page", "connect_invalidation", "invalidate_front_pages", "csrf_placeholder", "PAGE_LIFETIME")

PAGE_LIFETIME = 60  # seconds
VERSION_KEY = "frontpage:version"
# Rows written on every visit or login: they never change what a card says.
IGNORED_APPS = frozenset({"sessions", "axes", "admin", "contenttypes"})
# Columns saved alone on every login (Django's update_last_login): anyone logging in would
# otherwise retire everybody's kept page.
IGNORED_FIELDS = {"consortium.user": {"last_login"}}


def _fresh_version() -> int:
    # A new starting value never met before: copies kept under an evicted version are not
    # picked up again when the count starts over.
    return time.time_ns()


def _data_changed(sender, update_fields=None, **kwargs) -> None:
    if sender._meta.app_label in IGNORED_APPS:
        return
    if update_fields and set(update_fields) <= IGNORED_FIELDS.get(sender._meta.label_lower, set()):
        return
    invalidate_front_pages()
    # Someone else's front page rendered while this transaction is still open reads the rows
    # from before it, yet is kept under the version just moved; moving it again once the
    # change is committed retires that copy too (once per transaction, however many rows).
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    if not any(entry[1] is invalidate_front_pages for entry in connection.run_on_commit):
        transaction.on_commit(invalidate_front_pages)


def invalidate_front_pages() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def connect_invalidation() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_data_changed, dispatch_uid=f"frontpage-cards-{signal!r}")


@lru_cache(maxsize=1)
def csrf_placeholder() -> str:
    """Stands for the CSRF token in a kept page. Letters, digits and dashes, so the
    template's escaping leaves it as it is; derived from the secret key, so text that people
    write (and cards show) cannot contain it and be turned into the reader's token."""
    return "csrf-" + salted_hmac("consortium.frontpage.csrf_placeholder", "placeholder").hexdigest()[:32]


def kept_front_page(request, render_page) -> str:
    """The front page's HTML for this request. `render_page(csrf_token)` renders it with the
    given value for the template's csrf_token (None: the request's own)."""
    if request.GET or len(get_messages(request)):
        # A query string would give every variant its own copy; messages are for this
        # request only. Both are rare on the front page: render as any page would.
        return render_page(None)
    # One round trip: the current version and this person's copy, which carries the version
    # it was rendered under.
    key = f"frontpage:page:{request.user.pk}:{get_language()}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = _fresh_version()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY)
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        html = kept[1]
    else:
        html = str(render_page(csrf_placeholder()))
        cache.set(key, (version, html), PAGE_LIFETIME)
    return html.replace(csrf_placeholder(), get_token(request))
