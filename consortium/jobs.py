"""Background job runs: queue one, then let the task report its progress as it goes."""

from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from .frontpage import invalidate_front_pages
from .models import JobRun

__all__ = ("job_run_queue", "tracked_job", "JobProgress", "sweep_stalled_job_runs", "stall_limits")


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
        JobRun.objects.filter(pk=self.run.pk).update(progress_total=total, progress_at=timezone.now())

    def advance(self, done: int, message: str | None = None) -> None:
        self.run.progress_done = done
        fields = {"progress_done": done, "progress_at": timezone.now()}
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
    now = timezone.now()
    # A (re)start begins afresh: a run the sweeper failed while its task waited on a
    # stopped worker must not keep the sweeper's message once the task runs after all.
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.RUNNING, started_at=now, progress_at=now, finished_at=None, message=""
    )
    invalidate_front_pages()  # the staff card counts running and failed runs
    progress = JobProgress(run)
    try:
        yield progress
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.FAILED, finished_at=timezone.now(), message=f"{type(exc).__name__}: {exc}"[:2000]
        )
        invalidate_front_pages()
        raise
    else:
        run.refresh_from_db(fields=["progress_total", "progress_done", "message"])
        done = max(run.progress_done, run.progress_total)
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.DONE, finished_at=timezone.now(), progress_done=done
        )
        invalidate_front_pages()


# ---------------------------------------------------------------- the sweeper


def stall_limits() -> tuple[timedelta, timedelta]:
    """(running, queued): how long a running run may go without progress, and a queued run
    without starting, before the sweeper calls it dead. A tracked job may legitimately
    report nothing until it ends, and Celery kills it at CELERY_TASK_TIME_LIMIT at the
    latest, so a running run is never judged sooner than that."""
    time_limit = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 0)
    running = max(int(getattr(settings, "JOB_RUN_STALL_AFTER", 2 * 60 * 60)), time_limit)
    queued = int(getattr(settings, "JOB_RUN_QUEUED_STALL_AFTER", 6 * 60 * 60))
    return timedelta(seconds=running), timedelta(seconds=queued)


def _duration(limit: timedelta) -> str:
    """E.g. 2 hours, or 1 hour, 30 minutes, in the active language (Django's own catalogue)."""
    origin = datetime(2000, 1, 1)
    return timesince(origin, origin + limit)


def sweep_stalled_job_runs(now: datetime | None = None) -> dict:
    """Fail every run whose worker went away without a word (hard time limit, out of memory,
    a restart at deploy): running with no progress for the stall limit, or queued and never
    started for the queue limit. Otherwise it would show as running on the jobs page and
    the staff front page for ever.

    Each UPDATE re-checks the state and the staleness in its own WHERE, so a run that
    finishes or reports progress at the same moment is left as it is; a second sweep finds
    nothing more to do. A run that comes back to life after all (a redelivered task) is set
    running and then done by tracked_job as usual."""
    now = now or timezone.now()
    running_limit, queued_limit = stall_limits()
    running_cutoff, queued_cutoff = now - running_limit, now - queued_limit
    # The last sign of life: the last progress, else the start, else the queueing (a run
    # written as running directly, without tracked_job, may lack the first two).
    silent = (Q(progress_at__lt=running_cutoff)
              | Q(progress_at__isnull=True, started_at__lt=running_cutoff)
              | Q(progress_at__isnull=True, started_at__isnull=True, created_at__lt=running_cutoff))
    # Written in the portal's language, as the worker's other job messages are: the beat
    # task has no person whose language to follow, and a thread may carry a stray one.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        stalled = JobRun.objects.filter(silent, state=JobRun.State.RUNNING).update(
            state=JobRun.State.FAILED, finished_at=now,
            message=_("Stopped without finishing: no progress for %(duration)s (the worker was probably stopped).")
            % {"duration": _duration(running_limit)})
        never_started = JobRun.objects.filter(
            state=JobRun.State.QUEUED, started_at__isnull=True, created_at__lt=queued_cutoff).update(
            state=JobRun.State.FAILED, finished_at=now,
            message=_("Never started: queued for %(duration)s without a worker taking it up.")
            % {"duration": _duration(queued_limit)})
        if stalled or never_started:
            # update() sends no signal; the staff card counts running and failed runs. After
            # commit, so no page is rendered again from the rows before the change.
            transaction.on_commit(invalidate_front_pages)
    return {"stalled": stalled, "never_started": never_started}
