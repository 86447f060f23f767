"""The front page, rendered once and kept in the cache until anything changes.

Every app adds cards through the registry, so the front page asks several apps a few queries
each; it is also the page people open most. The whole rendered page is kept per person and
language (the frame around the cards — navigation by role, the language switch, the name —
costs as much to render as the cards themselves) by consortium.pagecache, which keeps the
other busy pages too: any write to the database (outside sessions and login bookkeeping)
moves a global version number, which retires every kept copy at once, so nobody sees a card
that a change has made wrong, and the short lifetime bounds what time alone changes
("3 days left").

Two things on the page belong to the request, not to the person, and are never kept: the
CSRF token of the header's forms (kept as a placeholder, filled in on every request) and
one-off messages (a page that has any is rendered afresh, which also consumes them)."""

from django.contrib.messages import get_messages
from django.utils.translation import get_language

from .pagecache import PAGE_LIFETIME, connect_invalidation, csrf_placeholder, invalidate_kept_pages, kept_html

__all__ = ("kept_front_page", "connect_invalidation", "invalidate_front_pages", "csrf_placeholder", "PAGE_LIFETIME")

# The front page's cards were the first kept page; the name stays for the code that calls it.
invalidate_front_pages = invalidate_kept_pages


def kept_front_page(request, render_page) -> str:
    """The front page's HTML for this request. `render_page(csrf_token)` renders it with the
    given value for the template's csrf_token (None: the request's own)."""
    if request.GET or len(get_messages(request)):
        # A query string would give every variant its own copy; messages are for this
        # request only. Both are rare on the front page: render as any page would.
        return render_page(None)
    return kept_html(request, f"frontpage:page:{request.user.pk}:{get_language()}",
                     lambda: render_page(csrf_placeholder()))
