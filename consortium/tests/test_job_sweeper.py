"""The sweeper of job runs whose worker stopped without finishing them (killed at the hard
time limit, out of memory, restarted at deploy)."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from config.celery import app as celery_app
from consortium import tasks
from consortium.jobs import sweep_stalled_job_runs, tracked_job
from consortium.models import JobRun

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
# Django's timesince keeps a number and its unit together with a no-break space.


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CELERY_TASK_TIME_LIMIT = 30 * 60
    settings.JOB_RUN_STALL_AFTER = 2 * 60 * 60
    settings.JOB_RUN_QUEUED_STALL_AFTER = 6 * 60 * 60
    return settings


def run_of(state, *, ago_created, ago_started=None, ago_progress=None, ago_finished=None, handed_over=True,
           **fields):
    """A run with timestamps in the past (created_at is auto_now_add: set it afterwards),
    handed to the broker when it was queued unless handed_over=False."""
    now = timezone.now()
    run = JobRun.objects.create(task_name=fields.pop("task_name", "consortium.tasks.check_organisation_data"),
                                state=state, **fields)
    JobRun.objects.filter(pk=run.pk).update(
        created_at=now - ago_created,
        started_at=ago_started and now - ago_started,
        progress_at=ago_progress and now - ago_progress,
        finished_at=ago_finished and now - ago_finished,
        handed_over_at=(now - ago_created) if handed_over else None,
    )
    run.refresh_from_db()
    return run


def test_a_running_run_silent_past_the_limit_fails_and_staff_see_it_failed(client, staff_user):
    run = run_of(JobRun.State.RUNNING, label="Organisaatiotietojen tarkistus", ago_created=4 * HOUR,
                 ago_started=4 * HOUR, ago_progress=3 * HOUR, progress_total=10, progress_done=4)

    assert sweep_stalled_job_runs() == {"stalled": 1, "never_started": 0}

    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED and run.finished_at
    assert run.message == ("Pysähtyi kesken: työ ei ole edennyt yli 2\xa0tuntia "
                           "(sitä ajanut taustaprosessi luultavasti pysäytettiin).")
    assert (run.progress_done, run.progress_total) == (4, 10)  # how far it got stays visible
    client.force_login(staff_user)
    listing = client.get(reverse("job_list")).content.decode()
    assert "<td data-job-state>epäonnistui</td>" in listing
    assert "<td data-job-state>käynnissä</td>" not in listing
    detail = client.get(reverse("job_detail", args=[run.pk])).content.decode()
    assert "ei ole edennyt yli 2\xa0tuntia" in detail
    assert client.get(reverse("job_status", args=[run.pk])).json()["finished"]


def test_the_message_is_in_the_portals_language_whatever_language_is_active():
    """The beat task has nobody's language to follow; staff read the portal's (Finnish)."""
    run = run_of(JobRun.State.RUNNING, ago_created=3 * HOUR, ago_started=3 * HOUR)
    with translation.override("sv"):
        sweep_stalled_job_runs()
    run.refresh_from_db()
    assert run.message.startswith("Pysähtyi kesken: työ ei ole edennyt yli 2\xa0tuntia")


def test_a_running_run_with_recent_progress_is_left_alone():
    # Started long ago, but reported progress half an hour ago: still alive.
    run = run_of(JobRun.State.RUNNING, ago_created=5 * HOUR, ago_started=5 * HOUR, ago_progress=HOUR / 2)
    young = run_of(JobRun.State.RUNNING, ago_created=HOUR, ago_started=HOUR)  # no progress yet
    assert sweep_stalled_job_runs() == {"stalled": 0, "never_started": 0}
    assert set(JobRun.objects.values_list("state", flat=True)) == {"running"}
    run.refresh_from_db()
    young.refresh_from_db()
    assert run.message == young.message == "" and run.finished_at is None


def test_progress_reported_through_tracked_job_keeps_a_long_run_alive():
    with tracked_job(job_run_id=None, task_name="t") as progress:
        run = JobRun.objects.get()
        JobRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - 5 * HOUR,
                                                progress_at=timezone.now() - 5 * HOUR)
        progress.advance(3, message="Humppila")
        assert sweep_stalled_job_runs()["stalled"] == 0
        # Three hours on with no further word it is given up on...
        assert sweep_stalled_job_runs(now=timezone.now() + 3 * HOUR)["stalled"] == 1
        assert JobRun.objects.get(pk=run.pk).state == "failed"
    # ...and if it finishes after all, it says so.
    run.refresh_from_db()
    assert run.state == "done"


def test_the_stall_limit_is_never_shorter_than_the_task_time_limit(limits):
    """A job may report nothing until it ends; Celery only kills it at the time limit."""
    limits.JOB_RUN_STALL_AFTER = 60
    limits.CELERY_TASK_TIME_LIMIT = 45 * 60
    quiet = run_of(JobRun.State.RUNNING, ago_created=HOUR / 2, ago_started=HOUR / 2)
    dead = run_of(JobRun.State.RUNNING, ago_created=HOUR, ago_started=HOUR)
    assert sweep_stalled_job_runs() == {"stalled": 1, "never_started": 0}
    assert JobRun.objects.get(pk=quiet.pk).state == "running"
    dead.refresh_from_db()
    assert dead.state == "failed" and "45" in dead.message


def test_finished_runs_are_untouched():
    done = run_of(JobRun.State.DONE, ago_created=9 * HOUR, ago_started=9 * HOUR, ago_progress=8 * HOUR,
                  ago_finished=8 * HOUR, message="Valmis")
    failed = run_of(JobRun.State.FAILED, ago_created=9 * HOUR, ago_started=9 * HOUR, ago_finished=8 * HOUR,
                    message="RuntimeError: levy täynnä")
    assert sweep_stalled_job_runs() == {"stalled": 0, "never_started": 0}
    for before in (done, failed):
        after = JobRun.objects.get(pk=before.pk)
        assert (after.state, after.message, after.finished_at) == (before.state, before.message, before.finished_at)


def test_a_queued_run_never_started_fails_and_a_recent_one_waits():
    lost = run_of(JobRun.State.QUEUED, ago_created=7 * HOUR)
    waiting = run_of(JobRun.State.QUEUED, ago_created=HOUR)
    assert sweep_stalled_job_runs() == {"stalled": 0, "never_started": 1}
    lost.refresh_from_db()
    assert lost.state == "failed" and lost.finished_at
    assert lost.message == ("Ei käynnistynyt: työ odotti jonossa yli 6\xa0tuntia, "
                            "eikä mikään taustaprosessi ottanut sitä ajoon.")
    assert JobRun.objects.get(pk=waiting.pk).state == "queued"


def test_a_run_still_waiting_for_the_broker_is_not_failed_however_old():
    """Queued while the broker was down: not lost, the hand-over sweep sends it later."""
    waiting = run_of(JobRun.State.QUEUED, ago_created=7 * HOUR, handed_over=False)
    assert sweep_stalled_job_runs() == {"stalled": 0, "never_started": 0}
    assert JobRun.objects.get(pk=waiting.pk).state == "queued"


def test_a_swept_queued_run_whose_task_runs_after_all_ends_done_without_the_sweep_message():
    run = run_of(JobRun.State.QUEUED, ago_created=7 * HOUR)
    sweep_stalled_job_runs()
    with tracked_job(job_run_id=run.pk, task_name=run.task_name) as progress:
        assert JobRun.objects.get(pk=run.pk).message == ""
        progress.total(1)
        progress.advance(1)
    run.refresh_from_db()
    assert run.state == "done" and run.message == ""


def test_sweeping_twice_changes_nothing_more():
    run_of(JobRun.State.RUNNING, ago_created=3 * HOUR, ago_started=3 * HOUR)
    run_of(JobRun.State.QUEUED, ago_created=7 * HOUR)
    assert sweep_stalled_job_runs() == {"stalled": 1, "never_started": 1}
    before = list(JobRun.objects.values_list("pk", "state", "message", "finished_at"))
    assert sweep_stalled_job_runs(now=timezone.now() + HOUR) == {"stalled": 0, "never_started": 0}
    assert list(JobRun.objects.values_list("pk", "state", "message", "finished_at")) == before


def test_the_staff_front_page_shows_the_swept_run_as_failed(client, staff_user, django_capture_on_commit_callbacks):
    run_of(JobRun.State.RUNNING, label="Jumittunut tarkistus", ago_created=3 * HOUR, ago_started=3 * HOUR)
    client.force_login(staff_user)
    before = client.get(reverse("home")).content.decode()  # now kept in the cache
    assert "Jonossa tai käynnissä olevia töitä: 1" in before and "Jumittunut tarkistus" not in before

    # QuerySet.update sends no signal: the sweep itself must retire the kept page.
    with django_capture_on_commit_callbacks(execute=True):
        sweep_stalled_job_runs()

    after = client.get(reverse("home")).content.decode()
    assert "Jumittunut tarkistus (epäonnistui)" in after
    assert "Jonossa tai käynnissä olevia töitä" not in after


def test_beat_runs_the_sweep_task_every_ten_minutes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["consortium-sweep-stalled-job-runs"]
    assert entry["task"] == tasks.sweep_stalled_job_runs.name == "consortium.tasks.sweep_stalled_job_runs"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 10))


def test_the_task_sweeps_through_celery(django_capture_on_commit_callbacks):
    stalled = run_of(JobRun.State.RUNNING, ago_created=3 * HOUR, ago_started=3 * HOUR)
    assert tasks.sweep_stalled_job_runs.apply().get() == {"stalled": 1, "never_started": 0}
    assert JobRun.objects.get(pk=stalled.pk).state == "failed"
    lost = run_of(JobRun.State.QUEUED, ago_created=7 * HOUR)
    # Sent from inside a transaction (the test's), the task goes out after commit.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_stalled_job_runs.delay()
    assert JobRun.objects.get(pk=lost.pk).state == "failed"
