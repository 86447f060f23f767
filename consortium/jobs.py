"""Background job runs: queue one, then let the task report its progress as it goes."""

import logging
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery import Task
from celery.exceptions import Ignore
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from .frontpage import invalidate_front_pages
from .models import JobRun

__all__ = ("job_run_queue", "job_run_hand_over", "job_runs_hand_over", "tracked_job", "JobProgress",
           "job_progress", "live_progress", "sweep_stalled_job_runs", "stall_limits")

log = logging.getLogger(__name__)

# Sent after each step a job reports (JobProgress.advance), with `run` (the JobRun) and
# `done`. What listens: the worker tests' pause point (testsupport/pause.py), which holds a
# job at a known step so that a test can kill the worker exactly there.
job_progress = Signal()


def job_run_queue(*, task, label: str = "", created_by=None, args=(), kwargs=None) -> JobRun:
    """Create a queued JobRun, with the task's name and arguments on the row, and hand it to
    Celery after the transaction commits (the task gets the run's id as `job_run_id`). The
    task never sees a run that was rolled back; a run whose hand-over fails (the broker is
    down) stays queued and is sent by the hand-over sweep once the broker is back."""
    run = JobRun.objects.create(task_name=task.name, label=label, created_by=created_by,
                                task_args=list(args), task_kwargs=dict(kwargs or {}))
    transaction.on_commit(lambda: job_run_hand_over(run_id=run.pk, task=task))
    return run


def _task_named(name: str):
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # a process that has not loaded the apps' tasks yet
    return current_app.tasks[name]


def job_run_hand_over(*, run_id: int, task=None) -> bool:
    """Send one queued run to Celery unless it has been sent already. The claim is a
    conditional UPDATE (handed_over_at still empty), so of two callers at once (the commit
    hook and a sweep, or two sweeps) exactly one sends it. If the broker refuses, the claim is
    taken back and the run waits for the next sweep. Returns whether the run was sent."""
    now = timezone.now()
    claimed = JobRun.objects.filter(pk=run_id, state=JobRun.State.QUEUED, handed_over_at__isnull=True).update(
        handed_over_at=now)
    if not claimed:
        return False
    run = JobRun.objects.only("task_name", "task_args", "task_kwargs").get(pk=run_id)
    try:
        task = task or _task_named(run.task_name)
        # Celery's own apply_async, not TransactionAwareTask's: the run is committed already
        # (this runs on commit, or in the sweep), and a send deferred once more would fail
        # outside this try. retry=False: with the broker down, fail at once rather than hold
        # the request.
        Task.apply_async(task, args=run.task_args, kwargs={**run.task_kwargs, "job_run_id": run.pk}, retry=False)
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise many kinds; the run waits either way
        JobRun.objects.filter(pk=run_id, handed_over_at=now).update(handed_over_at=None)
        log.warning("job run %s (%s) not handed to the queue, it waits for the sweep: %s: %s",
                    run_id, run.task_name, type(exc).__name__, exc)
        return False
    return True


def job_runs_hand_over(*, limit: int = 100) -> int:
    """The sweep (beat, every minute): send queued runs that were never handed to Celery,
    oldest first, e.g. those queued while the broker was down. Returns how many were sent.
    Stops at the first refusal: the broker is still down, the rest can wait too."""
    waiting = JobRun.objects.filter(state=JobRun.State.QUEUED, handed_over_at__isnull=True).order_by(
        "created_at", "pk").values_list("pk", flat=True)[:limit]
    sent = 0
    for run_id in list(waiting):
        if job_run_hand_over(run_id=run_id):
            sent += 1
        elif JobRun.objects.filter(pk=run_id, state=JobRun.State.QUEUED, handed_over_at__isnull=True).exists():
            break
    return sent


class JobProgress:
    """Handed to a running job; each call writes progress to the JobRun row at once, so the
    jobs page (and anyone polling it) sees it while the job runs.

    A job whose whole work is one transaction (an import saved whole) cannot show that row
    to anyone before it commits, so inside a transaction the progress also goes to the cache
    (`live_progress` reads it back). The cache is a helper: without it the bar moves at the
    commit, as before; a cache that answers slowly (a Redis that hangs) is not asked again
    by this job, so a thousand steps never cost a thousand timeouts."""

    SLOW_CACHE_SECONDS = 0.2

    def __init__(self, run: JobRun):
        self.run = run
        self._share_in_cache = True

    def total(self, total: int) -> None:
        self.run.progress_total = total
        JobRun.objects.filter(pk=self.run.pk).update(progress_total=total, progress_at=timezone.now())
        self._share()

    def advance(self, done: int, message: str | None = None) -> None:
        self.run.progress_done = done
        fields = {"progress_done": done, "progress_at": timezone.now()}
        if message is not None:
            self.run.message = message
            fields["message"] = message
        JobRun.objects.filter(pk=self.run.pk).update(**fields)
        self._share()
        job_progress.send(sender=JobProgress, run=self.run, done=done)

    def _share(self) -> None:
        if not self._share_in_cache or not transaction.get_connection().in_atomic_block:
            return
        started = time.monotonic()
        cache.set(_live_key(self.run.pk), {"done": self.run.progress_done, "total": self.run.progress_total,
                                           "message": self.run.message}, timeout=LIVE_PROGRESS_SECONDS)
        if time.monotonic() - started > self.SLOW_CACHE_SECONDS:
            self._share_in_cache = False


# Long enough for any job the stall sweeper lets run; a finished run's entry is never read.
LIVE_PROGRESS_SECONDS = 6 * 60 * 60


def _live_key(run_id: int) -> str:
    return f"jobrun:{run_id}:progress"


def live_progress(run: JobRun) -> JobRun:
    """The run as its progress bar should show it: a running run with the progress its job
    reported inside a transaction not yet committed (JobProgress), where that is further
    along than the row. Changes `run` in place and returns it; a finished run is left as
    it is (its row is the truth then)."""
    if run.is_finished:
        return run
    shared = cache.get(_live_key(run.pk))
    if shared and (shared["done"], shared["total"]) > (run.progress_done, run.progress_total):
        run.progress_done, run.progress_total = shared["done"], shared["total"]
        run.message = shared["message"] or run.message
    return run


def _current_message_id() -> str | None:
    from celery import current_task

    request = getattr(current_task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return None
    return request.id


@contextmanager
def tracked_job(*, job_run_id: int | None, task_name: str, label: str = ""):
    """Run a job body inside its JobRun: running -> done, or failed with the error.
    Without a queued run (a beat schedule starts the task) a new run is created."""
    if job_run_id is None:
        # Started by beat: no run was queued. A message handed out again (its worker was
        # killed) has the same Celery id, so it finds the run the first try made rather than
        # leaving that one "running" until the sweeper fails it.
        message_id = _current_message_id()
        run = None
        if message_id:
            run = JobRun.objects.filter(task_name=task_name, task_kwargs__celery_message=message_id).first()
        if run is None:
            run = JobRun.objects.create(task_name=task_name, label=label,
                                        task_kwargs={"celery_message": message_id} if message_id else {})
    else:
        run = JobRun.objects.get(pk=job_run_id)
    now = timezone.now()
    # A (re)start begins afresh: a run the sweeper failed while its task waited on a
    # stopped worker must not keep the sweeper's message once the task runs after all.
    # A run already done is not run again: its message came back from the broker because
    # the worker died after the work committed but before it acknowledged the message
    # (acks_late), and the work is in the database already. Ignore acknowledges it quietly.
    started = JobRun.objects.filter(pk=run.pk).exclude(state=JobRun.State.DONE).update(
        state=JobRun.State.RUNNING, started_at=now, progress_at=now, finished_at=None, message=""
    )
    if not started:
        log.info("job run %s (%s) is done already; the repeated delivery is ignored", run.pk, task_name)
        raise Ignore()
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
        # Only runs the broker took: one still waiting for the broker is not lost, the
        # hand-over sweep sends it when the broker is back.
        never_started = JobRun.objects.filter(
            state=JobRun.State.QUEUED, started_at__isnull=True, handed_over_at__lt=queued_cutoff).update(
            state=JobRun.State.FAILED, finished_at=now,
            message=_("Never started: queued for %(duration)s without a worker taking it up.")
            % {"duration": _duration(queued_limit)})
        if stalled or never_started:
            # update() sends no signal; the staff card counts running and failed runs. After
            # commit, so no page is rendered again from the rows before the change.
            transaction.on_commit(invalidate_front_pages)
    return {"stalled": stalled, "never_started": never_started}
