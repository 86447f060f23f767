"""Delivering the final programme with the broker down (issue 11): the coordinator's button
still works, the copies wait in the database as a JobRun, and the hand-over sweep gives the
job to Celery once Redis is back. (Before, each library's copy was a task sent straight from
the view: with Redis down the page failed and no copy was ever made.)"""

import time

import pytest
from django.urls import reverse

from consortium.jobs import job_runs_hand_over
from consortium.models import JobRun, OutboxMessage
from louna.models import ProgrammeDelivery
from louna.programme.tasks import DELIVER_TASK, deliver_programme
from louna.tests.programme_fixtures import english, final, in_review, programme  # noqa: F401
from testsupport import broker_on_private_redis, private_redis  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_copies_asked_for_with_the_broker_down_are_made_once_it_returns(
        client, final, coordinator, director, other_director, broker_on_private_redis,
        django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    broker_on_private_redis.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("louna:programme_deliver", args=[final.year]), follow=True)
    assert time.monotonic() - started < 5, "a broker that is down does not hold the request"
    assert response.status_code == 200
    run = JobRun.objects.get(task_name=DELIVER_TASK)
    assert run.state == JobRun.State.QUEUED and run.handed_over_at is None
    assert job_runs_hand_over() == 0

    broker_on_private_redis.start()
    assert job_runs_hand_over() == 1
    assert job_runs_hand_over() == 0
    assert broker_on_private_redis.queue_length("celery") == 1

    # What the worker does with the message (the same arguments, run here), twice: a
    # repeated delivery of the message makes nothing more.
    run.refresh_from_db()
    for _ in range(2):
        deliver_programme.apply(args=run.task_args, kwargs={**run.task_kwargs, "job_run_id": run.pk})
    assert ProgrammeDelivery.objects.count() == 3
    assert sorted(OutboxMessage.objects.filter(kind="louna.programme.delivery").values_list("to", flat=True)) == \
        sorted([director.email, other_director.email])
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE
