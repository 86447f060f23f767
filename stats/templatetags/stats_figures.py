"""Figures of the annual reports on a page: whole numbers grouped, euros with cents, "–"
where there is no figure (a zero is a figure and shows as 0)."""

from decimal import Decimal

from django import template

from consortium.registry import figure_source_label
from consortium.templatetags.portal import number
from stats.annual_selectors import month_ranges as _month_ranges

register = template.Library()


@register.filter
def figure(value):
    if value is None or value == "":
        return "–"
    return number(value, 2 if isinstance(value, Decimal) else 0)


@register.filter
def signed_figure(value):
    """A change: +1 234, −56, or "–" when there is nothing to compare."""
    if value is None:
        return "–"
    text = figure(abs(value))
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


@register.filter
def signed_percent(value):
    """A change in per cent with one decimal: +12,3 %, or "–"."""
    if value is None:
        return "–"
    text = number(abs(value), 1)
    return f"{'+' if value > 0 else '−' if value < 0 else ''}{text}\xa0%"


@register.filter
def source_label(key: str) -> str:
    """A figure source by the name its app gives it ("Lounan e-aineistotilaukset"), not
    its registry key."""
    return figure_source_label(key)


@register.filter
def month_ranges(months) -> str:
    """Month numbers compactly: [4, 5, 6, 9] as "4–6, 9"."""
    return _month_ranges(months or ())
