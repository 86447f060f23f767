"""Small named seams through which the other apps plug into the core.

The core never imports another app. Each app registers, in its AppConfig.ready():
- front-page cards (what needs the person's attention),
- navigation entries (shown by role),
- demo-data seeders (run by `manage.py seed_demo` after the core's own data),
- newsletter sections (what an app has to tell the members this month),
- figure sources (yearly figures an app produces for the OKM statistics),
- personal data (what an app keeps about a person: exported and erased on request).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ("Card", "CardItem", "NavEntry", "register_card", "register_nav", "register_seeder",
           "cards_for", "nav_for", "seeders", "NewsletterSection", "NewsletterEntry",
           "register_newsletter_section", "newsletter_sections", "Figure", "register_figure_source",
           "figure_sources", "figure_source_label", "PersonalData", "register_personal_data", "personal_data_sources")


@dataclass
class CardItem:
    label: str
    url: str = ""
    note: str = ""  # e.g. "3 days left"; shown beside the label
    urgent: bool = False


@dataclass
class Card:
    title: str
    items: list[CardItem] = field(default_factory=list)
    empty_text: str = ""
    more_url: str = ""
    more_label: str = ""
    order: int = 100


CardProvider = Callable[[Any, Any], "list[Card] | Card | None"]  # (request, roles)

_card_providers: list[CardProvider] = []


def register_card(provider: CardProvider) -> CardProvider:
    """Decorator: `provider(request, roles)` returns the cards it has for this person."""
    if provider not in _card_providers:
        _card_providers.append(provider)
    return provider


def cards_for(request, roles) -> list[Card]:
    cards: list[Card] = []
    for provider in _card_providers:
        produced = provider(request, roles)
        if produced is None:
            continue
        cards.extend(produced if isinstance(produced, list) else [produced])
    return sorted(cards, key=lambda card: card.order)


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any  # a lazy translation
    url_name: str
    visible: Callable[[Any], bool]  # user -> bool: may this person use the page?
    order: int = 100


_nav_entries: dict[str, NavEntry] = {}


def register_nav(entry: NavEntry) -> None:
    _nav_entries[entry.key] = entry


def nav_for(user) -> list[NavEntry]:
    return sorted((e for e in _nav_entries.values() if e.visible(user)), key=lambda e: e.order)


Seeder = Callable[..., None]  # seeder(*, scale: int, stdout) -> None
_seeders: list[tuple[int, str, Seeder]] = []


def register_seeder(name: str, seeder: Seeder, order: int = 100) -> None:
    if all(existing != name for _, existing, _ in _seeders):
        _seeders.append((order, name, seeder))


def seeders() -> list[tuple[str, Seeder]]:
    return [(name, seeder) for _, name, seeder in sorted(_seeders, key=lambda item: (item[0], item[1]))]


@dataclass
class NewsletterEntry:
    title: str
    text: str = ""  # plain text; the newsletter escapes it
    url: str = ""  # absolute, or a path the newsletter makes absolute with SITE_URL
    note: str = ""  # e.g. "opt-in by 15.12.2026"


@dataclass
class NewsletterSection:
    key: str
    title: str
    entries: list[NewsletterEntry] = field(default_factory=list)
    order: int = 100


# provider(*, since: datetime, until: datetime, area: CooperationArea | None) -> NewsletterSection | None
# The newsletter asks every provider once for every member (area None) and once for each
# cooperation area; for an area, a provider returns what only that area's libraries are
# told (None if nothing: what every member gets need not be repeated). Texts are rendered
# in the active language.
SectionProvider = Callable[..., "NewsletterSection | None"]
_newsletter_sections: dict[str, SectionProvider] = {}


def register_newsletter_section(key: str, provider: SectionProvider) -> None:
    _newsletter_sections[key] = provider


def newsletter_sections(*, since, until, area=None) -> list[NewsletterSection]:
    sections = []
    for provider in _newsletter_sections.values():
        section = provider(since=since, until=until, area=area)
        if section is not None and section.entries:
            sections.append(section)
    return sorted(sections, key=lambda section: section.order)


# ---------------------------------------------------------------- statistics figures


@dataclass(frozen=True)
class Figure:
    """One yearly figure an app produces for the OKM statistics, per municipality: e.g.
    Louna's shared e-material acquisitions in euros, split from its orders."""

    municipality_code: str  # the 3-digit kuntanumero
    metric: str  # the statistics metric's code
    value: Any  # int or Decimal
    source: str  # where it came from, shown beside the figure


# provider(*, year: int) -> list[Figure]
FigureProvider = Callable[..., "list[Figure]"]
_figure_sources: dict[str, FigureProvider] = {}
_figure_source_labels: dict[str, Any] = {}


def register_figure_source(key: str, provider: FigureProvider, *, label: Any = None) -> None:
    """An app offers yearly figures to the statistics without the statistics app knowing
    it: the annual job asks every registered source (stats never imports louna). `label`
    (lazy text) is what people read for the source; a Figure whose `source` is the key is
    shown by that label, translated when shown rather than when the report was stored."""
    _figure_sources[key] = provider
    if label is not None:
        _figure_source_labels[key] = label


def figure_source_label(name: str) -> str:
    """A registered source's label, or the name as it was stored (free text, or a source
    no longer registered)."""
    label = _figure_source_labels.get(name)
    return str(label) if label is not None else name


def figure_sources() -> dict[str, FigureProvider]:
    return dict(_figure_sources)


# ---------------------------------------------------------------- personal data


@dataclass(frozen=True)
class PersonalData:
    """What an app keeps about one person, for a data-access or erasure request (GDPR
    articles 15 and 17). export(user) returns JSON-ready data (or None when there is none);
    erase(user) removes it, or pseudonymises what must be kept (an audit trail), inside the
    caller's transaction, and raises ValidationError when it cannot be done now."""

    key: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None]


_personal_data: dict[str, PersonalData] = {}


def register_personal_data(key: str, *, export: Callable[[Any], Any], erase: Callable[[Any], None]) -> None:
    _personal_data[key] = PersonalData(key, export, erase)


def personal_data_sources() -> list[PersonalData]:
    return [_personal_data[key] for key in sorted(_personal_data)]
