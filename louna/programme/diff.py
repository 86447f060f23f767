"""A word-level difference between two texts, as HTML a screen reader can follow: removed
words in <del>, added words in <ins>, each announced by hidden text, and styled with
strike-through and underline rather than colour alone."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = ("diff_html", "tokens")

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _segments(old: str, new: str) -> list[tuple[bool, str, str]]:
    """(changed, old text, new text) runs. A run of only spaces between two changes joins
    them, so "koko vuosi" → "tammikuusta kesäkuuhun" reads as one change, not four."""
    old_tokens, new_tokens = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    runs = [(op != "equal", "".join(old_tokens[a1:a2]), "".join(new_tokens[b1:b2]))
            for op, a1, a2, b1, b2 in matcher.get_opcodes()]
    merged: list[tuple[bool, str, str]] = []
    for index, (changed, a, b) in enumerate(runs):
        between_changes = (not changed and not a.strip() and 0 < index < len(runs) - 1
                           and runs[index - 1][0] and runs[index + 1][0])
        if changed or between_changes:
            if merged and merged[-1][0]:
                _c, pa, pb = merged.pop()
                merged.append((True, pa + a, pb + b))
            else:
                merged.append((True, a, b))
        else:
            merged.append((False, a, b))
    return merged


def diff_html(old: str, new: str) -> SafeString:
    removed, added = _("removed:"), _("added:")
    out = []
    for changed, a, b in _segments(old or "", new or ""):
        if not changed:
            out.append(escape(a))
            continue
        if a:
            out.append(f'<del><span class="visually-hidden">[{escape(removed)} </span>'
                       f'{escape(a)}<span class="visually-hidden">]</span></del>')
        if b:
            out.append(f'<ins><span class="visually-hidden">[{escape(added)} </span>'
                       f'{escape(b)}<span class="visually-hidden">]</span></ins>')
    return mark_safe("".join(out).replace("\n", "<br>"))  # noqa: S308 every piece above is escaped
