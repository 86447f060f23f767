"""The rows of the task board, written in Python.

A board holds hundreds of tasks. Even without an include per row, Django's template
engine resolved and localised some fifteen variables per row and took most of the page's
time. Here every value is escaped with `html.escape`, which is what Django's `escape` does
(without its lazy-string wrapper, which cost as much again); the labels and dates come
ready as plain strings from `selectors.BoardRow`.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _row(row, show_area: bool, show_state: bool) -> str:
    parts = [
        '<tr>\n  <td><span class="text-body-secondary me-1">', escape(row.code), '</span><a href="', escape(row.url),
        '">', escape(row.text), "</a>",
    ]
    if row.note:
        parts += ['\n    <div class="small text-body-secondary mt-1">', escape(row.note_on), ": ", escape(row.note),
                  "</div>"]
    if row.municipal:
        parts.append('\n    <ul class="list-inline small mb-0 mt-1">')
        for name, label in row.municipal:
            parts += ['<li class="list-inline-item">', escape(name), ": ", escape(label), "</li>"]
        parts.append("</ul>")
    parts.append("</td>\n  ")
    if show_area:
        parts.append(f"<td>{int(row.area_number)}</td>")
    parts.append("\n  ")
    if show_state:
        parts += ['<td><span class="badge ', escape(row.badge), '">', escape(row.state_label), "</span></td>"]
    parts += ["\n  <td>", escape(row.responsible or "–"), "</td>\n  <td>", escape(row.due), "</td>\n  <td>",
              str(int(row.note_count)), "</td><td>", str(int(row.evidence_count)), "</td>\n</tr>\n"]
    return "".join(parts)


@register.simple_tag
def board_rows(rows, show_area=False, show_state=False):
    """`<tr>` for each BoardRow; the columns match louna/includes/task_head.html. Every value
    is escaped above, so the whole is safe."""
    return mark_safe("".join(_row(row, show_area, show_state) for row in rows))
