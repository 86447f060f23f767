"""Every page each role reaches, found the way a person finds them — by following links from
the front page, no hand-kept list — checked in a real browser: it answers 200, axe-core
finds no WCAG 2.1 A/AA violation, nothing is wider than the window at 1280 px nor at 320 px
(WCAG 1.4.10 reflow), no table scrolls sideways inside its box at 1280 px (a scroll box on a
desktop hides columns nobody knows to look for; at 320 px it may scroll), <html lang> is the
chosen language, and no English text of the catalogues shows through on the Finnish page.

One page per URL pattern is enough (the 40th library page is built like the first), which
keeps the walk bounded as the demo data grows."""

import re
from collections import deque
from datetime import datetime
from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from zoneinfo import ZoneInfo

import polib
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from consortium.demo_data import DEMO_PASSWORD, demo_email
from testsupport import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
ROLES = {
    "anonymous": None,
    "contact": "yhteyshenkilo.humppila",
    "director": "johtaja.humppila",
    "coordinator": "koordinaattori",
    "staff": "henkilokunta",
}
# Links that are not pages: files, feeds, machine-readable answers, and leaving.
NOT_A_PAGE = re.compile(r"(logout|/admin/|\.(xlsx|csv|pdf|ics|json|xml|rss|png|jpe?g|gif|webp)$|/feed|/export|"
                        r"/download|/images/|/static/|/media/)", re.I)
MAX_PAGES = 120


def english_texts() -> tuple[set[str], set[str]]:
    """English msgids that have a different Finnish translation: whole lines (single words,
    which only count when a line says just that) and phrases (searched anywhere)."""
    words, phrases = set(), set()
    for po_path in BASE_DIR.glob("**/locale/fi/LC_MESSAGES/django.po"):
        if ".venv" in po_path.parts:
            continue
        for entry in polib.pofile(str(po_path)):
            text = entry.msgid.strip()
            if (not entry.msgstr or entry.msgstr.strip() == text or "%" in text or "{" in text
                    or "<" in text or len(text) < 4):
                continue
            if " " in text:
                if len(text.split()) >= 3:
                    phrases.add(text)
            elif text[0].isupper():
                words.add(text)
    return words, phrases


def page_key(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def overflow(page) -> list[str]:
    """Elements that stick out of the window (the page would scroll sideways)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width + 1) return [];
        const wide = [];
        for (const element of document.querySelectorAll('body *')) {
            const box = element.getBoundingClientRect();
            if (box.right > width + 1 && getComputedStyle(element).position !== 'fixed') {
                let inside = element.parentElement, scrolled = false;
                while (inside) {
                    const style = getComputedStyle(inside);
                    if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) { scrolled = true; break; }
                    inside = inside.parentElement;
                }
                if (!scrolled) wide.push(element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                                         + (element.className && typeof element.className === 'string'
                                            ? '.' + element.className.trim().split(/\\s+/).join('.') : ''));
            }
            if (wide.length >= 5) break;
        }
        return wide;
    }""")


def tables_scrolling(page) -> list[str]:
    """Tables that do not fit their column: the scroll box static/js/tables.js puts around
    a table (or a template's own .table-responsive) scrolls sideways, or a table is wider
    than what holds it. At 1280 px every table must fit (a scroll box there hides columns
    a person does not know to look for); at 320 px the box may scroll, the page not."""
    return page.evaluate("""() => {
        const labelledBy = (table) => {
            const id = table.getAttribute('aria-labelledby');
            const label = id && document.getElementById(id);
            return label ? label.textContent : '';
        };
        const name = (table, box) => (box && box.getAttribute('aria-label')) || labelledBy(table)
            || (table.querySelector('caption') || {}).textContent || table.id || 'table';
        const wide = [];
        for (const table of document.querySelectorAll('main table')) {
            if (table.checkVisibility && !table.checkVisibility()) continue;
            const box = table.closest('.table-responsive');
            const holder = box || table.parentElement;
            const tooWide = box ? box.scrollWidth > box.clientWidth + 1
                                : table.getBoundingClientRect().width > holder.clientWidth + 1;
            if (tooWide) {
                const need = Math.round(table.getBoundingClientRect().width), has = holder.clientWidth;
                wide.push(`"${name(table, box).trim().replace(/\\s+/g, ' ')}" ${need} px in ${has} px`);
            }
        }
        return wide;
    }""")


def english_on_page(page, words, phrases) -> list[str]:
    # Text in an element marked with another language (the language switcher's "English",
    # a quoted title) is meant to be there; everything else a person or a screen reader
    # meets must be Finnish.
    pieces = page.evaluate("""() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const element = walker.currentNode.parentElement;
            if (!element || element.closest('script, style, noscript, template')) continue;
            const marked = element.closest('[lang]');
            if (marked && !marked.lang.startsWith('fi')) continue;
            if (element.checkVisibility && !element.checkVisibility()) continue;
            const text = walker.currentNode.textContent.trim();
            if (text) out.push(text);
        }
        return out;
    }""")
    text = "\n".join(pieces)
    lines = set(pieces)
    found = sorted(lines & words)
    found += sorted(phrase for phrase in phrases if phrase in text)
    return found[:10]


def crawl(page, live_server_url: str, role: str) -> list[str]:
    words, phrases = english_texts()
    problems: list[str] = []
    seen_keys: set[str] = set()
    queue = deque(["/"])
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        key = page_key(path)
        if key is None or key in seen_keys:
            continue
        seen_keys.add(key)
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(path)
        visited += 1
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        if response.status != 200:
            problems.append(f"{role} {path}: HTTP {response.status}")
            continue
        if page.locator("html").get_attribute("lang") != "fi":
            problems.append(f"{role} {path}: <html lang> is {page.locator('html').get_attribute('lang')!r}")
        try:
            assert_accessible(page)
        except pytest.fail.Exception as failure:
            problems.append(f"{role} {path}: {failure}")
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            wide = overflow(page)
            if wide:
                problems.append(f"{role} {path}: wider than {width} px: {', '.join(wide)}")
            if width == 1280:
                scrolling = tables_scrolling(page)
                if scrolling:
                    problems.append(f"{role} {path}: a table scrolls sideways at 1280 px: {'; '.join(scrolling)}")
        english = english_on_page(page, words, phrases)
        if english:
            problems.append(f"{role} {path}: English on the Finnish page: {english}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            href = urldefrag(href)[0]
            if not href or href.startswith(("mailto:", "tel:", "javascript:")):
                continue
            parts = urlsplit(href)
            if parts.netloc and f"{parts.scheme}://{parts.netloc}" != live_server_url:
                continue  # another site
            target = parts.path or path
            if NOT_A_PAGE.search(target) or not target.startswith("/"):
                continue
            if page_key(target) not in seen_keys:
                queue.append(target)
    assert visited > (1 if role == "anonymous" else 4), f"{role} reached only {visited} page(s)"
    return problems


@pytest.fixture
def demo(settings):
    # Session cookies without an expiry date: the browser runs on the real clock while the
    # portal runs on the frozen one below.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki")), tick=True):
        call_command("seed_demo", quiet=True)
        yield


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_is_accessible_fits_and_speaks_finnish(page, live_server, demo, role):
    if ROLES[role]:
        login(page, demo_email(ROLES[role]), DEMO_PASSWORD)
    problems = crawl(page, live_server.url, role)
    assert not problems, "\n".join(problems)
