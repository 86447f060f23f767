"""In a real browser: a director logs in, switches to Swedish and back; axe-core is clean."""

import pytest

from consortium.testing import assert_accessible, login
from consortium.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_logs_in_switches_language_and_pages_are_accessible(page, director):
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert_accessible(page)

    login(page, director.email, PASSWORD)
    assert page.url.endswith("/")
    assert page.locator("h1").inner_text().startswith("Tervetuloa")
    assert_accessible(page)

    page.get_by_role("button", name="Svenska").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text().startswith("Välkommen")
    assert_accessible(page)

    page.get_by_role("button", name="Suomi").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "fi"
    director.refresh_from_db()
    assert director.language == "fi"


def test_keyboard_user_reaches_content_through_the_skip_link(page, director):
    login(page, director.email, PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_libraries_and_people_pages_are_accessible(page, staff_user, humppila):
    login(page, staff_user.email, PASSWORD)
    for path in ("/libraries/", f"/libraries/{humppila.pk}/", "/people/", "/people/invite/", "/jobs/",
                 "/accessibility/", "/profile/"):
        page.goto(path)
        assert_accessible(page)
