"""Pages rendered once and kept in the cache until any data changes.

The pages people open most (the front page, the procurement list, the Louna task board, the
events list, …) are read far more often than anything on them changes. Each such page is
kept whole, per person (or for anonymous visitors), language and address — the frame around
the content shows the person's name and navigation, and the address carries the filters and
the page number — so one library's copy is never shown to another library's people.
Permission checks are not kept: the decorators of the view run on every request, only the
rendering inside them is reused.

One global version number retires every kept copy at once. It moves on every statement that
changes rows in the database through Django's connection (an execute wrapper, so that a
bulk QuerySet.update(), bulk_create() or raw SQL, which send no model signal, moves it too;
a statement that matched no row does not), and once more when the writing transaction
commits: a page rendered by someone else while the
transaction was still open read the rows from before it, yet was kept under the version
already moved. Writes that never change what a page says (sessions, login bookkeeping) are
left out. PostgreSQL COPY (the statistics imports) bypasses the wrapper; those imports run
as jobs, and a job's end moves the version (consortium.jobs). The short lifetime bounds what
time alone changes ("3 days left", an event that has begun).

Redis is a helper, never a single point of failure: with the cache down every lookup is a
miss (django-redis's IGNORE_EXCEPTIONS) and the page is rendered as if nothing were kept.

Two things on a page belong to the request, not to the person, and are never kept: the CSRF
token of its forms (kept as a placeholder, filled in on every request) and one-off messages
(a page that has any is rendered afresh, which also consumes them)."""

import hashlib
import re
import time
from functools import lru_cache, wraps

from django.apps import apps
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

__all__ = ("kept_page", "kept_html", "connect_invalidation", "invalidate_kept_pages", "csrf_placeholder",
           "csrf_for_kept_pages", "PAGE_LIFETIME")

PAGE_LIFETIME = 60  # seconds
VERSION_KEY = "frontpage:version"  # the name predates the other kept pages; kept so a deploy retires nothing
# Rows written on every visit or login: they never change what a page says.
IGNORED_APPS = frozenset({"sessions", "axes", "admin", "contenttypes"})
# Django's update_last_login saves this column alone on every login: anyone logging in would
# otherwise retire everybody's kept pages.
LAST_LOGIN_ONLY = re.compile(r'UPDATE "consortium_user" SET "last_login" = %s WHERE ', re.IGNORECASE)
# Statements that change rows, and the table they change (Django's SQL names it first).
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
# Statements that only read or steer the session ("(SELECT" begins a UNION on PostgreSQL).
READ = re.compile(r"[\s(]*(?:SELECT|VALUES|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|EXPLAIN|DECLARE|FETCH|"
                  r"CLOSE|LOCK)\b", re.IGNORECASE)
UPDATE_OR_DELETE = re.compile(r"\s*(?:UPDATE|DELETE)\b", re.IGNORECASE)
# A WITH query writes when one of its parts does (FOR UPDATE only locks).
WRITING_PART = re.compile(r"\b(?:INSERT\s+INTO|DELETE\s+FROM|MERGE\s+INTO|(?<!FOR )UPDATE\s)", re.IGNORECASE)


# ---------------------------------------------------------------- the version


def _fresh_version() -> int:
    # A new starting value never met before: copies kept under an evicted version are not
    # picked up again when the count starts over.
    return time.time_ns()


# Whether this process has looked up a kept page since it last moved the version (see
# _retire_on_write). Shared by threads: a race only moves the version once too often, and the
# move at commit, which correctness rests on, never depends on it.
_looked_up_since_retired = True


def invalidate_kept_pages() -> None:
    """Retire every kept page now. Writes through Django's connection call this themselves;
    call it where a page changes by other means."""
    global _looked_up_since_retired
    _looked_up_since_retired = False
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


@lru_cache(maxsize=1)
def _ignored_tables() -> frozenset:
    return frozenset(model._meta.db_table.lower() for model in apps.get_models(include_auto_created=True)
                     if model._meta.app_label in IGNORED_APPS)


def _changes_pages(sql: str) -> bool:
    written = WRITE.match(sql)
    if written:
        if written.group(1).lower() in _ignored_tables():
            return False
        return not LAST_LOGIN_ONLY.match(sql)
    if READ.match(sql):
        return False
    if sql.lstrip().upper().startswith("WITH"):
        return bool(WRITING_PART.search(sql))
    # Anything else (TRUNCATE, CREATE, …) counts as a write: a needless retirement costs a
    # render, a missed one shows a wrong page. Never a read, or every render would retire
    # every kept page.
    return True


def _matched_nothing(sql: str, cursor) -> bool:
    """An UPDATE or DELETE that matched no row (a sweep finding nothing to do, every minute)
    changed nothing. Only those: the count of an INSERT … RETURNING is not known until its
    rows are read (SQLite says 0 before)."""
    return cursor.rowcount == 0 and bool(UPDATE_OR_DELETE.match(sql)) and "RETURNING" not in sql.upper()


def _retire_on_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _changes_pages(sql) and not _matched_nothing(sql, context["cursor"]):
        connection = context["connection"]
        if not connection.in_atomic_block:
            invalidate_kept_pages()
            return result
        # In a transaction the version moves at commit (once, however many statements), which
        # is what other people's pages need. Moving it now as well matters only to a page this
        # process keeps or serves before that commit — the transaction reading its own writes
        # (a test's, or a view rendering after it wrote) — so only if it has looked one up
        # since the last move: a transaction of a thousand statements costs Redis one or two
        # calls, not a thousand, and a Redis that hangs costs its timeout once, not per statement.
        if _looked_up_since_retired:
            invalidate_kept_pages()
        if not any(entry[1] is invalidate_kept_pages for entry in connection.run_on_commit):
            transaction.on_commit(invalidate_kept_pages, using=connection.alias)
    return result


def _watch_connection(sender, connection, **kwargs) -> None:
    if _retire_on_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_retire_on_write)


def connect_invalidation() -> None:
    """Watch every database connection's writes (called once, from the core's ready())."""
    connection_created.connect(_watch_connection, dispatch_uid="pagecache-watch-writes")
    from django.db import connections

    for connection in connections.all(initialized_only=True):  # opened before ready()
        _watch_connection(None, connection)


# ---------------------------------------------------------------- the CSRF token


@lru_cache(maxsize=1)
def csrf_placeholder() -> str:
    """Stands for the CSRF token in a kept page. Letters, digits and dashes, so the
    template's escaping leaves it as it is; derived from the secret key, so text that people
    write (and pages show) cannot contain it and be turned into the reader's token."""
    return "csrf-" + salted_hmac("consortium.frontpage.csrf_placeholder", "placeholder").hexdigest()[:32]


def csrf_for_kept_pages(request) -> dict:
    """Context processor: a page being rendered to be kept gets the placeholder as its
    csrf_token (this runs after Django's own csrf processor, so it wins)."""
    if getattr(request, "_rendering_kept_page", False):
        return {"csrf_token": csrf_placeholder()}
    return {}


# ---------------------------------------------------------------- keeping


def _key(request) -> str:
    who = request.user.pk if request.user.is_authenticated else "anon"
    # The host too: a page may carry absolute links built from it (feeds, share links).
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()[:32]
    return f"page:{who}:{get_language()}:{address}"


def _current_version(found: dict) -> int:
    version = found.get(VERSION_KEY)
    if version is None:
        version = _fresh_version()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def kept_html(request, key: str, render_page) -> str:
    """The page's HTML for this request: the kept copy when it is current, else
    `render_page()` (which must render the CSRF token as csrf_placeholder()), kept."""
    global _looked_up_since_retired
    _looked_up_since_retired = True
    # One round trip: the current version and the kept copy, which carries the version it
    # was rendered under.
    found = cache.get_many([VERSION_KEY, key])
    version = _current_version(found)
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        html = kept[1]
    else:
        html = str(render_page())
        cache.set(key, (version, html), PAGE_LIFETIME)
    return html.replace(csrf_placeholder(), get_token(request))


def kept_page(view):
    """Keep the HTML of a GET view's page (see the module's docstring). Put it innermost,
    below the permission decorators, which must run on every request. For views that answer
    with a plain page: a kept copy comes back as an HttpResponse with the same body and
    content type; anything but a 200 HTML page (a redirect, a download, an error) is passed on
    and never kept."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or len(get_messages(request)):
            return view(request, *args, **kwargs)
        answered = {}

        def render_page():
            request._rendering_kept_page = True
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            finally:
                request._rendering_kept_page = False
            answered["response"] = response
            if (response.status_code != 200 or response.streaming
                    or not response.get("Content-Type", "").startswith("text/html")):
                raise _NotKept
            return response.content.decode(response.charset)

        try:
            html = kept_html(request, _key(request), render_page)
        except _NotKept:
            response = answered["response"]
            if not response.streaming and csrf_placeholder().encode() in response.content:
                response.content = response.content.replace(csrf_placeholder().encode(), get_token(request).encode())
            return response
        return HttpResponse(html)

    return wrapper


class _NotKept(Exception):
    """The view answered with something that is not a page to keep."""
