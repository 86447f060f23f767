"""In a real browser: a director logs in, switches to Swedish and back; axe-core is clean."""

import pytest

from testsupport import assert_accessible, login
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


def test_libraries_and_people_pages_are_accessible(page, staff_user, humppila, contact):
    login(page, staff_user.email, PASSWORD)
    for path in ("/", "/libraries/", f"/libraries/{humppila.pk}/", "/libraries/new/", f"/libraries/{humppila.pk}/edit/",
                 f"/libraries/{humppila.pk}/points/new/", "/people/", f"/people/{contact.pk}/", "/people/invite/",
                 "/jobs/", "/accessibility/", "/profile/", "/no-such-page/"):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


def test_form_errors_are_accessible(page, staff_user):
    """A form sent back with errors keeps its labels and names the wrong field."""
    login(page, staff_user.email, PASSWORD)
    page.goto("/people/invite/")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator(".invalid-feedback, .is-invalid").count() > 0
    assert_accessible(page)


def test_a_forbidden_page_keeps_the_frame(page, director):
    login(page, director.email, PASSWORD)
    response = page.goto("/people/invite/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Ei pääsyä"
    assert_accessible(page)
