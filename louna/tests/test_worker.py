"""A real Celery worker on Redis sends the meeting agenda over real SMTP (aiosmtpd)."""

import email
import socket
from datetime import date, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from icalendar import Calendar

from testsupport import wait_until
from louna import services
from louna.models import AgendaItem
from louna.tests.factories import AgendaItemFactory, AgreementFactory, MeetingFactory, at

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_worker_mails_the_agenda_with_the_calendar_file(celery_worker, smtp, director, other_director, coordinator,
                                                        humppila, tammela):
    controller, inbox = smtp
    today = timezone.localdate()
    agreement = AgreementFactory(year=today.year)
    agreement.libraries.set([humppila, tammela])
    day = min(today + timedelta(days=7), date(today.year, 12, 31))
    meeting = MeetingFactory(agreement=agreement, title="Louna-johtajien kokous", starts_at=at(day, 22),
                             ends_at=at(day, 23), chair=coordinator)
    AgendaItemFactory(meeting=meeting, title="Quria-siirron aikataulu", state=AgendaItem.State.ON_AGENDA)

    celery_worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    celery_worker.start()
    services.meeting_send_agenda(meeting=meeting, by=coordinator)

    wait_until(lambda: len(inbox.messages) == 3, timeout=60,
               message=f"three agenda messages over SMTP\n{celery_worker.output()}")
    assert sorted(m["To"] for m in inbox.messages) == sorted([director.email, other_director.email, coordinator.email])
    message = inbox.messages[0]
    assert "Quria-siirron aikataulu" in message.get_body(("plain",)).get_content()
    ics = next(part for part in message.iter_attachments() if part.get_filename().endswith(".ics"))
    event = next(c for c in Calendar.from_ical(ics.get_content()).walk() if c.name == "VEVENT")
    assert str(event["summary"]) == "Louna-johtajien kokous"
    assert event.decoded("dtstart") == meeting.starts_at
