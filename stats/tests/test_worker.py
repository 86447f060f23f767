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

    wait_until(finished, timeout=120, message="the statistics job to finish")
    assert run.state == JobRun.State.DONE, run.message
    assert (run.progress_done, run.progress_total) == (2, 2)
    assert StatisticsYear.objects.get(year=2024).state == StatisticsYear.State.COMPUTED
    assert sorted(MunicipalityYearTotal.objects.values_list("municipality__code", "loans")) == [
        ("103", 58400), ("834", 111350)]
    # The annual reports: one version per municipality, started by the coordinator.
    from stats.models import AnnualReport

    assert sorted(AnnualReport.objects.values_list("municipality__code", "version", "created_by")) == [
        ("103", 1, coordinator.pk), ("834", 1, coordinator.pk)]
    # The worker died after the versions committed but before the run was marked done; the
    # sweeper failed the run, and the broker hands the message out again: the task runs once
    # more (consortium.jobs re-runs a run that is not done) and makes no new versions.
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.FAILED, message="stopped")
    tasks.compute_year.apply_async(kwargs={"year": 2024, "job_run_id": run.pk})

    def done_again():
        run.refresh_from_db()
        return run.state == JobRun.State.DONE

    wait_until(done_again, timeout=120, message="the re-delivered task to finish")
    assert AnnualReport.objects.count() == 2
