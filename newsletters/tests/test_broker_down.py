"""Newsletter sending with the broker down (issue 11). Approving an issue queues a Celery
task after commit, and starting to send queues the first batch after commit: neither may be
lost when Redis is down then, nor fail the approval. The work waits in the database (the
issue approved, its deliveries queued) and the beat jobs pick it up once Redis is back:
`newsletters_dispatch_due` starts what is due, `newsletters_sweep` restarts a sending that
has no chain running. A redis-server of the test's own is stopped and started."""

import pytest
from django.utils import timezone

from newsletters import services
from newsletters.models import Delivery, Issue
from newsletters.sending import deliveries_sweep, issues_dispatch_due
from testsupport import broker_on_private_redis, private_redis  # noqa: F401 - fixtures

from .factories import BlockFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(staff_user):
    issue = IssueFactory(subject="Uutiskirje joulukuu")
    BlockFactory(issue=issue, title="Kaikille", body="Teksti kaikille")
    SubscriberFactory.create_batch(3)
    return issue


def test_an_issue_approved_with_the_broker_down_is_sent_once_it_returns(
        issue, staff_user, broker_on_private_redis, django_capture_on_commit_callbacks):
    broker_on_private_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now())
    issue.refresh_from_db()
    assert issue.status == Issue.Status.APPROVED  # approved, waiting in the database

    broker_on_private_redis.start()
    # Beat, every minute: the due issue starts sending, and its first batch reaches the queue.
    with django_capture_on_commit_callbacks(execute=True):
        assert issues_dispatch_due() == [issue.pk]
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).count() == 3
    assert broker_on_private_redis.queue_length("celery") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert issues_dispatch_due() == []  # started once


def test_a_sending_started_with_the_broker_down_is_restarted_by_the_sweep(
        issue, staff_user, broker_on_private_redis, django_capture_on_commit_callbacks):
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.APPROVED, send_at=timezone.now(),
                                              approved_by=staff_user)
    broker_on_private_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        issues_dispatch_due()  # the fan-out commits; the first batch cannot be queued
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert broker_on_private_redis.process.poll() is not None

    broker_on_private_redis.start()
    assert broker_on_private_redis.queue_length("celery") == 0  # nothing reached the broker
    with django_capture_on_commit_callbacks(execute=True):
        report = deliveries_sweep()  # beat, every minute
    assert report["restarted"] == [issue.pk]
    assert broker_on_private_redis.queue_length("celery") == 1
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).count() == 3
