"""The rows of the task board, written in Python.

A board holds hundreds of tasks. Even without an include per row, Django's template
engine resolved and localised some fifteen variables per row and took most of the page's
time; `format_html` does the same escaping for a fraction of it. The labels and dates come
ready from `selectors.BoardRow`.
"""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _row(row, show_area: bool, show_state: bool) -> str:
    extra = ""
    if row.note:
        extra += format_html('\n    <div class="small text-body-secondary mt-1">{}: {}</div>', row.note_on, row.note)
    if row.municipal:
        items = "".join(format_html('<li class="list-inline-item">{}: {}</li>', name, label)
                        for name, label in row.municipal)
        extra += '\n    <ul class="list-inline small mb-0 mt-1">' + items + "</ul>"
    cells = format_html('<tr>\n  <td><span class="text-body-secondary me-1">{}</span><a href="{}">{}</a>',
                        row.code, row.url, row.text) + extra + "</td>\n  "
    if show_area:
        cells += f"<td>{row.area_number}</td>"
    cells += "\n  "
    if show_state:
        cells += format_html('<td><span class="badge {}">{}</span></td>', row.badge, row.state_label)
    cells += format_html("\n  <td>{}</td>\n  <td>{}</td>\n  <td>{}</td><td>{}</td>\n</tr>\n",
                         row.responsible or "–", row.due, row.note_count, row.evidence_count)
    return cells


@register.simple_tag
def board_rows(rows, show_area=False, show_state=False):
    """`<tr>` for each BoardRow; the columns match louna/includes/task_head.html."""
    return mark_safe("".join(_row(row, show_area, show_state) for row in rows))
