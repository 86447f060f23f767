"""Background work of the action programme: adapters that take pks and call one service.

The tasks import the services, never the other way round. The programme's mail goes
through the core outbox (queued by the services in their own transaction), so the only
queued work here is making the libraries' PDF copies and the two beat jobs. The task
names keep their old module path: beat schedules and queued messages refer to them."""

from celery import shared_task

from consortium.jobs import tracked_job
from consortium.tasks import TransactionAwareTask

from .services import deliveries_make, delivery_make, reminders_send, reports_draft, reports_programme_due

__all__ = ("send_review_reminders", "deliver_programme", "make_programme_delivery", "draft_implementation_reports")

DELIVER_TASK = "louna.programme_tasks.deliver_programme"
REPORTS_TASK = "louna.programme_tasks.draft_implementation_reports"


@shared_task(name="louna.programme_tasks.send_review_reminders", acks_late=True)
def send_review_reminders() -> int:
    return reminders_send()


@shared_task(name=DELIVER_TASK, base=TransactionAwareTask, acks_late=True)
def deliver_programme(programme_id: int, job_run_id: int | None = None) -> int:
    """Every library's copy of the final programme, as a JobRun (queued with
    consortium.jobs.job_run_queue): it waits in the database while the broker is down, and a
    worker killed midway runs it again from the start, skipping the copies already made."""
    with tracked_job(job_run_id=job_run_id, task_name=DELIVER_TASK, label=f"Toimenpideohjelma {programme_id}") \
            as progress:
        return deliveries_make(programme_id=programme_id, progress=progress)


# One library's copy: the deliver view queued one of these per library before the copies
# became one job; kept so that messages already queued under this name still run.
@shared_task(name="louna.programme_tasks.make_programme_delivery", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def make_programme_delivery(programme_id: int, library_id: int) -> int:
    return delivery_make(programme_id=programme_id, library_id=library_id).pk


@shared_task(name=REPORTS_TASK, acks_late=True)
def draft_implementation_reports() -> int:
    """Beat, daily: once the reports are due, draft them as a tracked job (a JobRun only on
    the days there is work, not every morning). A worker killed midway: the broker hands the
    message out again and the same run goes on (tracked_job knows it by the message's id)."""
    programme = reports_programme_due()
    if programme is None:
        return 0
    with tracked_job(job_run_id=None, task_name=REPORTS_TASK,
                     label=f"Toimeenpanoraportit {programme.year}") as progress:
        created, _refreshed = reports_draft(programme=programme, progress=progress)
    return created
