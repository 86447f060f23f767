"""Background job runs: queue one, then let the task report its progress as it goes."""

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from .frontpage import invalidate_front_page_cards
from .models import JobRun

__all__ = ("job_run_queue", "tracked_job", "JobProgress")


def job_run_queue(*, task, label: str = "", created_by=None, args=(), kwargs=None) -> JobRun:
    """Create a queued JobRun and send `task` after the transaction commits, with the run's
    id as the keyword `job_run_id`. The task never sees a run that was rolled back."""
    run = JobRun.objects.create(task_name=task.name, label=label, created_by=created_by)
    task_kwargs = {**(kwargs or {}), "job_run_id": run.pk}
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=task_kwargs))
    return run


class JobProgress:
    """Handed to a running job; each call writes progress to the JobRun row at once, so the
    jobs page (and anyone polling it) sees it while the job runs."""

    def __init__(self, run: JobRun):
        self.run = run

    def total(self, total: int) -> None:
        self.run.progress_total = total
        JobRun.objects.filter(pk=self.run.pk).update(progress_total=total)

    def advance(self, done: int, message: str | None = None) -> None:
        self.run.progress_done = done
        fields = {"progress_done": done}
        if message is not None:
            self.run.message = message
            fields["message"] = message
        JobRun.objects.filter(pk=self.run.pk).update(**fields)


@contextmanager
def tracked_job(*, job_run_id: int | None, task_name: str, label: str = ""):
    """Run a job body inside its JobRun: running -> done, or failed with the error.
    Without a queued run (a beat schedule starts the task) a new run is created."""
    if job_run_id is None:
        run = JobRun.objects.create(task_name=task_name, label=label)
    else:
        run = JobRun.objects.get(pk=job_run_id)
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.RUNNING, started_at=timezone.now(), finished_at=None
    )
    invalidate_front_page_cards()  # the staff card counts running and failed runs
    progress = JobProgress(run)
    try:
        yield progress
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.FAILED, finished_at=timezone.now(), message=f"{type(exc).__name__}: {exc}"[:2000]
        )
        invalidate_front_page_cards()
        raise
    else:
        run.refresh_from_db(fields=["progress_total", "progress_done", "message"])
        done = max(run.progress_done, run.progress_total)
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.DONE, finished_at=timezone.now(), progress_done=done
        )
        invalidate_front_page_cards()
