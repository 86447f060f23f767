"""Louna's background work: adapters that take pks and call one service. Louna's mail is
queued in the core outbox by the services themselves; the outbox's worker sends it."""

from celery import shared_task

from .programme.tasks import (
    deliver_programme,
    draft_implementation_reports,
    make_programme_delivery,
    send_review_reminders,
)
from .services import accessibility_reminder_mail

# Celery's autodiscovery imports louna.tasks only: the programme's tasks are named here.
__all__ = ("remind_missing_accessibility_checks", "send_review_reminders", "deliver_programme",
           "make_programme_delivery", "draft_implementation_reports")


@shared_task(name="louna.tasks.remind_missing_accessibility_checks")
def remind_missing_accessibility_checks() -> int:
    return accessibility_reminder_mail()
