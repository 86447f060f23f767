"""Background work of the action programme: adapters that take pks and call one service.

The tasks import the services, never the other way round. The programme's mail goes
through the core outbox (queued by the services in their own transaction), so the only
queued work here is making the libraries' PDF copies and the two beat jobs. The task
names keep their old module path: beat schedules and queued messages refer to them."""

from celery import shared_task

from consortium.tasks import TransactionAwareTask

from .services import delivery_make, reminders_send, reports_due

__all__ = ("send_review_reminders", "make_programme_delivery", "draft_implementation_reports")


@shared_task(name="louna.programme_tasks.send_review_reminders", acks_late=True)
def send_review_reminders() -> int:
    return reminders_send()


@shared_task(name="louna.programme_tasks.make_programme_delivery", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def make_programme_delivery(programme_id: int, library_id: int) -> int:
    return delivery_make(programme_id=programme_id, library_id=library_id).pk


@shared_task(name="louna.programme_tasks.draft_implementation_reports", acks_late=True)
def draft_implementation_reports() -> int:
    return reports_due()
