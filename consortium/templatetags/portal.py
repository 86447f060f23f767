"""Finnish number and money formats: 1 234,50 € (a no-break space groups the thousands)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.formats import number_format

register = template.Library()


@register.filter
def number(value, decimals=0):
    """A number grouped by thousands in the active language's way."""
    if value in (None, ""):
        return ""
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def money(value):
    """Euros with two decimals: 1 234,50 €."""
    if value in (None, ""):
        return ""
    return f"{number(value, 2)}\xa0€"


@register.simple_tag(takes_context=True)
def query_string(context, **changes):
    """The current query string with some parameters changed (for paging and filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


# ---------------------------------------------------------------- translated texts


def _shown_text(obj, field: str) -> tuple[str, str]:
    """(text, its language) of a translated model field for the active language: the
    reader's own version when written, else the Finnish one every text has."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language in getattr(settings, "MODELTRANSLATION_LANGUAGES", ()):
        own = getattr(obj, f"{field}_{language}", None)
        if own:
            return own, language
    finnish = getattr(obj, f"{field}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}", None)
    if finnish is None:  # not a translated field: the text is what it is
        finnish = getattr(obj, field, "")
    return finnish or "", settings.MODELTRANSLATION_DEFAULT_LANGUAGE


@register.simple_tag
def translated(obj, field):
    """{% translated offering "name" %}: the field in the reader's language, or the Finnish
    text marked lang="fi" (so a screen reader reads it in Finnish) when there is none."""
    text, language = _shown_text(obj, field)
    if language == (get_language() or "").split("-")[0]:
        return text
    return format_html('<span lang="{}">{}</span>', language, text)


@register.simple_tag
def text_language(obj, field):
    """The language of what {% translated %} shows, for a block element's lang attribute
    around longer texts: <div lang="{% text_language item 'text' %}">…</div>."""
    return _shown_text(obj, field)[1]


@register.filter
def get_item(mapping, key):
    """{{ shares|get_item:municipality.pk }}: a value of a dict by a key the template has."""
    if not mapping:
        return None
    return mapping.get(key)
