"""In a real browser: a library contact opts in, changes the estimate and sees the new
figure; staff see the answer in the overview; axe-core is clean on the list, the
procurement page and the opt-in form."""

from datetime import date, timedelta

import pytest

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD
from procurement.tests.factories import OpenProcurementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contact_opts_in_changes_the_estimate_and_staff_see_it(page, browser, live_server, contact, humppila,
                                                               staff_user):
    procurement = OpenProcurementFactory(title="Aikakauslehdet 2027–2030", body_reference="DEMO-AL27")
    login(page, contact.email, PASSWORD)

    page.goto("/procurement/")
    assert page.locator("h1").inner_text() == "Hankinnat"
    assert_accessible(page)
    page.get_by_role("link", name="Aikakauslehdet 2027–2030").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Aikakauslehdet 2027–2030"
    assert_accessible(page)

    page.get_by_role("link", name="Vastaa", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert_accessible(page)
    page.locator("input[name=answer][value=committed]").check()
    page.locator("input[name=yearly_estimate]").fill("12 500,50")
    page.locator("input[name=contact_name]").fill("Heikki Yhteyshenkilö")
    page.locator("input[name=decision_maker]").fill("Sivistyslautakunta")
    page.locator("input[name=decision_date]").fill((date.today() - timedelta(days=3)).isoformat())
    page.locator("input[name=decision_number]").fill("§ 42")
    page.locator("button[value=save]").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#current-estimate").inner_text() == "12\xa0500,50\xa0€"

    page.locator("input[name=yearly_estimate]").fill("14 000")
    page.locator("button[value=save]").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#current-estimate").inner_text() == "14\xa0000,00\xa0€"
    history = page.locator("table").last.inner_text()
    assert "12\xa0500,50\xa0€" in history and "14\xa0000,00\xa0€" in history
    assert_accessible(page)

    page.goto("/procurement/")
    assert "14\xa0000,00\xa0€" in page.locator("table").inner_text()

    staff_context = browser.new_context(base_url=live_server.url, locale="fi-FI", timezone_id="Europe/Helsinki")
    staff_page = staff_context.new_page()
    try:
        login(staff_page, staff_user.email, PASSWORD)
        staff_page.goto("/procurement/overview/")
        row = staff_page.locator("#overview-table tr", has_text="Aikakauslehdet 2027–2030")
        cells = row.locator("td").all_inner_texts()
        assert cells[2:5] == ["1", "1", "0"]  # joined, of which committed, declined
        assert cells[-1] == "14\xa0000,00\xa0€"
        assert_accessible(staff_page)
        staff_page.goto(f"/procurement/{procurement.pk}/")
        assert_accessible(staff_page)
    finally:
        staff_context.close()


def test_keyboard_user_can_answer(page, contact, humppila):
    procurement = OpenProcurementFactory()
    login(page, contact.email, PASSWORD)
    page.goto(f"/procurement/{procurement.pk}/opt-in/{humppila.pk}/")
    page.locator("input[name=answer][value=declined]").focus()
    page.keyboard.press("Space")
    page.locator("button[value=save]").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("domcontentloaded")
    assert "ei osallistu" in page.locator("#current-answer").inner_text().lower()


def test_the_opt_in_form_shows_only_what_the_chosen_answer_needs(page, contact, humppila):
    procurement = OpenProcurementFactory()
    login(page, contact.email, PASSWORD)
    page.goto(f"/procurement/{procurement.pk}/opt-in/{humppila.pk}/")
    commitment, contact_part, reason = (page.locator(f"fieldset[data-shown-for='{answers}']") for answers in
                                        ("committed", "committed interested", "declined"))
    # Nothing chosen yet: every part shows.
    assert commitment.is_visible() and contact_part.is_visible() and reason.is_visible()
    page.locator("input[name=answer][value=declined]").focus()
    page.keyboard.press("Space")
    assert reason.is_visible() and not commitment.is_visible() and not contact_part.is_visible()
    page.keyboard.press("ArrowUp")  # the radio group, by keyboard: to "interested"
    assert page.locator("input[name=answer][value=interested]").is_checked()
    assert contact_part.is_visible() and not commitment.is_visible() and not reason.is_visible()
    page.locator("input[name=answer][value=committed]").check()
    assert commitment.is_visible() and contact_part.is_visible() and not reason.is_visible()
    assert_accessible(page)


def test_other_procurement_pages_are_accessible(page, browser, live_server, staff_user, contact, humppila):
    from procurement.tests.factories import AgreementFactory, AppealFactory, OptInFactory

    agreement = AgreementFactory(joining_until=date.today() + timedelta(days=30))
    agreement.libraries.add(humppila)
    OptInFactory(procurement=agreement.procurement, library=humppila, answered_by=contact)
    AppealFactory(procurement=agreement.procurement)
    login(page, staff_user.email, PASSWORD)
    for path in ["/procurement/new/", f"/procurement/{agreement.procurement_id}/",
                 f"/procurement/{agreement.procurement_id}/audit/", f"/procurement/agreements/{agreement.pk}/",
                 f"/procurement/{agreement.procurement_id}/agreements/new/", "/procurement/overview/", "/"]:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    member = browser.new_context(base_url=live_server.url, locale="fi-FI").new_page()
    login(member, contact.email, PASSWORD)
    for path in ["/procurement/our/", "/", f"/procurement/agreements/{agreement.pk}/"]:
        member.goto(path)
        assert_accessible(member)
    member.context.close()
