"""Turning an issue into HTML and plain text: safe Markdown, the e-mail, the web page.

An issue is rendered once per (language, areas) with a placeholder where each
recipient's own unsubscribe address goes; the sender then only swaps the placeholder, so
10,000 messages cost a handful of template renders, not 10,000."""

import re
from dataclasses import dataclass

import markdown
import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Block, Issue

__all__ = ("markdown_to_html", "markdown_to_text", "absolute_url", "RenderedIssue", "render_issue",
           "UNSUBSCRIBE_PLACEHOLDER", "escape_markdown", "blocks_for", "issue_blocks")

UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre",
                "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def markdown_to_html(text: str) -> str:
    """Markdown to HTML, then through nh3 with a small allow-list: whatever staff (or an
    attacker who got a staff password) type, no script, style or event handler survives.
    Headings are shifted down so an item never competes with the page's own h1/h2."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    html = re.sub(r"<(/?)h[12]\b", r"<\1h3", html)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def markdown_to_text(text: str) -> str:
    """The plain-text part reads the Markdown source as it is, minus any raw HTML."""
    cleaned = nh3.clean(text or "", tags=set())
    # nh3 escapes &, < and > for HTML; plain text wants them back.
    return cleaned.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_BLOCK_START = re.compile(r"^(\s*)([#>+-]|\d+\.)", re.MULTILINE)


def escape_markdown(text: str, *, lines: bool = False) -> str:
    """Text from another app, shown as it is: only what Markdown would act on is escaped
    (with `lines`, also what would start a heading or list at the start of a line)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text or "")
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text) if lines else text


def absolute_url(path_or_url: str) -> str:
    if not path_or_url or path_or_url.startswith(("http://", "https://", "mailto:")):
        return path_or_url
    return settings.SITE_URL.rstrip("/") + "/" + path_or_url.lstrip("/")


def issue_blocks(issue: Issue) -> list[Block]:
    """The parts of an issue in order, each with its area (shown beside an area's part)."""
    return list(issue.blocks.select_related("area"))


def blocks_for(blocks, *, areas: frozenset | None):
    """The blocks a reader gets: the parts for every member and those for the reader's
    cooperation areas (ids). None = the web page: everything, each area's parts marked."""
    if areas is None:
        return list(blocks)
    return [block for block in blocks if block.area_id is None or block.area_id in areas]


def _block_view(block: Block, language: str) -> dict:
    body = block.localized("body", language)
    return {
        "title": block.localized("title", language),
        "html": markdown_to_html(body),
        "text": markdown_to_text(body),
        "link": absolute_url(block.link),
        "image_url": absolute_url(block.image_url),
        "image_alt": block.image_alt,
        "area": block.area.name if block.area_id else "",
        "kind": block.kind,
    }


def issue_context(issue: Issue, blocks, *, language: str, areas: frozenset | None) -> dict:
    language = issue.language_for(language)
    return {
        "issue": issue,
        "language": language,
        "subject": issue.localized("subject", language),
        "intro_html": markdown_to_html(issue.localized("intro", language)),
        "intro_text": markdown_to_text(issue.localized("intro", language)),
        "blocks": [_block_view(block, language) for block in blocks_for(blocks, areas=areas)],
        "archive_url": absolute_url(archive_path(issue)),
        "site_url": settings.SITE_URL,
    }


def archive_path(issue: Issue) -> str:
    return reverse("newsletters:archive_issue", args=[issue.month.year, issue.month.month])


@dataclass(frozen=True)
class RenderedIssue:
    language: str
    subject: str
    text: str
    html: str

    def for_recipient(self, unsubscribe_url: str) -> tuple[str, str]:
        return (self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
                self.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url))


def render_issue(issue: Issue, blocks=None, *, language: str, areas: frozenset | None,
                 test: bool = False) -> RenderedIssue:
    """The e-mail for one language and set of cooperation areas (ids; None = every part,
    as in a test message), with the unsubscribe placeholder in place."""
    if blocks is None:
        blocks = issue_blocks(issue)
    language = issue.language_for(language)
    with translation.override(language):
        context = issue_context(issue, blocks, language=language, areas=areas)
        context.update({"unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER, "test": test})
        subject = context["subject"]
        if test:
            subject = _("[TEST] %(subject)s") % {"subject": subject}
        text = render_to_string("newsletters/mail/issue.txt", context)
        html = render_to_string("newsletters/mail/issue.html", context)
    return RenderedIssue(language=language, subject=subject, text=text, html=html)
