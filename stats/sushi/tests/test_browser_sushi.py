"""In a real browser: the coordinator adds a SUSHI account for the stub on 127.0.0.1,
tests the connection, harvests two months and sees the grid fill; axe-core is clean on the
account form, the account page with the test's answer, and the grid."""

import pytest

from consortium.tests.factories import PASSWORD
from stats.sushi.models import Harvest, SushiAccount
from testsupport import assert_accessible, login

from .stub import CREDENTIALS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def too_wide(page) -> list[str]:
    """What makes the page scroll sideways (the wide grid scrolls in a box of its own)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width + 1) return [];
        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className);
    }""")


def test_coordinator_adds_an_account_tests_it_and_harvests_a_period(page, coordinator, humppila, stub):
    stub.answers[("PR", "2026-10")] = 3030
    stub.answers[("TR", "2026-10")] = 1011
    login(page, coordinator.email, PASSWORD)
    page.goto("/stats/sushi/")
    assert_accessible(page)
    page.get_by_role("link", name="Lisää SUSHI-tili").click()
    page.wait_for_load_state("domcontentloaded")
    assert_accessible(page)

    page.get_by_label("E-aineistopalvelu").fill("Ellibs")
    page.get_by_label("Kirjasto").select_option(label=humppila.name)
    page.get_by_label("Rajapinnan osoite").fill(stub.url)
    page.get_by_label("TR: nimekkeiden pääraportti").check()
    page.get_by_label("PR: alustan pääraportti").check()
    page.get_by_label("Asiakastunnus").fill(CREDENTIALS["customer_id"])
    page.get_by_label("Pyytäjätunnus").fill(CREDENTIALS["requestor_id"])
    page.get_by_label("API-avain").fill(CREDENTIALS["api_key"])
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("domcontentloaded")
    account = SushiAccount.objects.get()
    assert page.url.endswith(f"/stats/sushi/accounts/{account.pk}/")

    page.get_by_role("button", name="Testaa yhteys").click()
    page.wait_for_load_state("domcontentloaded")
    answer = page.locator("#connection-test").inner_text()
    assert "Yhteys toimii" in answer and "Title Master Report" in answer and "Maintenance on Sunday" in answer
    assert_accessible(page)

    page.get_by_label("Ensimmäinen kuukausi").fill("2026-09")
    page.get_by_label("Viimeinen kuukausi").fill("2026-10")
    page.get_by_role("button", name="Hae", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert Harvest.objects.filter(state=Harvest.State.DONE).count() == 2  # September's TR and PR

    page.goto("/stats/sushi/?until=2026-11")
    grid = page.locator("#sushi-grid")
    september, october = grid.locator("td[data-month='2026-09']"), grid.locator("td[data-month='2026-10']")
    assert september.get_attribute("data-state") == "done" and "tuotu" in september.inner_text()
    assert october.get_attribute("data-state") == "retry"
    assert "1011 Report Queued for Processing" in october.get_attribute("title")
    assert "ei haettu" in grid.locator("td[data-month='2026-08']").text_content()  # a month not harvested
    problems = page.locator("#sushi-problems").inner_text()
    assert "3030 No Usage Available for Requested Dates" in problems and "1011" in problems
    assert_accessible(page)
    html = page.content()
    assert not any(secret in html for secret in CREDENTIALS.values())

    stub.answers.clear()
    page.locator("#sushi-problems tr", has_text="TR").get_by_role("button", name="Yritä uudelleen").click()
    page.wait_for_load_state("domcontentloaded")
    page.goto("/stats/sushi/?until=2026-11")
    assert page.locator("#sushi-grid td[data-month='2026-10']").get_attribute("data-state") == "empty"

    for path in ("/stats/sushi/?until=2026-11", f"/stats/sushi/accounts/{account.pk}/",
                 f"/stats/sushi/accounts/{account.pk}/edit/"):
        page.goto(path)
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            assert not too_wide(page), f"{path} is wider than {width} px: {too_wide(page)}"
        page.set_viewport_size({"width": 1280, "height": 900})
    assert "Tallennettu; kirjoita uusi arvo" in page.content()  # the edit form: credentials saved, not shown
    assert not any(secret in page.content() for secret in CREDENTIALS.values())
