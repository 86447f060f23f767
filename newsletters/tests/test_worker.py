"""The real thing: a Celery worker process on Redis sends an approved issue over SMTP to
aiosmtpd on 127.0.0.1 — once cleanly, once SIGKILLed midway and restarted."""

import time

import pytest
from django.utils import timezone

from consortium.models import JobRun
from testsupport import wait_until
from newsletters import services
from newsletters.models import Delivery, Issue
from newsletters.tasks import newsletters_sweep

from .factories import BlockFactory, IssueFactory, SubscriberFactory

pytestmark = [pytest.mark.worker]


def make_issue():
    issue = IssueFactory(subject="Uutiskirje joulukuu")
    BlockFactory(issue=issue, title="Joulun aukioloajat", body="Kirjastot ovat **kiinni** jouluna.")
    return issue


def assert_one_complete_message_each(smtp_server, subscribers):
    assert smtp_server.by_recipient() == {s.email: 1 for s in subscribers}
    for _recipients, message in smtp_server.messages:
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
        assert "/newsletters/s/" in str(message["List-Unsubscribe"])


def test_worker_sends_an_approved_issue_once_to_every_recipient(celery_worker, smtp_server, staff_user):
    celery_worker.env.update({"EMAIL_URL": smtp_server.url, "NEWSLETTER_RATE_LIMIT": "0",
                              "NEWSLETTER_BATCH_SIZE": "7"})
    celery_worker.start()
    subscribers = SubscriberFactory.create_batch(25)
    SubscriberFactory(status="unsubscribed")
    issue = make_issue()
    services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now())  # commits: the task goes to Redis
    wait_until(lambda: Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT, timeout=90,
               message=f"the worker to send the issue\n{celery_worker.output()}")
    assert_one_complete_message_each(smtp_server, subscribers)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    run = JobRun.objects.get(pk=Issue.objects.get(pk=issue.pk).job_run_id)
    assert run.state == "done" and run.progress_done == run.progress_total == 25


def test_worker_killed_midway_and_restarted_still_sends_exactly_one_each(celery_worker, smtp_server, staff_user):
    lease = 2
    celery_worker.env.update({"EMAIL_URL": smtp_server.url, "NEWSLETTER_RATE_LIMIT": "0",
                              "NEWSLETTER_BATCH_SIZE": "5", "NEWSLETTER_INFLIGHT_LEASE": str(lease)})
    smtp_server.delay = 0.05  # a slow server: most of a message's time is spent before acceptance
    smtp_server.hold_at = 8  # the 8th message is held mid-handover; the worker dies right then
    celery_worker.start()
    subscribers = SubscriberFactory.create_batch(20)
    issue = make_issue()
    services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now())

    assert smtp_server.holding.wait(timeout=90), f"the worker never reached message 8\n{celery_worker.output()}"
    celery_worker.kill()  # SIGKILL while the server has not accepted message 8
    smtp_server.release.set()
    time.sleep(0.3)
    assert len(smtp_server.messages) == 7
    in_flight = list(Delivery.objects.filter(status="inflight").values_list("email", flat=True))
    assert in_flight, "the crash should leave claimed rows behind"
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING

    celery_worker.start()

    def finished() -> bool:
        # Beat would run the sweeper every minute; here the test sends it.
        newsletters_sweep.delay()
        return Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT

    wait_until(finished, timeout=120, interval=1.0,
               message=f"the restarted worker to finish the issue\n{celery_worker.output()}")
    assert_one_complete_message_each(smtp_server, subscribers)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    # The rows the crash left claimed were claimed a second time, and sent once.
    assert set(Delivery.objects.filter(email__in=in_flight).values_list("attempts", flat=True)) == {2}


def test_two_workers_at_once_neither_skip_nor_double_anyone(celery_worker, smtp_server, staff_user):
    from testsupport import WorkerProcess

    celery_worker.env.update({"EMAIL_URL": smtp_server.url, "NEWSLETTER_RATE_LIMIT": "0",
                              "NEWSLETTER_BATCH_SIZE": "4", "NEWSLETTER_SEND_CONCURRENCY": "2"})
    smtp_server.delay = 0.02
    second = WorkerProcess(dict(celery_worker.env), celery_worker.queue)
    celery_worker.start()
    second.start()
    try:
        subscribers = SubscriberFactory.create_batch(40)
        issue = make_issue()
        services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now())
        # A duplicated start and a sweep while both are sending change nothing.
        from newsletters.tasks import newsletters_dispatch_due

        newsletters_dispatch_due.delay()
        newsletters_sweep.delay()
        wait_until(lambda: Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT, timeout=120,
                   message=f"two workers to send the issue\n{celery_worker.output()}\n{second.output()}")
    finally:
        second.stop()
    assert_one_complete_message_each(smtp_server, subscribers)
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}  # no row was ever claimed twice
