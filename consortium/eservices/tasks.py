"""Celery tasks of the e-services app: adapters that call one service each."""

from celery import shared_task

from consortium.tasks import TransactionAwareTask


@shared_task(name="consortium.eservices.tasks.send_report_reminders", base=TransactionAwareTask, acks_late=True)
def send_report_reminders() -> int:
    """Remind evaluators without a report in trials ending within a week (once each)."""
    from .services import report_reminders_send

    return report_reminders_send()
