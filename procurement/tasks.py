"""Celery tasks of the procurement app: adapters that call one service each."""

from celery import shared_task

from consortium.jobs import tracked_job
from consortium.tasks import TransactionAwareTask


@shared_task(name="procurement.tasks.send_opt_in_reminders", base=TransactionAwareTask, acks_late=True)
def send_opt_in_reminders(job_run_id: int | None = None) -> int:
    """Queue reminders to libraries that have not answered (a week and a day before the
    deadline); the outbox sends them."""
    from .services import opt_in_reminders_send

    with tracked_job(job_run_id=job_run_id, task_name="procurement.tasks.send_opt_in_reminders",
                     label="Opt-in reminders") as progress:
        sent = opt_in_reminders_send()
        progress.advance(sent, message=f"{sent} libraries reminded")
        return sent


@shared_task(name="procurement.tasks.notify_award", base=TransactionAwareTask, acks_late=True)
def notify_award(procurement_id: int, job_run_id: int | None = None) -> int:
    """Queue the award mail to the participating libraries (sent by the outbox, once per
    library however often this runs)."""
    from .services import award_notify

    with tracked_job(job_run_id=job_run_id, task_name="procurement.tasks.notify_award",
                     label="Award notices") as progress:
        told = award_notify(procurement_id=procurement_id)
        progress.advance(told)
        return told


@shared_task(name="procurement.tasks.send_agreement_expiry_notices", base=TransactionAwareTask, acks_late=True)
def send_agreement_expiry_notices() -> int:
    from .services import agreement_expiry_notices_send

    return agreement_expiry_notices_send()
