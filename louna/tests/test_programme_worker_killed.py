"""Delivering the final programme survives a worker killed in the middle: the copies are
one JobRun (louna.programme.tasks.deliver_programme), held at a known step by the worker
tests' pause point (testsupport/pause.py) and SIGKILLed there; a new worker takes the
message back from the broker and finishes. Each library ends with one copy and each
director with one mail, however many times the job started."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium.models import JobRun, OutboxMessage
from louna.models import ImplementationReport, Programme, ProgrammeDelivery
from louna.programme.tasks import DELIVER_TASK, REPORTS_TASK, draft_implementation_reports
from louna.tests.programme_fixtures import english, final, forssa, in_review, programme  # noqa: F401
from testsupport import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_between_two_copies_leaves_one_copy_and_one_mail_each(
        celery_worker, client, final, coordinator, director, other_director, forssa, humppila, tammela, tmp_path):
    marker = tmp_path / "held"
    celery_worker.pause_at(DELIVER_TASK, 1, marker)  # the first library's copy is made and committed
    celery_worker.start()
    client.force_login(coordinator)
    assert client.post(reverse("louna:programme_deliver", args=[final.year])).status_code == 302
    run = JobRun.objects.get(task_name=DELIVER_TASK)

    wait_until(marker.exists, timeout=90, message=f"the job to make its first copy\n{celery_worker.output()}")
    celery_worker.kill()
    assert ProgrammeDelivery.objects.count() == 1
    assert JobRun.objects.get(pk=run.pk).state == JobRun.State.RUNNING

    celery_worker.start()
    wait_until(lambda: JobRun.objects.get(pk=run.pk).state == JobRun.State.DONE, timeout=90,
               message=f"the restarted worker to finish the copies\n{celery_worker.output()}")
    copies = list(ProgrammeDelivery.objects.values_list("library_id", flat=True))
    assert sorted(copies) == sorted([forssa.pk, humppila.pk, tammela.pk])
    assert all(delivery.pdf for delivery in ProgrammeDelivery.objects.all())
    mails = OutboxMessage.objects.filter(kind="louna.programme.delivery")
    assert sorted(mails.values_list("to", flat=True)) == sorted([director.email, other_director.email])
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (3, 3)


def test_the_reports_job_killed_midway_goes_on_in_the_same_run_and_drafts_one_report_each(
        celery_worker, final, forssa, humppila, tammela, tmp_path):
    # The beat job drafts last year's reports from LOUNA_PROGRAMME_REPORT_DATE on: make the
    # final programme last year's, and the day the first of January, so it runs on any day.
    Programme.objects.filter(pk=final.pk).update(year=timezone.localdate().year - 1)
    celery_worker.env["LOUNA_PROGRAMME_REPORT_DATE"] = "01-01"
    marker = tmp_path / "held"
    celery_worker.pause_at(REPORTS_TASK, 1, marker)  # the first library's report is drafted and committed
    celery_worker.start()
    draft_implementation_reports.delay()  # as beat sends it: no JobRun queued beforehand

    wait_until(marker.exists, timeout=90, message=f"the job to draft its first report\n{celery_worker.output()}")
    celery_worker.kill()
    assert ImplementationReport.objects.count() == 1
    assert JobRun.objects.get(task_name=REPORTS_TASK).state == JobRun.State.RUNNING

    celery_worker.start()
    wait_until(lambda: JobRun.objects.filter(task_name=REPORTS_TASK, state=JobRun.State.DONE).exists(), timeout=90,
               message=f"the restarted worker to finish the reports\n{celery_worker.output()}")
    assert sorted(ImplementationReport.objects.values_list("library_id", flat=True)) == sorted(
        [forssa.pk, humppila.pk, tammela.pk])
    # The message came back with its Celery id: the second try carried on in the first run.
    run = JobRun.objects.get(task_name=REPORTS_TASK)
    assert (run.state, run.progress_done, run.progress_total) == (JobRun.State.DONE, 3, 3)
