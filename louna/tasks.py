"""Louna's background work: adapters that take pks and call one service."""

from celery import shared_task

from consortium.tasks import TransactionAwareTask

# Celery's autodiscovery imports louna.tasks only: the programme's tasks are named here.
from .programme.tasks import draft_implementation_reports, make_programme_delivery, send_review_reminders

__all__ = ("send_meeting_agenda", "remind_missing_accessibility_checks", "send_review_reminders",
           "make_programme_delivery", "draft_implementation_reports")


@shared_task(name="louna.tasks.send_meeting_agenda", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def send_meeting_agenda(meeting_id: int) -> int:
    from .services import meeting_agenda_mail

    return meeting_agenda_mail(meeting_id=meeting_id)


@shared_task(name="louna.tasks.remind_missing_accessibility_checks")
def remind_missing_accessibility_checks() -> int:
    from .services import accessibility_reminder_mail

    return accessibility_reminder_mail()


