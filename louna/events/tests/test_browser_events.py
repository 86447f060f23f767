"""In a real browser: a library contact writes an event, the coordinator approves it, and it
appears in that municipality's list and feed (and not in another's); axe-core is clean on
the form, the writers' list and the public list, at 1280 and at 320 px wide."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD
from louna.events.models import Item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Runotyöpaja nuorille"


def _fits(page):
    """Nothing sticks out sideways: the page reflows instead of scrolling horizontally."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        page.screenshot(path="/tmp/ev_overflow.png", full_page=True)
    assert overflow <= 0, f"{overflow}px wider than the window at {page.url}"


@pytest.mark.parametrize("width", [1280, 320])
def test_contact_writes_coordinator_approves_and_it_reaches_the_municipalitys_feed(
        page, live_server, contact, coordinator, humppila, tammela, width):
    page.set_viewport_size({"width": width, "height": 900})
    day = timezone.localdate() + timedelta(days=9)
    login(page, contact.email, PASSWORD)
    page.goto("/louna/events/manage/")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("link", name="Kirjoita tapahtuma tai uutinen").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    _fits(page)
    page.get_by_label("Otsikko suomeksi").fill(TITLE)
    page.get_by_label("Teksti suomeksi").fill("Kirjoitetaan runoja yhdessä. Ei ennakkotietoja tarvita.")
    page.get_by_label("Alkaa").fill(f"{day.day}.{day.month}.{day.year} 17.00")
    page.get_by_label("Päättyy").fill(f"{day.day}.{day.month}.{day.year} 18.30")
    page.get_by_label("Paikka", exact=True).fill("Humppilan kirjasto")
    page.get_by_label("Kohderyhmä").select_option("youth")
    # A mistake first: the form says which field is wrong, and keeps what was typed.
    page.get_by_label("Päättyy").fill(f"{day.day}.{day.month}.{day.year} 16.00")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("load")
    assert "Tapahtuma ei voi päättyä ennen kuin se alkaa." in page.locator("main form").inner_text()
    assert_accessible(page)
    page.get_by_label("Päättyy").fill(f"{day.day}.{day.month}.{day.year} 18.30")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("load")
    assert "Koordinaattori tarkastaa" in page.locator("main").inner_text()
    item = Item.objects.get(title_fi=TITLE)
    assert item.state == Item.State.PENDING

    page.goto("/louna/events/")
    assert TITLE not in page.locator("#events").inner_text()  # not before the check

    page.context.clear_cookies()
    login(page, coordinator.email, PASSWORD)
    page.goto(f"/louna/events/manage/{item.pk}/")  # the check: approve, or return with a note
    assert_accessible(page)
    _fits(page)
    page.goto("/louna/events/manage/")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("button", name=f"Hyväksy: {TITLE}").click()
    page.wait_for_load_state("load")
    assert "hyväksyttiin" in page.locator("main").inner_text()
    # The coordinator's own form (libraries to choose) and the counts page are clean too.
    page.goto("/louna/events/manage/new/")
    assert_accessible(page)
    _fits(page)
    page.goto("/louna/events/counts/")
    assert_accessible(page)
    _fits(page)

    page.context.clear_cookies()
    page.goto("/louna/events/")
    page.get_by_label("Kunta").select_option(label="Humppila")
    page.get_by_role("button", name="Näytä", exact=True).click()
    page.wait_for_load_state("load")
    assert TITLE in page.locator("#events").inner_text()
    assert f"{day.day}.{day.month}.{day.year} 17.00" in page.locator("#events").inner_text()
    assert_accessible(page)
    _fits(page)
    page.get_by_label("Kunta").select_option(label="Tammela")
    page.get_by_role("button", name="Näytä", exact=True).click()
    page.wait_for_load_state("load")
    assert TITLE not in page.locator("#events").inner_text()

    humppila_feed = feedparser.parse(page.request.get(f"{live_server.url}/louna/events/feeds/103/rss/").body())
    tammela_feed = feedparser.parse(page.request.get(f"{live_server.url}/louna/events/feeds/834/rss/").body())
    assert any(TITLE in entry.title for entry in humppila_feed.entries)
    assert not any(TITLE in entry.title for entry in tammela_feed.entries)
