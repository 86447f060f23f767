"""Louna's meetings and projects walked end to end as the coordinator and a director meet
them (issue 12, item 13): next year's meeting planned before its agreement exists, a
changed meeting's updated agenda and calendar file, the coordinator's own agenda item, the
status line, and milestones after the project's end. The clock is fixed to December 2026,
so January's meeting is next year's whatever day the suite runs."""

from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import strip_tags
from icalendar import Calendar

from consortium.models import Role
from consortium.tests.factories import user_with_role
from louna import services
from louna.models import AgendaItem, Meeting, Milestone
from louna.tests.factories import AgendaItemFactory, AgreementFactory, MeetingFactory, ProjectFactory, at
from testsupport import deliver_outbox

pytestmark = pytest.mark.django_db

HELSINKI_DECEMBER = datetime.fromisoformat("2026-12-04T10:00+02:00")


@pytest.fixture(autouse=True)
def december_2026():
    with time_machine.travel(HELSINKI_DECEMBER, tick=False):
        yield


@pytest.fixture
def this_year(humppila, tammela):
    agreement = AgreementFactory(year=2026)
    agreement.libraries.set([humppila, tammela])
    return agreement


def the_event(message):
    name, content, mimetype = next(a for a in message.attachments if a[0].endswith(".ics"))
    assert mimetype == "text/calendar"
    return next(c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT")


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def visible_text(client, url):
    return " ".join(strip_tags(page_text(client, url)).split())


# ---------------------------------------------------------------- next year's meeting


def test_the_coordinator_plans_januarys_meeting_before_next_years_agreement_exists(
        client, coordinator, director, other_director, this_year):
    client.force_login(coordinator)
    response = client.post(reverse("louna:meeting_create"), {
        "title": "Tammikuun johtajakokous", "starts_at": "2027-01-14T13:00", "ends_at": "2027-01-14T15:00",
        "place": "Forssan pääkirjasto"}, follow=True)
    meeting = Meeting.objects.get(title="Tammikuun johtajakokous")
    assert meeting.agreement is None
    text = " ".join(response.content.decode().split())
    assert "Vuoden 2027 sopimusta ei vielä ole" in text
    assert "ei ole sopimusta" not in text
    assert "Tammikuun johtajakokous" in page_text(client, reverse("louna:meeting_list") + "?year=2027")
    assert "Tammikuun johtajakokous" not in page_text(client, reverse("louna:meeting_list") + "?year=2026")

    # Until 2027's agreement exists the agenda goes to the libraries of 2026's.
    assert {p.pk for p in services.agenda_recipients(meeting)} >= {director.pk, other_director.pk}

    # A director reads it and proposes to it; only the coordinator plans meetings.
    client.force_login(director)
    assert "Tammikuun johtajakokous" in page_text(client, reverse("louna:meeting_detail", args=[meeting.pk]))
    assert client.get(reverse("louna:meeting_create")).status_code == 403
    assert client.get(reverse("louna:meeting_edit", args=[meeting.pk])).status_code == 403
    client.post(reverse("louna:meeting_propose", args=[meeting.pk]), {"proposal-title": "Aukioloajat"})
    assert meeting.agenda_items.get().state == AgendaItem.State.PROPOSED

    # The year's agreement, when made (here copied from this year's), takes the meeting in.
    next_year = services.agreement_copy(source=this_year, year=2027)
    meeting.refresh_from_db()
    assert meeting.agreement == next_year


def test_people_outside_louna_do_not_see_next_years_meeting(client, this_year, tampere):
    meeting = services.meeting_save(meeting=Meeting(
        title="Tammikuun kokous", starts_at=at(date(2027, 1, 14)), ends_at=at(date(2027, 1, 14), 15), place="Forssa"))
    client.force_login(user_with_role(Role.DIRECTOR, library=tampere))
    assert client.get(reverse("louna:meeting_detail", args=[meeting.pk])).status_code in (403, 404)


def test_a_decision_of_a_meeting_without_its_agreement_waits_for_it(coordinator, this_year):
    meeting = MeetingFactory(agreement=None, starts_at=at(date(2027, 1, 14)), ends_at=at(date(2027, 1, 14), 15))
    decision = meeting.decisions.create(text="Selvitetään lukudiplomi")
    area = this_year.areas.create(number=1, title="Kirjastojärjestelmä")
    with pytest.raises(ValidationError, match="2027"):
        services.task_from_decision(decision=decision, area=area, text="")


def test_a_meeting_saved_into_a_year_that_has_its_agreement_joins_it(this_year):
    meeting = services.meeting_save(meeting=Meeting(
        title="Joulukuun kokous", starts_at=at(date(2026, 12, 17)), ends_at=at(date(2026, 12, 17), 15),
        place="Forssa"))
    assert meeting.agreement == this_year


# ---------------------------------------------------------------- a changed meeting


@pytest.fixture
def sent_meeting(this_year, coordinator, director, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(agreement=this_year, title="Joulukuun kokous", starts_at=at(date(2026, 12, 17)),
                             ends_at=at(date(2026, 12, 17), 15), chair=coordinator)
    AgendaItemFactory(meeting=meeting, title="Talousarvio", state=AgendaItem.State.ON_AGENDA, position=1)
    services.meeting_send_agenda(meeting=meeting, by=coordinator)
    deliver_outbox()
    return meeting


def test_changing_the_time_after_the_agenda_offers_the_updated_agenda_and_calendar_file(
        client, coordinator, director, sent_meeting):
    first = next(m for m in mail.outbox if m.to == [director.email])
    first_event = the_event(first)
    mail.outbox.clear()

    client.force_login(coordinator)
    response = client.post(reverse("louna:meeting_edit", args=[sent_meeting.pk]), {
        "title": "Joulukuun kokous", "starts_at": "2026-12-18T09:00", "ends_at": "2026-12-18T11:00",
        "place": "Forssan pääkirjasto"}, follow=True)
    text = " ".join(response.content.decode().split())
    assert "lähetä päivitetty esityslista" in text.lower()
    assert 'id="agenda-outdated"' in text and "Lähetä päivitetty esityslista ja kalenterikutsu" in text

    response = client.post(reverse("louna:meeting_send_agenda", args=[sent_meeting.pk]), follow=True)
    assert 'id="agenda-outdated"' not in response.content.decode()
    assert deliver_outbox() >= 2
    updated = next(m for m in mail.outbox if m.to == [director.email])
    assert updated.subject.startswith("Päivitetty esityslista")
    event = the_event(updated)
    assert str(event["uid"]) == str(first_event["uid"])
    assert int(event["sequence"]) > int(first_event["sequence"])
    assert event.decoded("dtstart") == at(date(2026, 12, 18), 9)
    assert first_event.decoded("dtstart") == at(date(2026, 12, 17))


def test_an_unchanged_save_offers_nothing_and_the_downloaded_file_carries_the_change(
        client, coordinator, sent_meeting):
    client.force_login(coordinator)
    form = {"title": "Joulukuun kokous", "starts_at": "2026-12-17T13:00", "ends_at": "2026-12-17T15:00",
            "place": sent_meeting.place}
    client.post(reverse("louna:meeting_edit", args=[sent_meeting.pk]), form)
    sent_meeting.refresh_from_db()
    assert not sent_meeting.changed_after_agenda
    client.post(reverse("louna:meeting_edit", args=[sent_meeting.pk]), {**form, "place": "Tammelan kirjasto"})
    sent_meeting.refresh_from_db()
    assert sent_meeting.changed_after_agenda
    # Someone adding the meeting from the page meanwhile gets the changed event, numbered above the sent one.
    ics = client.get(reverse("louna:meeting_ics", args=[sent_meeting.pk])).content
    event = next(c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT")
    assert str(event["location"]) == "Tammelan kirjasto" and int(event["sequence"]) == sent_meeting.ics_sequence + 1


def test_the_agenda_cannot_be_sent_empty(client, coordinator, this_year):
    meeting = MeetingFactory(agreement=this_year, starts_at=at(date(2026, 12, 17)), ends_at=at(date(2026, 12, 17), 15))
    AgendaItemFactory(meeting=meeting, state=AgendaItem.State.PROPOSED)
    client.force_login(coordinator)
    text = page_text(client, reverse("louna:meeting_detail", args=[meeting.pk]))
    assert 'type="submit" disabled aria-describedby="send-agenda-empty' in text
    assert "Lisää esityslistalle vähintään yksi asia ennen lähettämistä." in text
    response = client.post(reverse("louna:meeting_send_agenda", args=[meeting.pk]), follow=True)
    assert "vähintään yksi asia" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda_sent_at is None and deliver_outbox() == 0


# ---------------------------------------------------------------- the agenda and its status


def test_the_coordinators_own_matter_goes_straight_on_the_agenda(client, coordinator, this_year):
    meeting = MeetingFactory(agreement=this_year, starts_at=at(date(2026, 12, 17)), ends_at=at(date(2026, 12, 17), 15),
                             proposals_close_on=date(2026, 12, 1))  # the directors' deadline has passed
    AgendaItemFactory(meeting=meeting, title="Talousarvio", state=AgendaItem.State.ON_AGENDA, position=3)
    client.force_login(coordinator)
    page = page_text(client, reverse("louna:meeting_detail", args=[meeting.pk]))
    assert "Lisää asia esityslistalle" in page
    response = client.post(reverse("louna:meeting_propose", args=[meeting.pk]),
                           {"proposal-title": "Henkilöstökoulutus"}, follow=True)
    text = " ".join(response.content.decode().split())
    assert "lähetettiin koordinaattorille" not in text
    assert "Asia lisättiin esityslistalle." in text
    item = meeting.agenda_items.get(title="Henkilöstökoulutus")
    assert item.state == AgendaItem.State.ON_AGENDA and item.position == 4


def test_a_director_still_proposes_to_the_coordinator(client, director, this_year):
    meeting = MeetingFactory(agreement=this_year, starts_at=at(date(2026, 12, 17)), ends_at=at(date(2026, 12, 17), 15))
    client.force_login(director)
    response = client.post(reverse("louna:meeting_propose", args=[meeting.pk]),
                           {"proposal-title": "Aukioloajat"}, follow=True)
    assert "Ehdotuksesi lähetettiin koordinaattorille." in response.content.decode()
    assert meeting.agenda_items.get().state == AgendaItem.State.PROPOSED


def test_the_status_line_says_agenda_sent_once(client, coordinator, sent_meeting):
    client.force_login(coordinator)
    response = client.get(reverse("louna:meeting_detail", args=[sent_meeting.pk]))
    state = response.content.decode().split('id="meeting-state">')[1].split("</dd>")[0]
    assert state.count("esityslista lähetetty") == 1, state
    assert "4.12.2026" in state


# ---------------------------------------------------------------- milestones


def test_a_milestone_after_the_projects_end_is_allowed_and_says_which_date_is_which(client, coordinator):
    project = ProjectFactory(name="Taukotila", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    report = services.milestone_save(milestone=Milestone(project=project, title="Loppuraportti rahoittajalle",
                                                         due_on=date(2027, 3, 31)))
    services.milestone_save(milestone=Milestone(project=project, title="Kysely", due_on=date(2026, 5, 1),
                                                done_on=date(2026, 5, 4)))
    with pytest.raises(ValidationError) as caught:
        services.milestone_save(milestone=Milestone(project=project, title="Ennen", due_on=date(2025, 12, 1)))
    assert "due_on" in caught.value.message_dict and "1.1.2026" in caught.value.message_dict["due_on"][0]
    assert report.pk

    client.force_login(coordinator)
    text = visible_text(client, reverse("louna:project_detail", args=[project.pk]))
    assert "määräpäivä 1.5.2026 · saavutettu 4.5.2026" in text
    assert "määräpäivä 31.3.2027 · ei vielä saavutettu (hankkeen päättymisen jälkeen)" in text


def test_a_decision_is_called_one_thing_on_the_meeting_page(client, coordinator, this_year):
    meeting = MeetingFactory(agreement=this_year, starts_at=at(date(2026, 11, 26)), ends_at=at(date(2026, 11, 26), 15))
    client.force_login(coordinator)
    text = visible_text(client, reverse("louna:meeting_detail", args=[meeting.pk]))
    assert "Päätös" in text and "Kirjaa päätös" in text
    assert "ratkaisu" not in text.lower()
