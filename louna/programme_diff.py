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


def diff_html(old: str, new: str) -> SafeString:
    old_tokens, new_tokens = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    removed, added = _("removed:"), _("added:")
    out = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(old_tokens[a1:a2])))
            continue
        if op in ("delete", "replace"):
            out.append(f'<del><span class="visually-hidden">[{escape(removed)} </span>'
                       f'{escape("".join(old_tokens[a1:a2]))}<span class="visually-hidden">]</span></del>')
        if op in ("insert", "replace"):
            out.append(f'<ins><span class="visually-hidden">[{escape(added)} </span>'
                       f'{escape("".join(new_tokens[b1:b2]))}<span class="visually-hidden">]</span></ins>')
    return mark_safe("".join(out).replace("\n", "<br>"))  # noqa: S308 every piece above is escaped
