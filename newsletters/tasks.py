"""Celery adapters: each takes ids, calls one service. Periodic ones are scheduled in
config/settings/base.py (CELERY_BEAT_SCHEDULE)."""

import logging
from datetime import date

from celery import shared_task

from consortium.tasks import TransactionAwareTask

__all__ = ("newsletters_assemble_monthly", "newsletters_dispatch_due", "newsletters_send_batch",
           "newsletters_sweep")

log = logging.getLogger(__name__)


@shared_task(name="newsletters.tasks.newsletters_assemble_monthly", base=TransactionAwareTask, acks_late=True)
def newsletters_assemble_monthly(today: str | None = None) -> int | None:
    """Daily; from the month's assembly day on (NEWSLETTER_ASSEMBLY_DAY, moved back to a
    working day), builds this month's draft if there is none. `today` (ISO date) is for tests."""
    from .services import issue_assemble_when_due

    issue = issue_assemble_when_due(today=date.fromisoformat(today) if today else None)
    return issue.pk if issue else None


@shared_task(name="newsletters.tasks.newsletters_dispatch_due", base=TransactionAwareTask, acks_late=True)
def newsletters_dispatch_due() -> list[int]:
    from .sending import issues_dispatch_due

    return issues_dispatch_due()


@shared_task(name="newsletters.tasks.newsletters_send_batch", base=TransactionAwareTask, acks_late=True, bind=True)
def newsletters_send_batch(self, issue_id: int) -> dict:
    """One batch over one SMTP connection, then hand over to the next batch. Delivered
    twice (acks_late after a crash) it only claims what is still due: harmless."""
    from .sending import deliveries_send_batch

    result = deliveries_send_batch(issue_id=issue_id)
    # Run in-process (eager), a countdown would be ignored and the chain would spin; there
    # the sweeper picks up retries when they fall due.
    if result.next_in is not None and not (self.request.is_eager and result.next_in > 0):
        newsletters_send_batch.apply_async(kwargs={"issue_id": issue_id}, countdown=result.next_in or None)
    return {"sent": result.sent, "failed": result.failed, "retrying": result.retrying, "finished": result.finished}


@shared_task(name="newsletters.tasks.newsletters_sweep", base=TransactionAwareTask, acks_late=True)
def newsletters_sweep() -> dict:
    from .sending import deliveries_sweep

    return deliveries_sweep()
