"""Background job runs: progress, failure, the staff page, and a real worker on Redis."""

import pytest
from django.urls import reverse

from consortium.jobs import job_run_queue, tracked_job
from consortium.models import JobRun
from consortium.tasks import check_organisation_data
from testsupport import wait_until
from consortium.tests.factories import LibraryFactory

pytestmark = pytest.mark.django_db


def test_tracked_job_reports_progress_and_finishes():
    with tracked_job(job_run_id=None, task_name="t") as progress:
        progress.total(4)
        progress.advance(2, message="puolivälissä")
        run = JobRun.objects.get()
        assert (run.state, run.progress_done, run.progress_total, run.percent) == ("running", 2, 4, 50)
    run.refresh_from_db()
    assert run.state == "done" and run.finished_at and run.percent == 100


def test_failing_job_is_marked_failed_with_the_error():
    with pytest.raises(RuntimeError), tracked_job(job_run_id=None, task_name="t"):
        raise RuntimeError("levy täynnä")
    run = JobRun.objects.get()
    assert run.state == "failed" and "levy täynnä" in run.message


def test_staff_starts_the_check_and_sees_the_result(client, staff_user, humppila,
                                                    django_capture_on_commit_callbacks):
    LibraryFactory.create_batch(3)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_start_organisation_check"))
    run = JobRun.objects.get()
    assert response["Location"] == reverse("job_detail", args=[run.pk])
    assert run.state == "done" and run.progress_total == 4
    assert "4" in run.message
    status = client.get(reverse("job_status", args=[run.pk])).json()
    assert status["percent"] == 100 and status["finished"]
    listing = client.get(reverse("job_list"))
    assert 'aria-valuenow="100"' in listing.content.decode()


def test_director_cannot_read_job_status(client, director):
    run = JobRun.objects.create(task_name="x")
    client.force_login(director)
    assert client.get(reverse("job_status", args=[run.pk])).status_code == 403


@pytest.mark.worker
def test_real_worker_moves_a_job_run_from_queued_to_done(celery_worker, humppila):
    LibraryFactory.create_batch(2)
    celery_worker.start()
    run = job_run_queue(task=check_organisation_data, label="Tarkistus")
    assert JobRun.objects.get(pk=run.pk).state == "queued"
    # Outside a transaction on_commit fires at once: the message goes to Redis now.
    wait_until(lambda: JobRun.objects.get(pk=run.pk).state == "done", timeout=60,
               message=f"the worker to finish the job run\n{celery_worker.output()}")
    run.refresh_from_db()
    assert run.progress_done == run.progress_total == 3
    assert run.started_at and run.finished_at


@pytest.mark.parametrize("failed, active", [(0, 0), (0, 3), (2, 0), (7, 4)])
def test_front_page_job_card_counts_in_one_query(client, staff_user, django_assert_max_num_queries, failed, active):
    from consortium.cards import job_attention

    for n in range(failed):
        JobRun.objects.create(task_name=f"failed-{n}", state=JobRun.State.FAILED)
    for n in range(active):
        JobRun.objects.create(task_name=f"active-{n}", state=JobRun.State.RUNNING if n % 2 else JobRun.State.QUEUED)
    JobRun.objects.create(task_name="finished", state=JobRun.State.DONE)
    with django_assert_max_num_queries(1):
        runs, running = job_attention()
    assert running == active
    assert [run.task_name for run in runs] == [f"failed-{n}" for n in reversed(range(failed))][:5]
    client.force_login(staff_user)
    page = client.get(reverse("home")).content.decode()
    assert ("Jonossa tai käynnissä olevia töitä: %d" % active in page) == bool(active)
    assert page.count("failed-") == min(failed, 5)
