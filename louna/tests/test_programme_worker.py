"""With a real Celery worker on Redis and a real SMTP server: delivering the final programme
makes each library's PDF in the worker and e-mails it; the reminder job sent twice through
the worker reminds each director once."""

import email
import socket
from email.header import decode_header, make_header
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from testsupport import wait_until
from louna.programme import services
from consortium.models import OutboxMessage
from louna.models import Programme, ProgrammeDelivery
from louna.programme.tasks import make_programme_delivery, send_review_reminders
from louna.tests.programme_fixtures import answer_all, forssa, in_review, programme  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _pdfs(message) -> list:
    return [part for part in message.walk() if part.get_content_type() == "application/pdf"]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def test_the_worker_delivers_each_librarys_pdf_by_email(celery_worker, smtp, in_review, coordinator, director,
                                                        other_director, humppila):
    celery_worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    celery_worker.start()
    answer_all(in_review, coordinator, [director, other_director])
    services.programme_finalise(programme=in_review, by=coordinator)
    for library_id in services.programme_deliver(programme=Programme.objects.get(pk=in_review.pk), by=coordinator):
        make_programme_delivery.delay(in_review.pk, library_id)  # as the deliver view queues them
    # three copies (Forssa, Humppila, Tammela); the two libraries with a director get theirs by e-mail
    wait_until(lambda: ProgrammeDelivery.objects.filter(emailed_at__isnull=False).count() == 2
               and ProgrammeDelivery.objects.count() == 3, timeout=90,
               message=f"the worker to deliver three copies\n{celery_worker.output()}")
    # (the directors were also told, through the same worker, that the review opened)
    wait_until(lambda: len([m for m in smtp.messages if _pdfs(m)]) == 2, timeout=10, message="two copies by e-mail")
    to_humppila = next(m for m in smtp.messages if m["To"] == director.email and _pdfs(m))
    attachments = _pdfs(to_humppila)
    assert len(attachments) == 1 and attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert str(in_review.year) in _subject(to_humppila)
    assert ProgrammeDelivery.objects.get(library=humppila).pdf


def test_reminders_through_the_worker_are_sent_once(celery_worker, smtp, in_review, director, other_director):
    celery_worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    Programme.objects.filter(pk=in_review.pk).update(review_deadline=timezone.localdate() + timedelta(days=3))
    celery_worker.start()
    send_review_reminders.delay()
    send_review_reminders.delay()
    wait_until(lambda: OutboxMessage.objects.filter(kind="louna.programme.reminder").count() == 2, timeout=60,
               message=f"the worker to send the reminders\n{celery_worker.output()}")
    def reminders():
        return [m for m in smtp.messages if _subject(m).startswith("Muistutus")]

    wait_until(lambda: len(reminders()) >= 2, timeout=10, message="two reminders")
    import time

    time.sleep(2)  # the second run has had its chance
    assert sorted(m["To"] for m in reminders()) == sorted([director.email, other_director.email])
