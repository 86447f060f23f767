"""In a real browser: the coordinator records an order against the principles and moves it
on until customers see it in Finna; a director sees their municipality's share. axe-core
is clean on every page on the way, at 1280 and 320 px."""

import pytest

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD

from .conftest import YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)


def test_coordinator_orders_and_catalogues_and_the_director_sees_the_share(page, budget, principle, coordinator,
                                                                           director, live_server):
    login(page, coordinator.email, PASSWORD)
    page.goto(f"/louna/ematerials/orders/new/?year={YEAR}")
    check(page)
    page.get_by_label("Palvelu ja budjetti").select_option(str(budget.pk))
    page.get_by_label("Noudattaa periaatteita").select_option(str(principle.pk))
    page.get_by_label("Nimekkeet tai paketti").fill("Väinö Linna: Tuntematon sotilas")
    page.get_by_label("Lisenssimalli").select_option("one_copy")
    page.get_by_label("Hinta (€)").fill("249,90")
    page.get_by_label("Tilauspäivä").fill(f"2.3.{YEAR}")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("Ellibs e-kirjat: Väinö Linna")
    check(page)
    for state, label in (("received", "vastaanotettu"), ("visible", "näkyy Finnassa")):
        page.locator("select[name=state]").select_option(state)
        page.locator("input[name=on]").fill(f"20.3.{YEAR}")
        page.get_by_role("button", name="Kirjaa vaihe").click()
        page.wait_for_load_state("load")
        assert label in page.locator("[role=status], .alert").first.inner_text()
    assert "näkyy Finnassa: 20.3.2026" in page.locator("#order-steps").inner_text()
    page.goto("/louna/ematerials/cataloguing/")
    assert "Kaikki tilattu näkyy Finnassa." in page.locator("main").inner_text()
    check(page)

    page.context.clear_cookies()
    login(page, director.email, PASSWORD)
    page.goto(f"/louna/ematerials/{YEAR}/")
    humppila = page.locator("#shares tr", has_text="Humppila")
    assert "sinun kuntasi" in humppila.inner_text()
    assert "21,74\xa0€" in humppila.inner_text()  # 249,90 € × 2 174 / 24 990 people, to the cent
    check(page)
