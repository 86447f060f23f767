"""Languages: catalogues complete, Finnish formats for fi and sv, holidays, the switch."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from consortium.calendar import holiday_name, is_working_day, next_working_day, previous_working_day
from consortium.management.commands.compile_catalogues import catalogue_paths

FINNISH_CATALOGUES = [path for path in catalogue_paths() if "/fi/" in str(path)]


def test_there_are_finnish_catalogues():
    assert any(path.is_relative_to(Path(settings.BASE_DIR) / "consortium") for path in FINNISH_CATALOGUES)


def test_every_catalogue_in_the_project_is_checked_and_compiled():
    """Found through the installed apps, so a new app's (or a nested app's) catalogue is
    compiled and checked without anyone listing it."""
    base = Path(settings.BASE_DIR)
    on_disk = {path.resolve() for pattern in ("locale/*/LC_MESSAGES/*.po", "*/locale/*/LC_MESSAGES/*.po",
                                              "*/*/locale/*/LC_MESSAGES/*.po") for path in base.glob(pattern)
               if ".venv" not in path.parts}
    assert on_disk and {path.resolve() for path in catalogue_paths()} == on_disk


def test_translations_live_in_the_catalogues_only():
    """No second copy of the strings in Python beside a catalogue (the .po files are the
    one source; edit them, then `manage.py compile_catalogues`)."""
    base = Path(settings.BASE_DIR)
    scripts = [path for path in base.glob("**/locale/**/*.py") if ".venv" not in path.parts]
    assert not scripts


@pytest.mark.parametrize("po_path", FINNISH_CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_finnish_catalogue_has_no_empty_or_fuzzy_entry(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:10]}"


@pytest.mark.parametrize("po_path", catalogue_paths(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_compiled_catalogue_matches_its_source(po_path):
    """The committed .mo must hold what the .po says (run `manage.py compile_catalogues`)."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing"
    source = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0, "")) for e in polib.pofile(str(po_path))
              if e.translated()}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0, "")) for e in polib.mofile(str(mo_path))
                if e.msgid}
    assert source == compiled


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_finnish_date_and_number_formats_for_finnish_and_swedish(language):
    with translation.override(language):
        assert formats.date_format(date(2026, 11, 21), "SHORT_DATE_FORMAT") == "21.11.2026"
        rendered = Template("{% load portal %}{{ value|money }}").render(Context({"value": Decimal("1234.5")}))
        assert rendered == "1\xa0234,50\xa0€"


def test_interface_strings_are_translated():
    with translation.override("fi"):
        assert translation.gettext("Libraries") == "Kirjastot"
    with translation.override("sv"):
        assert translation.gettext("Libraries") == "Bibliotek"


def test_finnish_holidays():
    assert holiday_name(date(2026, 12, 6), "fi") == "Itsenäisyyspäivä"
    assert not is_working_day(date(2026, 6, 19))  # Midsummer Eve is a day off
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas Eve to Monday
    assert previous_working_day(date(2026, 12, 6)) == date(2026, 12, 4)


@pytest.mark.django_db
def test_language_switch_is_remembered_on_the_profile(client, director):
    client.force_login(director)
    response = client.post(reverse("set_language"), {"language": "sv", "next": reverse("home")})
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.language == "sv"
    page = client.get(reverse("home"))
    assert page["Content-Language"] == "sv"
    assert '<html lang="sv">' in page.content.decode()


@pytest.mark.django_db
def test_anonymous_language_switch_uses_the_cookie(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert client.get(reverse("login"))["Content-Language"] == "en"
    assert client.get(reverse("accessibility")).content.decode().count("Accessibility statement") >= 1


@pytest.mark.django_db
@pytest.mark.parametrize("language, heading", [("fi", "Saavutettavuusseloste"), ("sv", "Tillgänglighetsutlåtande"),
                                               ("en", "Accessibility statement")])
def test_accessibility_statement_in_three_languages(client, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()
