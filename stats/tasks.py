"""The annual statistics job. Tasks are adapters: they take plain values and call a service."""

from celery import shared_task
from django.utils import timezone

from consortium.jobs import tracked_job
from consortium.tasks import TransactionAwareTask

__all__ = ("compute_year", "compute_previous_year", "check_import", "save_import")

COMPUTE_TASK = "stats.tasks.compute_year"


@shared_task(name=COMPUTE_TASK, base=TransactionAwareTask, acks_late=True)
def compute_year(year: int, job_run_id: int | None = None) -> dict:
    from .services import year_compute

    with tracked_job(job_run_id=job_run_id, task_name=COMPUTE_TASK, label=f"Tilastot {year}") as progress:
        return year_compute(year=year, progress=progress)


@shared_task(name="stats.tasks.compute_previous_year", base=TransactionAwareTask, acks_late=True)
def compute_previous_year() -> dict | None:
    """Started by beat in January: compute last year's totals, unless already reported."""
    from .models import StatisticsYear

    year = timezone.localdate().year - 1
    if StatisticsYear.objects.filter(year=year, state=StatisticsYear.State.REPORTED).exists():
        return None
    return compute_year(year=year)


# ---------------------------------------------------------------- large imports (stats/import_jobs.py)

CHECK_IMPORT_TASK = "stats.tasks.check_import"
SAVE_IMPORT_TASK = "stats.tasks.save_import"


@shared_task(name=CHECK_IMPORT_TASK, base=TransactionAwareTask, acks_late=True)
def check_import(draft_id: int, job_run_id: int | None = None) -> str | None:
    from .import_jobs import import_job_check

    with tracked_job(job_run_id=job_run_id, task_name=CHECK_IMPORT_TASK) as progress:
        return import_job_check(draft_id=draft_id, progress=progress)


@shared_task(name=SAVE_IMPORT_TASK, base=TransactionAwareTask, acks_late=True)
def save_import(draft_id: int, job_run_id: int | None = None) -> int | None:
    from .import_jobs import import_job_save

    with tracked_job(job_run_id=job_run_id, task_name=SAVE_IMPORT_TASK) as progress:
        return import_job_save(draft_id=draft_id, progress=progress)
