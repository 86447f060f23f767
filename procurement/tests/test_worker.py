"""The reminder task on a real Celery worker (Redis): it queues the reminders in the outbox,
the worker sends them through real SMTP (aiosmtpd); run twice, each person is still
reminded once."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from consortium.models import OutboxMessage
from procurement.tasks import send_opt_in_reminders
from procurement.tests.factories import OpenProcurementFactory
from testsupport import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def test_real_worker_sends_each_reminder_once(celery_worker, smtp_inbox, humppila, tammela, contact, other_director):
    OpenProcurementFactory(title="Aikakauslehdet", opt_in_deadline=timezone.now() + timedelta(days=5))
    celery_worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_inbox.port}"
    celery_worker.start()
    send_opt_in_reminders.delay()
    wait_until(lambda: OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count() == 2, timeout=60,
               message=f"the worker to send the reminders\n{celery_worker.output()}")
    send_opt_in_reminders.delay()  # the beat fires again (or the message is re-delivered)
    wait_until(lambda: len(smtp_inbox.messages) >= 2, timeout=30, message="the mails to arrive")
    import time

    time.sleep(3)  # give a wrongly repeated send the time to arrive
    recipients = sorted(address for rcpt_tos, _content in smtp_inbox.messages for address in rcpt_tos)
    assert recipients == sorted([contact.email, other_director.email])
    assert all("Aikakauslehdet" in content for _rcpt, content in smtp_inbox.messages)
