"""SUSHI harvesting in the background. Tasks are adapters: plain values in, one service.
The rows themselves are the queue (Harvest.state, next_attempt_at, the claim's lease), so
a broker that is down or a worker that dies loses nothing: the next run finds them."""

from celery import shared_task

from consortium.tasks import TransactionAwareTask

__all__ = ("harvest_due_task", "harvest_monthly_task")


@shared_task(name="stats.sushi.tasks.harvest_due", base=TransactionAwareTask, acks_late=True)
def harvest_due_task() -> dict:
    """Queued after a request or a retry, and by beat every 15 minutes (retries whose time
    has come, rows a dead worker left claimed). Running it twice at once is harmless:
    each row is claimed by one worker only."""
    from .services import harvest_due

    return harvest_due()


@shared_task(name="stats.sushi.tasks.harvest_monthly", base=TransactionAwareTask, acks_late=True)
def harvest_monthly_task() -> dict:
    """Beat, on the 16th: last month of every account (vendors close a month by the 15th)."""
    from .services import harvest_due, harvests_plan_month

    planned = harvests_plan_month()
    return {"planned": planned, **harvest_due()}
