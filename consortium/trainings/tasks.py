"""Celery adapters: the beat calls one task every 10 minutes (config/settings/base.py)."""

from celery import shared_task

from consortium.tasks import TransactionAwareTask

from . import services


@shared_task(name="consortium.trainings.tasks.trainings_tick", base=TransactionAwareTask, acks_late=True)
def trainings_tick() -> dict:
    """Lapse offers whose time ran out (offering the place on), queue reminders, links and
    feedback requests whose time has come, and mark ended trainings held."""
    lapsed = services.offers_lapse()
    queued = services.reminders_send()
    held = services.trainings_mark_held()
    return {"lapsed": lapsed, "queued": queued, "held": held}
