"""Background work of the action programme: adapters that take pks and call one service."""

from celery import shared_task

from consortium.tasks import TransactionAwareTask

__all__ = ("send_review_reminders", "make_programme_delivery", "notify_item_followers",
           "draft_implementation_reports", "notify_version_published", "notify_comment_reply")


@shared_task(name="louna.programme_tasks.send_review_reminders", acks_late=True)
def send_review_reminders() -> int:
    from .programme_services import reminders_send

    return reminders_send()


@shared_task(name="louna.programme_tasks.make_programme_delivery", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def make_programme_delivery(programme_id: int, library_id: int) -> int:
    from .programme_services import delivery_make

    return delivery_make(programme_id=programme_id, library_id=library_id).pk


@shared_task(name="louna.programme_tasks.notify_item_followers", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def notify_item_followers(progress_id: int) -> int:
    from .programme_services import followers_notify

    return followers_notify(progress_id=progress_id)


@shared_task(name="louna.programme_tasks.notify_version_published", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def notify_version_published(version_id: int) -> int:
    from .programme_services import version_notify

    return version_notify(version_id=version_id)


@shared_task(name="louna.programme_tasks.notify_comment_reply", base=TransactionAwareTask, acks_late=True,
             autoretry_for=(ConnectionError, OSError), retry_backoff=30, max_retries=5)
def notify_comment_reply(comment_id: int) -> int:
    from .programme_services import comment_reply_notify

    return comment_reply_notify(comment_id=comment_id)


@shared_task(name="louna.programme_tasks.draft_implementation_reports", acks_late=True)
def draft_implementation_reports() -> int:
    from .programme_services import reports_due

    return reports_due()
