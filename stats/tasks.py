"""The annual statistics job. Tasks are adapters: they take plain values and call a service."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from consortium.jobs import tracked_job
from consortium.tasks import TransactionAwareTask

__all__ = ("compute_year", "compute_previous_year", "check_import", "save_import")

COMPUTE_TASK = "stats.tasks.compute_year"


@shared_task(name=COMPUTE_TASK, base=TransactionAwareTask, acks_late=True)
def compute_year(year: int, job_run_id: int | None = None, louna_only: bool = False) -> dict:
    """The annual job: the municipality totals, then a new version of every municipality's
    annual report (with what changed) and the mail to its directors, in one transaction.
    Every member municipality and any other with figures; `louna_only` (a run the Louna
    coordinator starts) the Louna municipalities alone, so it makes no versions, and sends
    no mail, for the rest of the country. Delivered again for the same run, it makes no
    further versions (annual_services)."""
    from .annual_services import annual_reports_create
    from .models import AnnualReport
    from .permissions import louna_municipality_ids
    from .services import year_compute

    with tracked_job(job_run_id=job_run_id, task_name=COMPUTE_TASK, label=f"Tilastot {year}") as progress, \
            transaction.atomic():
        made = AnnualReport.objects.filter(job_run_id=progress.run.pk).count()
        if made:  # a re-delivered task: this run has done its work (even if the year is locked since)
            return {"year": year, "report_versions": made, "already_done": True}
        municipality_ids = louna_municipality_ids() if louna_only else None
        result = year_compute(year=year, progress=progress, municipality_ids=municipality_ids)
        reports = annual_reports_create(year=year, job_run_id=progress.run.pk, by=progress.run.created_by,
                                        progress=progress, municipality_ids=municipality_ids)
        return {**result, "report_versions": len(reports["versions"]), "locked": reports["locked_skipped"]}


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
