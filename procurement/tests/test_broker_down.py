"""The award notices with the broker down (issue 11): the move to "awarded" succeeds, the
notices wait in the database as a JobRun, and once Redis is back the hand-over sweep gives
them to Celery once, and each participant is told once. A redis-server of the test's own
is stopped and started; the shared one is never touched."""

import pytest
from django.core import mail

from consortium.jobs import job_runs_hand_over
from consortium.models import JobRun
from procurement import services
from procurement.models import State
from procurement.tasks import notify_award
from procurement.tests.factories import AwardFactory, OptInFactory
from testsupport import broker_on_private_redis, deliver_outbox, private_redis  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_an_award_made_with_the_broker_down_is_told_to_the_libraries_once_it_returns(
        broker_on_private_redis, humppila, contact, staff_user, django_capture_on_commit_callbacks):
    award = AwardFactory(supplier__name="Ellibs Oy")
    OptInFactory(procurement=award.procurement, library=humppila)
    broker_on_private_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        services.procurement_move(procurement=award.procurement, to_state=State.AWARDED, by=staff_user,
                                  reason="Päätös")
    run = JobRun.objects.get(task_name=notify_award.name)
    assert run.state == JobRun.State.QUEUED and run.handed_over_at is None
    assert job_runs_hand_over() == 0  # still down: nothing sent, nothing lost

    broker_on_private_redis.start()
    assert job_runs_hand_over() == 1
    assert job_runs_hand_over() == 0
    assert broker_on_private_redis.queue_length("celery") == 1

    # What the worker does with the message it takes (the same arguments, run here).
    run.refresh_from_db()
    notify_award.apply(args=run.task_args, kwargs={**run.task_kwargs, "job_run_id": run.pk})
    deliver_outbox()
    assert [message.to for message in mail.outbox] == [[contact.email]]
    assert "Ellibs Oy" in mail.outbox[0].body
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE
