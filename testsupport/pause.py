"""A pause point for worker tests: holds a tracked job at a known step so the test can
SIGKILL the worker exactly there, instead of sleeping and hoping.

The worker loads this module with `--include testsupport.pause` (WorkerProcess.pause_at);
it listens to consortium.jobs.job_progress. When the job named by TEST_JOB_PAUSE
("<task name>:<step>") reports that step, it writes the file TEST_JOB_PAUSE_FILE and waits
there for ever. Only the first time: once the file exists, a restarted worker runs the job
through."""

import os
import time
from pathlib import Path

from consortium.jobs import job_progress


def _hold(sender, run, done, **kwargs):
    spec, marker = os.environ.get("TEST_JOB_PAUSE", ""), os.environ.get("TEST_JOB_PAUSE_FILE", "")
    if not spec or not marker:
        return
    task_name, _, step = spec.rpartition(":")
    if run.task_name != task_name or done != int(step) or Path(marker).exists():
        return
    Path(marker).write_text(f"{run.pk}:{done}\n")
    while True:  # until the test kills this process
        time.sleep(1)


job_progress.connect(_hold, dispatch_uid="testsupport-job-pause")
