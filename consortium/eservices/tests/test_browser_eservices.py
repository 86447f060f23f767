"""In a real browser: staff create an offering and move it to *offered to members*; a
library contact sees the announcement on their front page and marks the offering taken up;
an evaluator opens the report form. axe-core is clean on the catalogue, the offering page
and the evaluation form, and they fit 1280 px and reflow at 320 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortium.tests.factories import PASSWORD
from testsupport import assert_accessible, login

from .factories import EvaluatorFactory, GroupFactory, ParticipationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)


def test_staff_offer_a_service_and_a_library_takes_it_up(page, staff_user, contact, humppila, live_server):
    login(page, staff_user.email, PASSWORD)
    page.goto("/eservices/offerings/new/")
    page.locator("#id_name").fill("Viddla")
    page.get_by_label("Toimittaja").fill("Suomen Kirjastopalvelu Oy")
    page.get_by_label("Laji").select_option("films")
    page.get_by_label("suomi", exact=True).check()
    page.locator("#id_description").fill("Elokuvia ja dokumentteja kirjaston asiakkaille.")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Viddla"
    for stage in ("negotiating", "offered"):
        page.get_by_label("Siirrä vaiheeseen").select_option(stage)
        page.get_by_role("button", name="Siirrä", exact=True).click()
        page.wait_for_load_state("load")
    assert page.locator("#stage").inner_text() == "tarjolla jäsenille"
    check(page)

    page.context.clear_cookies()
    login(page, contact.email, PASSWORD)
    page.get_by_role("link", name="Uutta jäsenille: Viddla").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Kirjastomme käyttää tätä").click()
    page.get_by_label("Käytössä alkaen").fill("1.3.2026")
    page.get_by_label("Lisenssin tai sopimuksen tunnus").fill("SOP-2026-7")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("load")
    assert "Humppilan kunnankirjasto" in page.locator("#take-ups").inner_text()
    check(page)
    page.goto("/eservices/")
    assert "Viddla" in page.locator("#offerings").inner_text()
    check(page)


def test_the_evaluation_form_is_accessible(page, humppila, humppila_evaluator, live_server):
    today = timezone.localdate()
    group = GroupFactory(name="Viddla-arviointi", starts_on=today - timedelta(days=10),
                         ends_on=today + timedelta(days=10))
    evaluator = EvaluatorFactory(participation=ParticipationFactory(group=group, library=humppila),
                                 user=humppila_evaluator)
    login(page, humppila_evaluator.email, PASSWORD)
    page.goto(f"/eservices/reports/write/{evaluator.pk}/")
    check(page)
    for index in range(5):
        page.locator("fieldset, .mb-3").filter(has=page.locator("input[type=radio][value='4']")).nth(index) \
            .locator("input[type=radio][value='4']").check()
    page.get_by_label("Kokemukset").fill("Asiakkaat löysivät elokuvat helposti.")
    page.get_by_label("kyllä").check()
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("Kokemusraportti")
    check(page)
