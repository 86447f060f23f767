"""The real thing: a Celery worker process on Redis sends outbox mail over SMTP to aiosmtpd on
127.0.0.1, and is SIGKILLed midway; after a restart each message has gone out exactly once."""

import time

import pytest

from consortium.models import OutboxMessage
from consortium.outbox import enqueue_mail
from consortium.tasks import outbox_sweep
from testsupport import wait_until

pytestmark = [pytest.mark.worker]


def queue_messages(count: int) -> list[str]:
    addresses = [f"lukija{number}@kirjasto.example" for number in range(count)]
    for number, address in enumerate(addresses):
        # Each call commits on its own (no surrounding transaction): the send task goes to Redis.
        enqueue_mail(to=address, language="fi", key=f"worker-test:{number}", kind="test.note",
                     template="consortium/mail/invitation",
                     context={"invite_url": "http://127.0.0.1:8000/x/", "role_lines": []})
    return addresses


def test_a_worker_killed_while_sending_leaves_each_message_sent_exactly_once(celery_worker, smtp_server):
    celery_worker.env.update({"EMAIL_URL": smtp_server.url, "OUTBOX_BATCH_SIZE": "5", "OUTBOX_LEASE": "2"})
    smtp_server.delay = 0.05  # a slow server: most of a message's time passes before acceptance
    smtp_server.hold_at = 8  # the 8th message is held mid-handover; the worker dies right then
    celery_worker.start()
    addresses = queue_messages(20)

    assert smtp_server.holding.wait(timeout=90), f"the worker never reached message 8\n{celery_worker.output()}"
    celery_worker.kill()  # SIGKILL while the server has not accepted message 8
    smtp_server.release.set()
    time.sleep(0.3)
    assert len(smtp_server.messages) == 7
    claimed = list(OutboxMessage.objects.filter(state="sending").values_list("to", flat=True))
    assert claimed, "the crash should leave claimed rows behind"

    celery_worker.start()

    def all_sent() -> bool:
        outbox_sweep.delay()  # beat would run the sweeper every minute; here the test sends it
        return not OutboxMessage.objects.exclude(state="sent").exists()

    wait_until(all_sent, timeout=120, interval=1.0,
               message=f"the restarted worker to send the rest\n{celery_worker.output()}")
    assert smtp_server.by_recipient() == {address: 1 for address in addresses}
    # The rows the crash left claimed were claimed a second time, and sent once.
    assert set(OutboxMessage.objects.filter(to__in=claimed).values_list("attempts", flat=True)) == {2}
    assert OutboxMessage.objects.filter(message_id="").count() == 0
