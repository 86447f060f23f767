"""Each page for each role: who sees it, who changes it, and 404 for what is out of scope."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consortium.models import Role
from consortium.tests.factories import user_with_role
from louna.models import AccessibilityCheck, AgendaItem, Agreement, Feedback, Task, TaskNote
from louna.tests.factories import (
    AgreementFactory,
    FeedbackFactory,
    MeetingFactory,
    ProjectFactory,
    TaskNoteFactory,
    WebServiceFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agreement, area, task, humppila, tammela):
    meeting = MeetingFactory(agreement=agreement)
    service = WebServiceFactory(name="Finna")
    check = AccessibilityCheck.objects.create(service=service, year=2024, checked_on=date(2024, 9, 1))
    return {
        "agreement": agreement, "area": area, "task": task, "meeting": meeting, "service": service, "check": check,
        "project": ProjectFactory(), "feedback": FeedbackFactory(service=service, municipality=humppila.municipality),
        "decision": meeting.decisions.create(text="Päätös"),
    }


def read_urls(w):
    year = w["agreement"].year
    return [
        reverse("louna:home"), reverse("louna:agreement_list"), reverse("louna:agreement_detail", args=[year]),
        reverse("louna:board", args=[year]), reverse("louna:task_detail", args=[w["task"].pk]),
        reverse("louna:meeting_list"), reverse("louna:meeting_detail", args=[w["meeting"].pk]),
        reverse("louna:meeting_ics", args=[w["meeting"].pk]), reverse("louna:feedback_list"),
        reverse("louna:feedback_detail", args=[w["feedback"].pk]), reverse("louna:service_list"),
        reverse("louna:service_detail", args=[w["service"].pk]), reverse("louna:project_list"),
        reverse("louna:project_detail", args=[w["project"].pk]),
    ]


def manage_urls(w):
    year = w["agreement"].year
    return [
        reverse("louna:agreement_create"), reverse("louna:agreement_edit", args=[year]),
        reverse("louna:area_create", args=[year]), reverse("louna:area_edit", args=[year, w["area"].pk]),
        reverse("louna:task_create", args=[year]), reverse("louna:task_edit", args=[year, w["task"].pk]),
        reverse("louna:meeting_create"), reverse("louna:meeting_edit", args=[w["meeting"].pk]),
        reverse("louna:decision_task", args=[w["decision"].pk]), reverse("louna:feedback_create"),
        reverse("louna:service_create"), reverse("louna:service_edit", args=[w["service"].pk]),
        reverse("louna:check_create", args=[w["service"].pk]),
        reverse("louna:check_edit", args=[w["service"].pk, w["check"].pk]),
        reverse("louna:finding_create", args=[w["check"].pk]), reverse("louna:project_create"),
        reverse("louna:project_edit", args=[w["project"].pk]),
    ]


@pytest.mark.parametrize("who", ["coordinator", "staff_user"])
def test_coordinator_and_staff_open_every_page(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in read_urls(world) + manage_urls(world):
        response = client.get(url, follow=url == reverse("louna:home"))
        assert response.status_code == 200, url


def test_louna_opens_on_the_years_board_without_a_redirect(client, world, director, task):
    """/louna/ is the task board itself (one request, not a redirect to it), with its filters;
    with no agreement yet it sends the person to the agreements."""
    client.force_login(director)
    response = client.get(reverse("louna:home"))
    assert response.status_code == 200 and task.text in response.content.decode()
    assert response.templates[0].name == "louna/board.html" and response.context["agreement"] == world["agreement"]
    filtered = client.get(reverse("louna:home"), {"state": Task.State.DONE}).content.decode()
    assert task.state != Task.State.DONE and task.text not in filtered


def test_louna_without_an_agreement_sends_people_to_the_agreements(client, director):
    assert not Agreement.objects.exists()
    client.force_login(director)
    assert client.get(reverse("louna:home"))["Location"] == reverse("louna:agreement_list")


def test_director_reads_but_does_not_change(client, world, director):
    client.force_login(director)
    for url in read_urls(world):
        assert client.get(url, follow=True).status_code == 200, url
    for url in manage_urls(world):
        assert client.get(url).status_code == 403, url
    task_url = reverse("louna:task_state", args=[world["task"].pk])
    response = client.post(task_url, {"state-state": "done", "state-on": "2024-05-01"})
    assert response.status_code == 403
    world["task"].refresh_from_db()
    assert world["task"].state == Task.State.PLANNED
    response = client.post(reverse("louna:agreement_copy", args=[2024]), {"year": 2025})
    assert response.status_code == 403 and not Agreement.objects.filter(year=2025).exists()


@pytest.mark.parametrize("who", ["contact", "tampere_contact", "nobody"])
def test_people_outside_louna_see_nothing(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in read_urls(world):
        assert client.get(url).status_code == 403, url


def test_director_of_a_library_outside_louna_sees_nothing(client, world, tampere):
    client.force_login(user_with_role(Role.DIRECTOR, library=tampere))
    assert client.get(reverse("louna:board", args=[2024])).status_code == 403


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(reverse("louna:board", args=[2024]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- the board


def test_board_shows_areas_and_filters_by_person_state_and_month(client, coordinator, agreement, area, task):
    other = user_with_role(Role.COORDINATOR, full_name="Toinen Koordinaattori")
    Task.objects.create(area=area, number=2, text="Toukokuun tehtävä", responsible=other,
                        schedule=Task.Schedule.DUE_DATE, due_on=date(2024, 5, 20), state=Task.State.IN_PROGRESS)
    task.responsible = coordinator
    task.save()
    client.force_login(coordinator)
    url = reverse("louna:board", args=[2024])
    page = client.get(url).content.decode()
    assert "Mikromarc-tietokannan yhtenäisyys" in page and "Toukokuun tehtävä" in page
    page = client.get(url, {"person": other.pk}).content.decode()
    assert "Toukokuun tehtävä" in page and "Mikromarc-tietokannan" not in page
    page = client.get(url, {"month": 5}).content.decode()
    assert "Toukokuun tehtävä" in page and "Mikromarc-tietokannan" not in page
    page = client.get(url, {"state": "planned", "view": "state"}).content.decode()
    assert "Mikromarc-tietokannan" in page and "Toukokuun tehtävä" not in page


def test_coordinator_moves_a_task_to_done_with_a_note(client, coordinator, task):
    client.force_login(coordinator)
    url = reverse("louna:task_state", args=[task.pk])
    response = client.post(url, {"state-state": "done", "state-on": "2024-06-03",
                                 "state-text": "Tehty yhdessä kirjastojen kanssa", "state-for_directors": "on"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert task.notes.get().text == "Tehty yhdessä kirjastojen kanssa"


def test_refused_state_change_names_the_field(client, coordinator, task):
    client.force_login(coordinator)
    url = reverse("louna:task_state", args=[task.pk])
    response = client.post(url, {"state-state": "not_needed", "state-on": "2024-06-03"})
    assert response.status_code == 200
    assert "Say why the task is not needed" in response.content.decode() or \
        "ei tarvita" in response.content.decode()
    task.refresh_from_db()
    assert task.state == Task.State.PLANNED


def test_evidence_upload_through_the_page(client, coordinator, task):
    client.force_login(coordinator)
    url = reverse("louna:task_evidence_add", args=[task.pk])
    bad = SimpleUploadedFile("tiedosto.pdf", b"MZ\x90\x00program", content_type="application/pdf")
    response = client.post(url, {"evidence-title": "Huono", "evidence-file": bad})
    assert response.status_code == 200 and not task.evidence.exists()
    good = SimpleUploadedFile("raportti.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(url, {"evidence-title": "Raportti", "evidence-file": good})
    assert response.status_code == 302
    evidence = task.evidence.get()
    download = client.get(reverse("louna:evidence_download", args=[evidence.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_directors_see_only_the_notes_meant_for_them(client, director, coordinator, task):
    TaskNoteFactory(task=task, text="Kaikille näkyvä", for_directors=True)
    TaskNoteFactory(task=task, text="Vain koordinaattorille", for_directors=False)
    client.force_login(director)
    page = client.get(reverse("louna:task_detail", args=[task.pk])).content.decode()
    assert "Kaikille näkyvä" in page and "Vain koordinaattorille" not in page
    client.force_login(coordinator)
    page = client.get(reverse("louna:task_detail", args=[task.pk])).content.decode()
    assert "Vain koordinaattorille" in page


def test_director_sees_only_their_own_library_in_municipal_follow_up(client, director, area, humppila, tammela):
    from louna import services

    task = services.task_save(task=Task(area=area, text="Kunnittain", per_municipality=True))
    task.municipal_states.filter(library=tammela).update(note="Tammelan oma huomio")
    task.municipal_states.filter(library=humppila).update(note="Humppilan oma huomio")
    client.force_login(director)
    page = client.get(reverse("louna:task_detail", args=[task.pk])).content.decode()
    assert "Humppilan oma huomio" in page and "Tammelan oma huomio" not in page


def test_the_board_lists_each_municipality_state_to_the_coordinator_and_only_their_own_to_a_director(
        client, coordinator, director, area, humppila, tammela):
    from louna import services

    task = services.task_save(task=Task(area=area, text="Kunnittain seurattava", per_municipality=True))
    task.municipal_states.filter(library=tammela).update(state=Task.State.DONE)
    url = reverse("louna:board", args=[area.agreement.year])
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert f"{tammela.municipality.name}: {Task.State.DONE.label}" in page
    assert f"{humppila.municipality.name}: " in page
    client.force_login(director)
    page = client.get(url).content.decode()
    assert f"{humppila.municipality.name}: " in page and f"{tammela.municipality.name}: " not in page


def test_the_board_names_municipalities_and_states_in_the_readers_language_and_escapes_task_texts(
        client, coordinator, area, humppila, tammela):
    from louna import services

    humppila.municipality.name_sv = "Humppila på svenska"
    humppila.municipality.save()
    tammela.municipality.name_sv = ""
    tammela.municipality.save()
    task = services.task_save(task=Task(area=area, text="<script>alert(1)</script> kunnittain", per_municipality=True))
    task.municipal_states.filter(library=tammela).update(state=Task.State.DONE)
    url = reverse("louna:board", args=[area.agreement.year])
    coordinator.language = "sv"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "Humppila på svenska: planerad" in page
    # No Swedish name: the Finnish one, as everywhere else.
    assert f"{tammela.municipality.name_fi}: klar" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; kunnittain" in page


def test_copy_through_the_page_and_refused_when_the_year_exists(client, coordinator, agreement, task):
    client.force_login(coordinator)
    response = client.post(reverse("louna:agreement_copy", args=[2024]), {"year": 2025,
                                                                          "shift_years_in_texts": "on"})
    assert response.status_code == 302 and response["Location"].endswith("/2025/board/")
    assert Task.objects.filter(area__agreement__year=2025).count() == 1
    response = client.post(reverse("louna:agreement_copy", args=[2024]), {"year": 2025}, follow=True)
    assert Task.objects.filter(area__agreement__year=2025).count() == 1
    assert "2025" in " ".join(str(m) for m in response.context["messages"])


def test_unknown_agreement_year_is_404(client, coordinator, agreement):
    client.force_login(coordinator)
    assert client.get(reverse("louna:board", args=[1999])).status_code == 404


# ---------------------------------------------------------------- feedback


def test_director_sees_feedback_of_own_municipality_and_shared_services_only(client, director, humppila, tammela):
    service = WebServiceFactory(name="Finna")
    own = FeedbackFactory(service=service, municipality=humppila.municipality, text="Humppilan palaute")
    shared = FeedbackFactory(service=service, municipality=None, text="Yhteinen palaute")
    other = FeedbackFactory(service=service, municipality=tammela.municipality, text="Tammelan palaute")
    client.force_login(director)
    page = client.get(reverse("louna:feedback_list")).content.decode()
    assert "Humppilan palaute" in page and "Yhteinen palaute" in page and "Tammelan palaute" not in page
    assert client.get(reverse("louna:feedback_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("louna:feedback_detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("louna:feedback_detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("louna:feedback_detail", args=[own.pk]), {"state": "closed"})
    assert response.status_code == 403


def test_feedback_counts_per_service_and_month(client, coordinator, director, humppila, tammela):
    finna, elib = WebServiceFactory(name="Finna"), WebServiceFactory(name="E-kirjasto")
    for month, service, municipality in [(1, finna, humppila), (1, finna, tammela), (3, elib, None),
                                         (3, finna, humppila)]:
        FeedbackFactory(service=service, received_on=date(2024, month, 5), municipality=municipality.municipality
                        if municipality else None)
    client.force_login(coordinator)
    response = client.get(reverse("louna:feedback_list"), {"year": 2024})
    rows = {row.service.name: row.months for row in response.context["count_rows"]}
    assert rows["Finna"][:3] == [2, 0, 1] and rows["E-kirjasto"][:3] == [0, 0, 1]
    assert response.context["count_total"] == 4
    client.force_login(director)
    response = client.get(reverse("louna:feedback_list"), {"year": 2024})
    rows = {row.service.name: row.months for row in response.context["count_rows"]}
    assert rows["Finna"][:3] == [1, 0, 1]  # Tammela's feedback is not counted for Humppila's director
    assert response.context["count_total"] == 3


def test_coordinator_handles_feedback(client, coordinator, humppila):
    feedback = FeedbackFactory(municipality=humppila.municipality, received_on=date(2024, 5, 2))
    client.force_login(coordinator)
    data = {"channel": "finna", "service": feedback.service_id, "received_on": "2024-05-02",
            "municipality": humppila.municipality_id, "text": feedback.text, "state": "answered", "answer": ""}
    response = client.post(reverse("louna:feedback_detail", args=[feedback.pk]), data)
    assert response.status_code == 200  # refused: no answer
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.NEW
    data["answer"] = "Kiitos, korjattu."
    assert client.post(reverse("louna:feedback_detail", args=[feedback.pk]), data).status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.ANSWERED and feedback.handler == coordinator


# ---------------------------------------------------------------- meetings


def _coming_meeting():
    today = timezone.localdate()
    agreement = AgreementFactory(year=today.year)
    day = min(today + timedelta(days=14), date(today.year, 12, 31))
    return MeetingFactory(agreement=agreement, starts_at=at(day, 14), ends_at=at(day, 16))


def test_director_proposes_an_item_that_other_directors_do_not_see(client, director, other_director, coordinator):
    meeting = _coming_meeting()
    url = reverse("louna:meeting_detail", args=[meeting.pk])
    client.force_login(director)
    response = client.post(reverse("louna:meeting_propose", args=[meeting.pk]),
                           {"proposal-title": "Yhteinen lukukampanja"})
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.proposed_by == director and item.library.name == "Humppilan kunnankirjasto"
    client.force_login(other_director)
    assert "Yhteinen lukukampanja" not in client.get(url).content.decode()
    response = client.post(reverse("louna:agenda_item_withdraw", args=[meeting.pk, item.pk]))
    assert response.status_code == 404 and AgendaItem.objects.exists()
    arrange = reverse("louna:agenda_item_arrange", args=[meeting.pk, item.pk])
    response = client.post(arrange, {"state": "on_agenda", "position": 1})
    assert response.status_code == 403
    client.force_login(coordinator)
    client.post(arrange, {"state": "on_agenda", "position": 1})
    client.force_login(other_director)
    assert "Yhteinen lukukampanja" in client.get(url).content.decode()


def test_past_meeting_shows_minutes_and_decisions(client, director, coordinator, agreement):
    meeting = MeetingFactory(agreement=agreement, minutes="Keskusteltiin hankkeista.", state="held")
    client.force_login(coordinator)
    url = reverse("louna:meeting_detail", args=[meeting.pk])
    client.post(reverse("louna:decision_add", args=[meeting.pk]), {"decision-text": "Haetaan uutta hanketta"})
    client.force_login(director)
    page = client.get(url).content.decode()
    assert "Keskusteltiin hankkeista." in page and "Haetaan uutta hanketta" in page
    listing = client.get(reverse("louna:meeting_list"))
    assert meeting in listing.context["past"]


def test_web_services_warn_about_a_missing_check_this_year(client, coordinator):
    year = timezone.localdate().year
    checked = WebServiceFactory(name="Finna")
    AccessibilityCheck.objects.create(service=checked, year=year, checked_on=timezone.localdate())
    missing = WebServiceFactory(name="Lounakirjailijat")
    AccessibilityCheck.objects.create(service=missing, year=year - 1, checked_on=date(year - 1, 9, 1))
    client.force_login(coordinator)
    response = client.get(reverse("louna:service_list"))
    assert response.context["missing"] == [missing]
    assert 'id="missing-checks"' in response.content.decode()


def test_note_form_refuses_a_date_outside_the_year(client, coordinator, task):
    client.force_login(coordinator)
    response = client.post(reverse("louna:task_note_add", args=[task.pk]),
                           {"note-on": "2025-01-03", "note-text": "Myöhässä"})
    assert response.status_code == 200
    assert not TaskNote.objects.exists()


def test_new_agreement_with_a_period_outside_its_year_is_refused(client, coordinator, humppila):
    from louna.tests.factories import forssa_library

    forssa = forssa_library()
    client.force_login(coordinator)
    data = {"year": 2027, "title": "Sopimus 2027", "provider": forssa.pk, "starts_on": "2027-01-01",
            "ends_on": "2028-01-31", "libraries": [humppila.pk, forssa.pk]}
    response = client.post(reverse("louna:agreement_create"), data)
    assert response.status_code == 200 and "2027" in response.content.decode()
    assert not Agreement.objects.filter(year=2027).exists()
    data["ends_on"] = "2027-12-31"
    response = client.post(reverse("louna:agreement_create"), data)
    assert response.status_code == 302
    assert set(Agreement.objects.get(year=2027).libraries.all()) == {humppila, forssa}


def test_meeting_needs_an_agreement_for_its_year(client, coordinator, agreement):
    client.force_login(coordinator)
    data = {"title": "Kokous", "starts_at": "2031-02-01T13:00", "ends_at": "2031-02-01T15:00", "place": "Forssa"}
    response = client.post(reverse("louna:meeting_create"), data)
    assert response.status_code == 200 and "2031" in response.content.decode()
    data.update(starts_at="2024-02-01T13:00", ends_at="2024-02-01T15:00")
    response = client.post(reverse("louna:meeting_create"), data)
    assert response.status_code == 302
    meeting = agreement.meetings.get()
    assert meeting.starts_at.isoformat().startswith("2024-02-01T11:00")  # 13:00 in Helsinki is 11:00 UTC


def test_coordinator_sends_the_agenda_from_the_meeting_page(client, coordinator, director, humppila,
                                                            django_capture_on_commit_callbacks):
    from django.core import mail

    meeting = _coming_meeting()
    meeting.agreement.libraries.set([humppila])
    AgendaItem.objects.create(meeting=meeting, title="Quria", state=AgendaItem.State.ON_AGENDA)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("louna:meeting_send_agenda", args=[meeting.pk]))
    assert response.status_code == 302
    assert director.email in [m.to[0] for m in mail.outbox]
    client.force_login(director)
    assert client.post(reverse("louna:meeting_send_agenda", args=[meeting.pk])).status_code == 403


def test_board_shows_the_latest_note_each_reader_may_see(client, coordinator, director, task):
    TaskNoteFactory(task=task, on=date(2024, 3, 1), text="Johtajille kerrottu edistyminen", for_directors=True)
    TaskNoteFactory(task=task, on=date(2024, 4, 1), text="Koordinaattorin oma muistiinpano", for_directors=False)
    url = reverse("louna:board", args=[2024])
    client.force_login(director)
    page = client.get(url).content.decode()
    assert "Johtajille kerrottu edistyminen" in page and "Koordinaattorin oma" not in page
    client.force_login(coordinator)
    assert "Koordinaattorin oma muistiinpano" in client.get(url).content.decode()
