"""A real Celery worker on Redis runs the annual job queued from the coordinator's button,
and reports its progress in the JobRun."""

import pytest

from consortium.jobs import job_run_queue
from consortium.models import JobRun
from testsupport import wait_until
from stats import services, tasks
from stats.models import MunicipalityYearTotal, StatisticsYear, StatsImport
from stats.tests.conftest import POINTS_CSV

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_computes_the_year(celery_worker, points, coordinator):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    celery_worker.start()
    run = job_run_queue(task=tasks.compute_year, label="Tilastot 2024", created_by=coordinator,
                        kwargs={"year": 2024})

    def finished():
        run.refresh_from_db()
        return run.is_finished

    wait_until(finished, timeout=60, message="the statistics job to finish")
    assert run.state == JobRun.State.DONE, run.message
    assert (run.progress_done, run.progress_total) == (2, 2)
    assert StatisticsYear.objects.get(year=2024).state == StatisticsYear.State.COMPUTED
    assert sorted(MunicipalityYearTotal.objects.values_list("municipality__code", "loans")) == [
        ("103", 58400), ("834", 111350)]
    # The annual reports: one version per municipality, started by the coordinator.
    from stats.models import AnnualReport

    assert sorted(AnnualReport.objects.values_list("municipality__code", "version", "created_by")) == [
        ("103", 1, coordinator.pk), ("834", 1, coordinator.pk)]
    # The broker delivers the same run's task again (a worker lost before its ack): the run
    # is done, so the delivery is ignored (consortium.jobs.tracked_job): no new versions, and
    # the run as it was. A job queued behind it shows when the worker has taken it.
    from consortium.tasks import check_organisation_data

    first_finish = run.finished_at
    tasks.compute_year.apply_async(kwargs={"year": 2024, "job_run_id": run.pk})
    behind = job_run_queue(task=check_organisation_data)
    wait_until(lambda: JobRun.objects.get(pk=behind.pk).is_finished, timeout=60,
               message="the worker to take the re-delivered task and the job behind it")
    run.refresh_from_db()
    assert (run.state, run.finished_at) == (JobRun.State.DONE, first_finish)
    assert AnnualReport.objects.count() == 2


def test_worker_checks_and_saves_a_large_import(celery_worker, points, coordinator):
    """The two jobs of a large file on a real worker: the check leaves the preview on the
    draft, the confirm's job saves it; the JobRuns show the progress."""
    from stats import import_jobs
    from stats.models import DraftState, Figure, PendingImport

    celery_worker.start()
    draft = import_jobs.import_job_start(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                                         file_name="kansallinen.csv", by=coordinator)

    def state_is(state):
        def check():
            return PendingImport.objects.get(pk=draft.pk).state == state
        return check

    wait_until(state_is(DraftState.READY), timeout=60, message="the check job")
    draft.refresh_from_db()
    assert draft.result["row_count"] == 3 and draft.job_run.state == JobRun.State.DONE
    import_jobs.import_job_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)
    wait_until(state_is(DraftState.SAVED), timeout=60, message="the save job")
    draft.refresh_from_db()
    assert draft.job_run.state == JobRun.State.DONE and draft.stats_import.rows == 3
    assert Figure.objects.filter(source_import=draft.stats_import).count() == 14
