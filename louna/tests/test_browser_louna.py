"""In a real browser: the coordinator moves a task to done with a note; a director
proposes an agenda item and, once the coordinator has put it on the agenda, sees it
there; axe-core is clean on the board, a task and a meeting page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD
from louna import services
from louna.models import AgendaItem, Task
from louna.tests.factories import AgreementFactory, MeetingFactory, ServiceAreaFactory, TaskFactory, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def this_year(humppila, tammela, coordinator):
    today = timezone.localdate()
    agreement = AgreementFactory(year=today.year)
    agreement.libraries.set([humppila, tammela])
    area = ServiceAreaFactory(agreement=agreement, number=1, title="Yhteisen kirjastojärjestelmän koordinointi")
    task = TaskFactory(area=area, number=1, text="Lounakirjailijat-verkkosivuston pääkäyttäjätehtävät",
                       responsible=coordinator)
    services.task_save(task=Task(area=area, text="Tilastot kunnittain", per_municipality=True,
                                 responsible=coordinator))
    day = min(today + timedelta(days=14), date(today.year, 12, 31))
    meeting = MeetingFactory(agreement=agreement, title="Louna-johtajien kokous", starts_at=at(day, 22),
                             ends_at=at(day, 23), chair=coordinator)
    return agreement, task, meeting


def test_coordinator_marks_a_task_done_and_the_pages_are_accessible(page, coordinator, this_year):
    agreement, task, _meeting = this_year
    login(page, coordinator.email, PASSWORD)
    page.goto(f"/louna/agreements/{agreement.year}/board/")
    assert page.locator("h1").inner_text().startswith("Tehtävätaulu")
    assert_accessible(page)
    page.get_by_role("link", name=task.text).click()
    page.wait_for_load_state("domcontentloaded")
    assert_accessible(page)

    page.locator("#id_state-state").select_option("done")
    page.locator("#id_state-text").fill("Sivuston käyttäjät päivitetty ja ohjeet lähetetty.")
    page.get_by_role("button", name="Tallenna tila").click()
    page.wait_for_load_state("domcontentloaded")

    assert "Sivuston käyttäjät päivitetty" in page.locator("#history ~ ol").inner_text()
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert task.notes.get().text == "Sivuston käyttäjät päivitetty ja ohjeet lähetetty."
    assert_accessible(page)

    page.goto(f"/louna/agreements/{agreement.year}/board/?view=state")
    assert_accessible(page)


def test_director_proposes_an_item_and_sees_it_on_the_agenda(page, director, coordinator, this_year):
    _agreement, _task, meeting = this_year
    login(page, director.email, PASSWORD)
    page.goto(f"/louna/meetings/{meeting.pk}/")
    assert_accessible(page)
    page.locator("#id_proposal-title").fill("Omatoimiaukiolon yhtenäistäminen")
    page.locator("#id_proposal-description").fill("Humppilan kokemuksia omatoimikirjastosta.")
    page.get_by_role("button", name="Ehdota").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Omatoimiaukiolon yhtenäistäminen" in page.locator("#proposals").inner_text()
    item = AgendaItem.objects.get()

    page.context.clear_cookies()
    login(page, coordinator.email, PASSWORD)
    page.goto(f"/louna/meetings/{meeting.pk}/")
    page.locator(f"#arrange-state-{item.pk}").select_option("on_agenda")
    page.locator(f"#arrange-position-{item.pk}").fill("1")
    page.locator(f"#arrange-position-{item.pk}").press("Enter")
    page.wait_for_load_state("domcontentloaded")
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, director.email, PASSWORD)
    page.goto(f"/louna/meetings/{meeting.pk}/")
    assert "Omatoimiaukiolon yhtenäistäminen" in page.locator("#agenda").inner_text()
    assert_accessible(page)


def test_other_louna_pages_are_accessible(page, coordinator, this_year):
    login(page, coordinator.email, PASSWORD)
    for path in ("/louna/agreements/", f"/louna/agreements/{this_year[0].year}/", "/louna/meetings/",
                 "/louna/feedback/", "/louna/services/", "/louna/projects/", "/louna/meetings/new/",
                 "/louna/feedback/new/"):
        page.goto(path)
        assert_accessible(page)


@pytest.fixture
def december_2026(settings):
    """The portal's clock on 4.12.2026 (the browser keeps the real one, hence session
    cookies without an expiry date)."""
    import time_machine
    from datetime import datetime

    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with time_machine.travel(datetime.fromisoformat("2026-12-04T10:00+02:00"), tick=True):
        yield


def test_a_meeting_changed_after_its_agenda_offers_the_update_and_an_empty_agenda_cannot_be_sent(
        page, coordinator, director, humppila, december_2026):

    from consortium.models import OutboxMessage

    agreement = AgreementFactory(year=2026)
    agreement.libraries.set([humppila])
    meeting = MeetingFactory(agreement=agreement, title="Joulukuun kokous", starts_at=at(date(2026, 12, 17)),
                             ends_at=at(date(2026, 12, 17), 15), chair=coordinator)
    AgendaItem.objects.create(meeting=meeting, title="Talousarvio", state=AgendaItem.State.ON_AGENDA, position=1)
    services.meeting_send_agenda(meeting=meeting, by=coordinator)
    empty = MeetingFactory(agreement=agreement, title="Tammikuun kokous", starts_at=at(date(2027, 1, 14)),
                           ends_at=at(date(2027, 1, 14), 15))
    empty.agreement = None  # planned before 2027's agreement
    empty.save()

    login(page, coordinator.email, PASSWORD)
    page.goto(f"/louna/meetings/{meeting.pk}/edit/")
    page.locator("#id_starts_at").fill("2026-12-18T09:00")
    page.locator("#id_ends_at").fill("2026-12-18T11:00")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("domcontentloaded")
    assert "kalenterit näyttävät yhä aiemman ajan" in page.locator("#agenda-outdated").inner_text()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})  # the notice and its button reflow
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Lähetä päivitetty esityslista ja kalenterikutsu").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#agenda-outdated").count() == 0
    updated = OutboxMessage.objects.filter(kind="louna.agenda", key__contains=f":{meeting.pk}:1:")
    assert updated.exists()

    page.goto(f"/louna/meetings/{empty.pk}/")
    assert page.get_by_role("button", name="Lähetä esityslista johtajille").is_disabled()
    assert "Vuoden 2027 sopimusta ei vielä ole" in page.locator("#no-agreement-yet").inner_text()
    assert_accessible(page)
