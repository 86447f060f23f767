from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info

from .permissions import roles_of
from .registry import nav_for


@lru_cache(maxsize=16)
def _language_choices(current: str) -> tuple[tuple[str, str, bool], ...]:
    """(code, name in its own language, is current) for the switch; the same for every page."""
    return tuple((code, capfirst(get_language_info(code)["name_local"]), code == current)
                 for code, _name in settings.LANGUAGES)


@lru_cache(maxsize=256)
def _nav_url(url_name: str, script_prefix: str) -> str:
    # The navigation's URLs never change while the process runs (for one script prefix).
    return reverse(url_name)


def _nav_links(request, entries) -> list[dict]:
    links = []
    prefix = get_script_prefix()
    for entry in entries:
        url = _nav_url(entry.url_name, prefix)
        links.append({"key": entry.key, "label": entry.label, "url": url, "current": request.path == url})
    return links


def portal(request):
    """The frame's needs: the person's roles, the navigation they may use and the language
    switch, worked out here in Python (the frame is on every page, so it is kept cheap)."""
    user = getattr(request, "user", None)
    entries = nav_for(user)
    return {
        "roles": roles_of(user),
        "nav_links": _nav_links(request, entries),
        "language_choices": _language_choices(get_language()),
    }
