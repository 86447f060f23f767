"""Core background jobs, and the task base the other apps build on."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone

from . import jobs
from .jobs import tracked_job

log = logging.getLogger(__name__)

__all__ = ("TransactionAwareTask", "prune_job_runs", "sweep_stalled_job_runs", "hand_over_job_runs",
           "check_organisation_data",
           "outbox_send", "outbox_sweep")


class TransactionAwareTask(Task):
    """A task that, sent from inside a transaction, goes to the queue only after commit:
    the worker then always finds the rows the sender wrote, and never those rolled back."""

    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        connection = transaction.get_connection()
        if connection.in_atomic_block:
            transaction.on_commit(lambda: self._send_after_commit(args, kwargs, options))
            return None
        return super().apply_async(args, kwargs, **options)

    def _send_after_commit(self, args, kwargs, options):
        # The change is committed: a broker that is down must not turn it into an error page.
        # Work that must never be lost goes through a JobRun (consortium.jobs.job_run_queue)
        # or the mail outbox, which wait in the database and are swept; this is for follow-ups.
        try:
            super().apply_async(args, kwargs, retry=False, **options)
        except Exception:  # noqa: BLE001 - kombu and redis raise many kinds
            log.error("task %s not queued (broker unavailable), args=%r kwargs=%r", self.name, args, kwargs,
                      exc_info=True)


@shared_task(name="consortium.tasks.prune_job_runs")
def prune_job_runs(days: int = 90) -> int:
    from .models import JobRun

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = JobRun.objects.filter(finished_at__lt=cutoff).delete()
    return deleted


@shared_task(name="consortium.tasks.sweep_stalled_job_runs", base=TransactionAwareTask, acks_late=True)
def sweep_stalled_job_runs() -> dict:
    """Beat, every 10 minutes: fail job runs whose worker stopped without finishing them.
    Not a tracked job itself: a run row every 10 minutes would bury the real ones."""
    return jobs.sweep_stalled_job_runs()


@shared_task(name="consortium.tasks.hand_over_job_runs", acks_late=True)
def hand_over_job_runs() -> int:
    """Beat, every minute: send job runs queued while the broker was down (each once)."""
    return jobs.job_runs_hand_over()


@shared_task(name="consortium.tasks.check_organisation_data", base=TransactionAwareTask, acks_late=True)
def check_organisation_data(job_run_id: int | None = None) -> dict:
    """Walk every active library and list what is missing from its record."""
    from .services import organisation_data_check

    with tracked_job(job_run_id=job_run_id, task_name="consortium.tasks.check_organisation_data") as progress:
        return organisation_data_check(progress=progress)


# ---------------------------------------------------------------- the mail outbox


@shared_task(name="consortium.tasks.outbox_send", acks_late=True)
def outbox_send(batches: int = 20) -> dict:
    """Send what is due in the outbox, a batch at a time; queues itself again while more
    is due (a long queue does not hold one worker for ever). Safe to run twice at once:
    rows are claimed with SKIP LOCKED."""
    from .outbox import outbox_send_batch

    totals = {"sent": 0, "failed": 0, "retrying": 0}
    for _ in range(batches):
        result = outbox_send_batch()
        totals["sent"] += result.sent
        totals["failed"] += result.failed
        totals["retrying"] += result.retrying
        if not result.more:
            return totals
    outbox_send.apply_async()
    return totals


@shared_task(name="consortium.tasks.outbox_sweep", acks_late=True)
def outbox_sweep() -> dict:
    """Beat, every minute: take back what a dead worker left claimed, start a sender for due
    rows (also those queued while the broker was down)."""
    from .outbox import outbox_sweep as sweep

    return sweep()
