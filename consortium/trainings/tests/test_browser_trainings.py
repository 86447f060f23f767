"""In a real browser: a library contact registers two colleagues for a training with one
place, the second lands on the waiting list; the first cancels from their mail's link, the
freed place is offered to the second, who accepts it from theirs. axe-core is clean on the
calendar, the training page and the registration form, at 1280 and at 320 px wide."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consortium.models import OutboxMessage
from consortium.tests.factories import PASSWORD
from consortium.trainings.models import Registration
from testsupport import assert_accessible, login

from .factories import TrainingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the window at {page.url}"


def _link_in_mail(kind: str, to: str) -> str:
    body = OutboxMessage.objects.get(kind=kind, to=to).body_text
    return re.search(r"https?://\S+/trainings/r/[\w-]+/", body).group(0).split("/trainings/", 1)[1]


def _register(page, name, email):
    page.get_by_label("Nimi").fill(name)
    page.get_by_label("Sähköpostiosoite").fill(email)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Ilmoittaudu").click()


@pytest.mark.parametrize("width", [1280, 320])
def test_contact_registers_two_colleagues_and_the_waiting_one_accepts_a_freed_place(page, contact, humppila, width):
    page.set_viewport_size({"width": width, "height": 900})
    now = timezone.now()
    training = TrainingFactory(title_fi="E-aineistot näkyviksi", capacity=1, starts_at=now + timedelta(days=10),
                               registration_opens_at=now - timedelta(days=1))
    login(page, contact.email, PASSWORD)
    page.goto("/trainings/")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("link", name="E-aineistot näkyviksi").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("link", name="Ilmoita työtovereita").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    _fits(page)
    _register(page, "Aino Ensimmäinen", "aino@humppila.example")
    assert "Aino Ensimmäinen on ilmoittautunut" in page.content()
    _register(page, "Bertta Toinen", "bertta@humppila.example")
    assert "Bertta Toinen on jonossa" in page.content()
    assert_accessible(page)

    # Aino cancels from the link in her confirmation.
    page.goto("/trainings/" + _link_in_mail("trainings.confirmation", "aino@humppila.example"))
    assert_accessible(page)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Peru ilmoittautuminen").click()

    # Bertta is offered the place by mail and accepts it.
    page.goto("/trainings/" + _link_in_mail("trainings.offer", "bertta@humppila.example"))
    assert page.locator("#state").inner_text() == "paikkaa tarjottu"
    assert_accessible(page)
    _fits(page)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Hyväksy paikka").click()
    assert page.locator("#state").inner_text() == "ilmoittautunut"
    states = dict(training.registrations.values_list("email", "state"))
    assert states == {"aino@humppila.example": Registration.State.CANCELLED,
                      "bertta@humppila.example": Registration.State.REGISTERED}
