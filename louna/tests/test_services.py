"""The rules of Louna's writes: what is refused, what is kept, what is sent."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.utils import translation
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from consortium.models import Role
from consortium.tests.factories import user_with_role
from louna import services
from louna.files import MAX_UPLOAD_BYTES
from louna.models import AgendaItem, Agreement, Feedback, Meeting, Task, TaskMunicipality
from louna.tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    FeedbackFactory,
    MeetingFactory,
    ServiceAreaFactory,
    TaskFactory,
    WebServiceFactory,
    at,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# ---------------------------------------------------------------- tasks


def test_not_needed_needs_a_reason(task, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.task_set_state(task=task, state=Task.State.NOT_NEEDED, on=date(2024, 5, 1), by=coordinator)
    assert "not_needed_reason" in caught.value.message_dict
    task.refresh_from_db()
    assert task.state == Task.State.PLANNED
    assert not task.notes.exists()

    services.task_set_state(task=task, state=Task.State.NOT_NEEDED, on=date(2024, 5, 1), by=coordinator,
                            reason="Ei uusia palveluita tänä vuonna")
    task.refresh_from_db()
    assert task.state == Task.State.NOT_NEEDED
    assert task.notes.get().text == "Ei uusia palveluita tänä vuonna"


def test_state_changes_leave_a_dated_history(task, coordinator):
    services.task_set_state(task=task, state=Task.State.IN_PROGRESS, on=date(2024, 2, 1), text="Aloitettu",
                            by=coordinator)
    services.task_note_add(task=task, on=date(2024, 3, 1), text="Puolivälissä", by=coordinator)
    services.task_set_state(task=task, state=Task.State.DONE, on=date(2024, 4, 1), text="Valmis", by=coordinator)
    notes = list(task.notes.order_by("on"))
    assert [(n.on.month, n.text, n.state_after) for n in notes] == [
        (2, "Aloitettu", "in_progress"), (3, "Puolivälissä", ""), (4, "Valmis", "done")]
    assert notes[2].state_before == "in_progress"


@pytest.mark.parametrize("field,value", [("due_on", date(2025, 1, 15)), ("due_on", date(2023, 12, 31))])
def test_due_date_outside_the_agreement_year_is_refused(area, field, value):
    task = Task(area=area, text="Tilastot", schedule=Task.Schedule.DUE_DATE, due_on=value)
    with pytest.raises(ValidationError) as caught:
        services.task_save(task=task)
    assert "2024" in caught.value.message_dict[field][0]
    assert not Task.objects.exists()


def test_note_dated_outside_the_year_is_refused(task, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.task_note_add(task=task, on=date(2025, 1, 2), text="Myöhässä", by=coordinator)
    assert "on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.task_set_state(task=task, state=Task.State.DONE, on=date(2023, 6, 1), by=coordinator)
    task.refresh_from_db()
    assert task.state == Task.State.PLANNED and not task.notes.exists()


def test_task_by_due_date_needs_the_date(area):
    with pytest.raises(ValidationError) as caught:
        services.task_save(task=Task(area=area, text="X", schedule=Task.Schedule.DUE_DATE))
    assert "due_on" in caught.value.message_dict


def test_task_followed_per_municipality_gets_a_row_per_library(area, humppila, tammela):
    task = services.task_save(task=Task(area=area, text="Tilastot kunnittain", per_municipality=True))
    assert set(task.municipal_states.values_list("library", flat=True)) == {humppila.pk, tammela.pk}
    row = task.municipal_states.get(library=humppila)
    with pytest.raises(ValidationError):
        services.task_municipality_set(row=row, state=Task.State.NOT_NEEDED, note="")
    services.task_municipality_set(row=row, state=Task.State.DONE, note="Toimitettu")
    row.refresh_from_db()
    assert row.state == Task.State.DONE


# ---------------------------------------------------------------- evidence files


def test_evidence_pdf_is_stored_with_the_type_read_from_its_content(task, coordinator):
    upload = SimpleUploadedFile("raportti.exe", PDF, content_type="application/x-msdownload")
    evidence = services.task_evidence_add(task=task, title="Raportti", upload=upload, by=coordinator)
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf")
    assert evidence.size == len(PDF)


def test_evidence_office_file_is_recognised(task):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    evidence = services.task_evidence_add(task=task, title="Tilasto",
                                          upload=SimpleUploadedFile("tilasto.pdf", buffer.getvalue()))
    assert evidence.content_type.endswith("spreadsheetml.sheet")
    assert evidence.file.name.endswith(".xlsx")


@pytest.mark.parametrize("name,content", [
    ("kuva.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),  # a Windows program named as a PDF
    ("sivu.txt", b"\x00\x01\x02binary"),
    ("arkisto.docx", b"PK\x03\x04 not really a zip"),
])
def test_evidence_with_a_lying_name_is_refused(task, name, content):
    with pytest.raises(ValidationError) as caught:
        services.task_evidence_add(task=task, title="Todiste", upload=SimpleUploadedFile(name, content))
    assert "file" in caught.value.message_dict
    assert not task.evidence.exists()


def test_evidence_too_large_is_refused(task):
    upload = SimpleUploadedFile("iso.pdf", PDF + b"0" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError) as caught:
        services.task_evidence_add(task=task, title="Iso", upload=upload)
    assert "10 M" in caught.value.message_dict["file"][0]  # "10 Mt" in Finnish


def test_evidence_is_a_link_or_a_file(task):
    evidence = services.task_evidence_add(task=task, title="Finna-sivu", url="https://louna.finna.fi/")
    assert evidence.url
    with pytest.raises(ValidationError):
        services.task_evidence_add(task=task, title="Ei mitään")
    with pytest.raises(ValidationError):
        services.task_evidence_add(task=task, title="Huono", url="javascript:alert(1)")


# ---------------------------------------------------------------- copying a year


def test_copying_2024_to_2025_gives_the_same_areas_and_tasks_planned(agreement, coordinator, humppila):
    for number in (1, 2):
        area = ServiceAreaFactory(agreement=agreement, number=number, title=f"Alue {number}")
        for i in range(3):
            TaskFactory(area=area, number=i + 1, text=f"Alue {number} toimenpide {i + 1} vuonna 2024",
                        responsible=coordinator)
    done = Task.objects.first()
    services.task_set_state(task=done, state=Task.State.DONE, on=date(2024, 3, 1), by=coordinator)
    skipped = Task.objects.last()
    services.task_set_state(task=skipped, state=Task.State.NOT_NEEDED, reason="Ei tarvetta", on=date(2024, 3, 1))
    dated = services.task_save(task=Task(area=agreement.areas.first(), text="Määräaika", due_on=date(2024, 2, 29),
                                         schedule=Task.Schedule.DUE_DATE, per_municipality=True))

    copy = services.agreement_copy(source=agreement, year=2025, shift_years_in_texts=False, by=coordinator)

    def shape(a):
        return [(area.number, area.title, [t.text for t in area.tasks.order_by("number", "pk")])
                for area in a.areas.order_by("number")]

    assert shape(copy) == shape(agreement)
    assert set(Task.objects.filter(area__agreement=copy).values_list("state", flat=True)) == {Task.State.PLANNED}
    assert not Task.objects.filter(area__agreement=copy).exclude(not_needed_reason="").exists()
    assert not Task.objects.filter(area__agreement=copy, notes__isnull=False).exists()
    assert set(copy.libraries.all()) == set(agreement.libraries.all())
    copied = Task.objects.get(area__agreement=copy, copied_from=dated)
    assert copied.due_on == date(2025, 2, 28)
    assert copied.municipal_states.count() == 2
    assert set(copied.municipal_states.values_list("state", flat=True)) == {Task.State.PLANNED}
    assert copy.starts_on == date(2025, 1, 1) and copy.ends_on == date(2025, 12, 31)


def test_copied_due_dates_that_land_on_a_weekend_or_holiday_move_to_a_working_day(humppila):
    agreement = AgreementFactory(year=2027)
    area = ServiceAreaFactory(agreement=agreement, number=1)
    due = {day: TaskFactory(area=area, schedule=Task.Schedule.DUE_DATE, due_on=day)
           for day in (date(2027, 11, 2), date(2027, 12, 24), date(2027, 12, 31))}
    copy = services.agreement_copy(source=agreement, year=2028)
    copied = {day: Task.objects.get(area__agreement=copy, copied_from=task).due_on for day, task in due.items()}
    assert copied[date(2027, 11, 2)] == date(2028, 11, 2)  # a Thursday: as it was
    # 24.12.2028 is a Sunday before Christmas Day and Boxing Day: on to Wednesday the 27th.
    assert copied[date(2027, 12, 24)] == date(2028, 12, 27)
    # 31.12.2028 is a Sunday; moving on would leave the agreement's year, so back to Friday.
    assert copied[date(2027, 12, 31)] == date(2028, 12, 29)


def test_copy_can_move_the_years_written_in_the_texts(agreement):
    area = ServiceAreaFactory(agreement=agreement, number=6)
    TaskFactory(area=area, text="vuoden 2024 toimenpideohjelman raportti toimitetaan vuoden 2025 alussa; vrt. 2019")
    copy = services.agreement_copy(source=agreement, year=2025)
    assert Task.objects.get(area__agreement=copy).text == (
        "vuoden 2025 toimenpideohjelman raportti toimitetaan vuoden 2026 alussa; vrt. 2019")


def test_copying_to_a_year_that_exists_is_refused(agreement, area, task):
    existing = AgreementFactory(year=2025, provider=agreement.provider)
    with pytest.raises(ValidationError) as caught:
        services.agreement_copy(source=agreement, year=2025)
    assert "2025" in caught.value.message_dict["year"][0]
    assert not existing.areas.exists()
    assert Agreement.objects.count() == 2


# ---------------------------------------------------------------- meetings


def test_a_meeting_with_decisions_stays_in_its_agreement_year(agreement):
    meeting = services.meeting_save(meeting=Meeting(agreement=agreement, title="Kokous", place="Forssa",
                                                    starts_at=at(date(2024, 12, 17)), ends_at=at(date(2024, 12, 17), 15)))
    meeting.decisions.create(text="Päätettiin")
    meeting.starts_at, meeting.ends_at = at(date(2025, 1, 14)), at(date(2025, 1, 14), 15)
    with pytest.raises(ValidationError) as caught:
        services.meeting_save(meeting=meeting)
    assert "starts_at" in caught.value.message_dict
    meeting.refresh_from_db()
    assert meeting.agreement == agreement and meeting.starts_at == at(date(2024, 12, 17))


def test_a_meeting_moved_into_next_year_leaves_this_years_agreement_for_next_years(agreement):
    """December's meeting held in January: it belongs to the next year, whose agreement is
    not made yet, and joins it when it is."""
    meeting = services.meeting_save(meeting=Meeting(agreement=agreement, title="Kokous", place="Forssa",
                                                    starts_at=at(date(2024, 12, 17)), ends_at=at(date(2024, 12, 17), 15)))
    meeting.starts_at, meeting.ends_at = at(date(2025, 1, 14)), at(date(2025, 1, 14), 15)
    services.meeting_save(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.agreement is None
    assert services.agreement_copy(source=agreement, year=2025).meetings.get() == meeting


def test_meeting_needs_a_place_or_a_link(agreement):
    meeting = Meeting(agreement=agreement, title="Kokous", starts_at=at(date(2024, 2, 1)),
                      ends_at=at(date(2024, 2, 1), 15))
    with pytest.raises(ValidationError) as caught:
        services.meeting_save(meeting=meeting)
    assert "place" in caught.value.message_dict


def _coming_meeting(**kwargs):
    today = timezone.localdate()
    agreement = AgreementFactory(year=today.year)
    starts = at(today + timedelta(days=10)) if (today + timedelta(days=10)).year == today.year else \
        at(date(today.year, 12, 31), 10)
    return MeetingFactory(agreement=agreement, starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def test_proposals_after_the_closing_day_are_refused(director):
    meeting = _coming_meeting(proposals_close_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        services.agenda_item_propose(meeting=meeting, title="Myöhäinen asia", by=director)
    assert not meeting.agenda_items.exists()


def test_proposals_to_a_past_meeting_are_refused(agreement, director):
    meeting = MeetingFactory(agreement=agreement)  # in 2024
    with pytest.raises(ValidationError):
        services.agenda_item_propose(meeting=meeting, title="Asia", by=director)


def test_sending_the_agenda_mails_directors_and_the_coordinator_with_an_ics(director, other_director, coordinator,
                                                                            humppila, tammela, contact,
                                                                            django_capture_on_commit_callbacks):
    meeting = _coming_meeting(chair=coordinator)
    meeting.agreement.libraries.set([humppila, tammela])
    AgendaItemFactory(meeting=meeting, title="Toimenpideohjelma", state=AgendaItem.State.ON_AGENDA, position=1)
    AgendaItemFactory(meeting=meeting, title="Hylätty ehdotus", state=AgendaItem.State.DEFERRED)
    with pytest.raises(ValidationError):
        services.meeting_send_agenda(meeting=MeetingFactory(agreement=meeting.agreement, starts_at=meeting.starts_at,
                                                            ends_at=meeting.ends_at))  # nothing on its agenda

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_agenda(meeting=meeting, by=coordinator)

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([director.email, other_director.email, coordinator.email])
    message = mail.outbox[0]
    assert "Toimenpideohjelma" in message.body and "Hylätty" not in message.body
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    event = next(c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT")
    assert str(event["summary"]) == meeting.title
    assert event.decoded("dtstart") == meeting.starts_at
    assert "1. Toimenpideohjelma" in str(event["description"])
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.AGENDA_SENT and meeting.ics_sequence == 0

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_agenda(meeting=meeting, by=coordinator)
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 1
    event = next(c for c in Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk() if c.name == "VEVENT")
    assert int(event["sequence"]) == 1


def test_a_repeated_agenda_run_mails_nobody_twice_and_a_new_version_everyone(
        settings, director, other_director, coordinator, humppila, tammela, django_capture_on_commit_callbacks):
    """The outbox key carries the agenda's version: running the same version again queues
    nothing; a re-sent agenda (the next ics_sequence) goes to everyone again. Delivered
    over a real SMTP server on 127.0.0.1."""
    from testsupport import SmtpInbox, loopback_smtp

    meeting = _coming_meeting(chair=coordinator)
    meeting.agreement.libraries.set([humppila, tammela])
    AgendaItemFactory(meeting=meeting, state=AgendaItem.State.ON_AGENDA)
    everyone = [person.email for person in services.agenda_recipients(meeting)]
    inbox = SmtpInbox()
    with loopback_smtp(inbox, settings):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.meeting_agenda_mail(meeting_id=meeting.pk) == 3
            assert services.meeting_agenda_mail(meeting_id=meeting.pk) == 0  # a late duplicate run
        assert sorted(inbox.delivered) == sorted(everyone)
        Meeting.objects.filter(pk=meeting.pk).update(ics_sequence=1)  # the agenda was changed and sent again
        with django_capture_on_commit_callbacks(execute=True):
            assert services.meeting_agenda_mail(meeting_id=meeting.pk) == 3
        assert sorted(inbox.delivered) == sorted(everyone * 2)


def test_sending_the_agenda_completes_while_no_mail_server_runs(settings, client, coordinator, director, humppila,
                                                                django_capture_on_commit_callbacks):
    """The request only queues: with nothing listening on the mail port it still answers,
    and the messages wait in the outbox to be retried."""
    from consortium.models import OutboxMessage
    from testsupport import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    meeting = _coming_meeting()
    meeting.agreement.libraries.set([humppila])
    AgendaItemFactory(meeting=meeting, state=AgendaItem.State.ON_AGENDA)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # the sender runs, and finds no server
        response = client.post(reverse("louna:meeting_send_agenda", args=[meeting.pk]))
    assert response.status_code == 302
    rows = OutboxMessage.objects.filter(kind="louna.agenda")
    assert rows.count() == 2 and not rows.filter(state=OutboxMessage.State.SENT).exists()
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.AGENDA_SENT


def test_agenda_mail_is_in_the_recipients_language(director, humppila, django_capture_on_commit_callbacks):
    director.language = "sv"
    director.save()
    meeting = _coming_meeting()
    meeting.agreement.libraries.set([humppila])
    AgendaItemFactory(meeting=meeting, state=AgendaItem.State.ON_AGENDA)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_agenda(meeting=meeting)
    assert mail.outbox[0].subject.startswith("Föredragningslista")


def test_a_decision_becomes_a_task(agreement, area, coordinator):
    meeting = MeetingFactory(agreement=agreement)
    services.meeting_record_minutes(meeting=meeting, minutes="Pöytäkirja")
    decision = services.decision_add(meeting=meeting, text="Selvitetään yhteinen lukudiplomi")
    task = services.task_from_decision(decision=decision, area=area, text="", responsible=coordinator)
    assert task.text == "Selvitetään yhteinen lukudiplomi"
    assert task.from_decision == decision and task.state == Task.State.PLANNED
    other_year = ServiceAreaFactory(agreement=AgreementFactory(year=2025, provider=agreement.provider))
    with pytest.raises(ValidationError):
        services.task_from_decision(decision=decision, area=other_year, text="X")
    # Not a second time, silently: the message names the task it already is.
    with translation.override("en"), pytest.raises(ValidationError, match=r"already task 1\.\d+ of area 1"):
        services.task_from_decision(decision=decision, area=area, text="")
    assert Task.objects.filter(from_decision=decision).count() == 1


def test_minutes_are_refused_before_the_meeting():
    meeting = _coming_meeting()
    with pytest.raises(ValidationError):
        services.meeting_record_minutes(meeting=meeting, minutes="Etukäteen")


# ---------------------------------------------------------------- feedback, web services


def test_answered_feedback_needs_the_answer(coordinator):
    feedback = FeedbackFactory()
    feedback.state = Feedback.State.ANSWERED
    with pytest.raises(ValidationError) as caught:
        services.feedback_save(feedback=feedback, by=coordinator)
    assert "answer" in caught.value.message_dict
    feedback.answer = "Korjattu"
    services.feedback_save(feedback=feedback, by=coordinator)
    feedback.refresh_from_db()
    assert feedback.answered_on == timezone.localdate() and feedback.handler == coordinator


def test_feedback_from_the_future_is_refused():
    feedback = FeedbackFactory.build(service=WebServiceFactory(), received_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.feedback_save(feedback=feedback)


def test_one_accessibility_check_per_service_and_year(coordinator):
    from louna.models import AccessibilityCheck, AccessibilityFinding

    service = WebServiceFactory(name="Finna")
    check = services.accessibility_check_save(check=AccessibilityCheck(service=service, checked_on=date(2024, 9, 1)))
    assert check.year == 2024
    with pytest.raises(ValidationError):
        services.accessibility_check_save(check=AccessibilityCheck(service=service, checked_on=date(2024, 10, 1)))
    with pytest.raises(ValidationError) as caught:
        services.accessibility_finding_save(finding=AccessibilityFinding(check_run=check, criterion="kontrasti",
                                                                        description="x"))
    assert "criterion" in caught.value.message_dict
    services.accessibility_finding_save(finding=AccessibilityFinding(check_run=check, criterion="1.4.3",
                                                                    description="Kontrasti"))


def test_agenda_recipients_skip_directors_outside_the_agreement(humppila, tampere):
    inside = user_with_role(Role.DIRECTOR, library=humppila)
    outside = user_with_role(Role.DIRECTOR, library=tampere)
    meeting = _coming_meeting()
    meeting.agreement.libraries.set([humppila, tampere])  # Tampere is not a Louna library
    people = services.agenda_recipients(meeting)
    assert inside in people and outside not in people


def test_municipal_rows_are_kept_once(area, humppila):
    task = services.task_save(task=Task(area=area, text="x", per_municipality=True))
    services.task_save(task=task)
    assert TaskMunicipality.objects.filter(task=task, library=humppila).count() == 1


def test_reminder_lists_services_without_this_years_check(coordinator, staff_user, django_capture_on_commit_callbacks):
    from louna.models import AccessibilityCheck
    from louna.tasks import remind_missing_accessibility_checks

    today = timezone.localdate()
    checked, missing = WebServiceFactory(name="Finna"), WebServiceFactory(name="Cineast")
    WebServiceFactory(name="Vanha palvelu", is_active=False)
    AccessibilityCheck.objects.create(service=checked, year=today.year, checked_on=today)
    AccessibilityCheck.objects.create(service=missing, year=today.year - 1, checked_on=date(today.year - 1, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        assert remind_missing_accessibility_checks.apply().get() == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "Cineast" in message.body and "Finna" not in message.body and "Vanha" not in message.body
    AccessibilityCheck.objects.create(service=missing, year=today.year, checked_on=today)
    mail.outbox.clear()
    assert services.accessibility_reminder_mail(year=today.year) == 0 and not mail.outbox


def test_a_library_joining_the_agreement_gets_its_follow_up_rows(agreement, area, humppila, tammela):
    from consortium.tests.factories import LounaLibraryFactory

    task = services.task_save(task=Task(area=area, text="Kunnittain", per_municipality=True))
    ypaja = LounaLibraryFactory(name="Ypäjän kunnankirjasto")
    services.agreement_save(agreement=agreement, libraries=[humppila, tammela, ypaja])
    assert set(task.municipal_states.values_list("library", flat=True)) == {humppila.pk, tammela.pk, ypaja.pk}
