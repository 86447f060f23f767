"""The annual statistics job survives a worker killed in the middle: the job is held at a
known step (testsupport/pause.py), the worker is SIGKILLed there, a new worker takes the
message back from the broker, and the year ends computed once, with no half-written totals.

Written against the JobRun and the task's name only (consortium.jobs), so it holds however
the job computes the year inside."""

import pytest

from consortium.jobs import job_run_queue
from consortium.models import JobRun
from consortium.tasks import check_organisation_data
from stats import services, tasks
from stats.models import MunicipalityYearTotal, StatisticsYear, StatsImport
from stats.tests.conftest import POINTS_CSV
from testsupport import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_midway_through_the_year_leaves_it_computed_once(celery_worker, points, coordinator,
                                                                         tmp_path):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    marker = tmp_path / "held"
    celery_worker.pause_at(tasks.COMPUTE_TASK, 1, marker)  # after the first municipality's totals
    celery_worker.start()
    run = job_run_queue(task=tasks.compute_year, label="Tilastot 2024", created_by=coordinator,
                        kwargs={"year": 2024})

    wait_until(marker.exists, timeout=120, message=f"the job to reach its first municipality\n{celery_worker.output()}")
    celery_worker.kill()
    run.refresh_from_db()
    assert run.state == JobRun.State.RUNNING
    # The first municipality's totals were written inside the job's transaction: gone with it.
    assert not MunicipalityYearTotal.objects.exists()
    assert StatisticsYear.objects.get(year=2024).state != StatisticsYear.State.COMPUTED

    celery_worker.start()  # takes the killed worker's message back from the broker

    def finished():
        run.refresh_from_db()
        return run.state == JobRun.State.DONE

    wait_until(finished, timeout=120, message=f"the restarted worker to finish the year\n{celery_worker.output()}")
    assert (run.progress_done, run.progress_total) == (2, 2)
    assert StatisticsYear.objects.get(year=2024).state == StatisticsYear.State.COMPUTED
    assert sorted(MunicipalityYearTotal.objects.values_list("municipality__code", "loans")) == [
        ("103", 58400), ("834", 111350)]
    assert JobRun.objects.count() == 1


def test_a_job_delivered_again_after_it_finished_is_not_run_again(celery_worker, points, coordinator):
    """The worker died after the work committed but before it acknowledged the message: the
    broker hands the message out again, and the run, already done, is left as it was."""
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    celery_worker.start()
    run = job_run_queue(task=tasks.compute_year, created_by=coordinator, kwargs={"year": 2024})
    wait_until(lambda: JobRun.objects.get(pk=run.pk).state == JobRun.State.DONE, timeout=120,
               message=f"the job to finish\n{celery_worker.output()}")
    finished_at = JobRun.objects.get(pk=run.pk).finished_at
    computed_at = StatisticsYear.objects.get(year=2024).computed_at

    tasks.compute_year.apply_async(kwargs={"year": 2024, "job_run_id": run.pk})  # the same message again
    behind = job_run_queue(task=check_organisation_data)  # once it is done, the first was taken
    wait_until(lambda: JobRun.objects.get(pk=behind.pk).is_finished, timeout=120,
               message=f"the worker to take both messages\n{celery_worker.output()}")
    run.refresh_from_db()
    assert (run.state, run.finished_at) == (JobRun.State.DONE, finished_at)
    assert StatisticsYear.objects.get(year=2024).computed_at == computed_at


def test_a_worker_killed_while_saving_a_large_import_leaves_it_saved_once(celery_worker, points, coordinator,
                                                                           tmp_path):
    """The save job of a large file (stats/import_jobs.py) saves the file whole in one
    transaction: killed while it reads the file, nothing of it is left; the restarted
    worker saves it once."""
    from consortium.models import ServicePoint, ServicePointExternalId
    from stats import csvimport, import_jobs
    from stats.models import DraftState, Figure, PendingImport

    # Enough rows for the reading to report its progress (every PROGRESS_EVERY rows).
    count = csvimport.PROGRESS_EVERY + 20
    library = points["humppila"].library
    made = ServicePoint.objects.bulk_create(
        [ServicePoint(library=library, name=f"Lainauspiste {n}", kind=ServicePoint.Kind.OTHER) for n in range(count)])
    ServicePointExternalId.objects.bulk_create(
        [ServicePointExternalId(service_point=point, source="mikromarc", value=f"ISO-{n}")
         for n, point in enumerate(made)])
    data = ("Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\r\n"
            + "".join(f"ISO-{n};;1;2;3;{n};5\r\n" for n in range(count))).encode()

    marker = tmp_path / "held"
    celery_worker.pause_at(tasks.SAVE_IMPORT_TASK, "*", marker)  # the save's first progress report
    celery_worker.start()
    draft = import_jobs.import_job_start(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=data,
                                         file_name="kansallinen.csv", by=coordinator)
    wait_until(lambda: PendingImport.objects.get(pk=draft.pk).state == DraftState.READY, timeout=120,
               message=f"the check job to leave its preview\n{celery_worker.output()}")
    draft = import_jobs.import_job_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)

    wait_until(marker.exists, timeout=120, message=f"the save job to start reading\n{celery_worker.output()}")
    celery_worker.kill()
    assert PendingImport.objects.get(pk=draft.pk).state == DraftState.SAVING
    assert not StatsImport.objects.exists() and not Figure.objects.exists()
    save_run = JobRun.objects.get(task_name=tasks.SAVE_IMPORT_TASK)
    assert save_run.state == JobRun.State.RUNNING

    celery_worker.start()
    wait_until(lambda: PendingImport.objects.get(pk=draft.pk).state == DraftState.SAVED, timeout=120,
               message=f"the restarted worker to save the file\n{celery_worker.output()}")
    assert StatsImport.objects.count() == 1
    loans = Figure.objects.filter(metric__code="loans", replaced_by__isnull=True, service_point__in=made)
    assert loans.count() == count and sorted(loans.values_list("value", flat=True)) == list(range(count))
    wait_until(lambda: JobRun.objects.get(pk=save_run.pk).state == JobRun.State.DONE, timeout=30,
               message="the save run to end done")
    assert JobRun.objects.filter(task_name=tasks.SAVE_IMPORT_TASK).count() == 1
