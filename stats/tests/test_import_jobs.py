"""A large file is checked and saved by a background job: the page shows the progress, then
the preview (every refused row named), and the confirm saves the file whole. The tasks
are idempotent: delivered twice they import nothing twice."""

import codecs
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from consortium.jobs import job_progress
from consortium.models import JobRun, Role
from consortium.tests.factories import ServicePointFactory, user_with_role
from stats import csvimport, import_jobs, services, tasks
from stats.models import DraftState, Figure, PendingImport, StatsImport
from stats.tests.conftest import POINTS_CSV, import_job_delivered_twice, point_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_job_limit(settings, db):
    # Any file over two data rows goes to the job, so the tests need no thousands of points.
    settings.STATS_IMPORT_JOB_ROWS = 2
    services.statistics_year_open(year=2024)


def _upload(client, data, name="kansallinen.csv", kind="service_points"):
    return client.post(reverse("stats:import", args=[2024]), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def test_a_large_file_is_checked_in_the_background_then_confirmed(client, coordinator, points,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, codecs.BOM_UTF8 + POINTS_CSV.encode())
    draft = PendingImport.objects.get()
    assert response["Location"] == reverse("stats:import_draft", args=[2024, draft.pk])
    assert draft.state == DraftState.READY and draft.job_run.state == JobRun.State.DONE
    assert not Figure.objects.exists()  # the check saves nothing

    page = client.get(response["Location"]).content.decode()
    assert "Esikatselu, kansallinen.csv: 3 riviä" in page and "Humppilan pääkirjasto" in page and "58400" in page
    assert "data-import-status" not in page  # done: no progress bar, no polling script

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]),
                               {"sha256": draft.sha256})
    draft.refresh_from_db()
    assert draft.state == DraftState.SAVED and draft.job_run.task_name == tasks.SAVE_IMPORT_TASK
    assert point_figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1310)
    assert client.get(response["Location"])["Location"] == reverse("stats:year_detail", args=[2024])


def test_while_the_job_runs_the_page_shows_its_progress(client, coordinator, points):
    client.force_login(coordinator)
    response = _upload(client, POINTS_CSV.encode())  # no commit: the job has not started
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "js/import_job.js" in page and "<script>" not in page
    draft = PendingImport.objects.get()
    status = client.get(reverse("stats:import_draft_status", args=[2024, draft.pk])).json()
    assert status["state"] == "checking" and status["finished"] is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL's MVCC")
@pytest.mark.django_db(transaction=True)
def test_while_the_save_runs_in_its_transaction_the_status_shows_how_far_it_has_come(client, coordinator, points,
                                                                                       monkeypatch):
    # The save is one transaction, so the JobRun row's progress is invisible to the page
    # polling it until the commit; the progress bar reads what the job shares meanwhile.
    monkeypatch.setattr(csvimport, "PROGRESS_EVERY", 1)
    client.force_login(coordinator)
    _upload(client, POINTS_CSV.encode())  # committed: the check has run (eager) and left the preview
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.READY
    watcher = Client()
    watcher.force_login(coordinator)
    status_url = reverse("stats:import_draft_status", args=[2024, draft.pk])
    seen = []

    def look_from_outside(sender, run, done, **kwargs):
        if run.task_name != tasks.SAVE_IMPORT_TASK or seen or done < 1:
            return

        def ask():  # another thread: another database connection, outside the save's transaction
            try:
                seen.append((JobRun.objects.get(pk=run.pk).progress_done, watcher.get(status_url).json()))
            finally:
                connection.close()

        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()

    job_progress.connect(look_from_outside)
    try:
        client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]), {"sha256": draft.sha256})
    finally:
        job_progress.disconnect(look_from_outside)
    row_done, status = seen[0]
    assert row_done == 0  # what the row says until the commit
    assert status["state"] == "saving" and not status["finished"]
    assert 1 <= status["done"] < status["total"] and 0 < status["percent"] < 100
    draft.refresh_from_db()
    assert draft.state == DraftState.SAVED and point_figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1310)


def test_a_large_file_with_a_bad_row_names_the_row_and_cannot_be_confirmed(client, coordinator, points,
                                                                            django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    bad = POINTS_CSV.replace("1 204", "paljon")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, bad.encode())
    page = client.get(response["Location"]).content.decode()
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.REFUSED
    assert "Tiedostoa kansallinen.csv ei tuotu: 1 virhe" in page and "”paljon” ei ole luku." in page
    assert "<th scope=\"row\">2</th>" in page  # the row as Excel numbers it
    client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]), {"sha256": draft.sha256})
    assert not Figure.objects.exists() and not StatsImport.objects.exists()


def test_tasks_delivered_twice_import_once(coordinator, points, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                             file_name="k.csv", by=coordinator)
    first = import_job_delivered_twice(draft, by=coordinator, capture=django_capture_on_commit_callbacks)
    assert Figure.objects.filter(source_import=first).count() == 14  # 3 points x 5 metrics, one empty


def test_the_same_file_imported_meanwhile_is_refused_by_the_save_job(coordinator, points,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                             file_name="k.csv", by=coordinator)
    services.import_save(year=2024, kind="service_points", data=POINTS_CSV.encode(), file_name="k.csv",
                         by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        import_jobs.import_job_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)
    draft.refresh_from_db()
    assert draft.state == DraftState.REFUSED and "tuotiin jo" in draft.result["errors"][0][2]
    assert StatsImport.objects.count() == 1


def test_a_new_upload_drops_the_draft_and_its_late_check_does_nothing(coordinator, points):
    old = import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                       file_name="vanha.csv", by=coordinator)
    import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode() + b"\n",
                                 file_name="uusi.csv", by=coordinator)
    assert import_jobs.import_job_check(draft_id=old.pk) is None
    assert list(PendingImport.objects.values_list("file_name", flat=True)) == ["uusi.csv"]


def test_another_persons_draft_is_not_found(client, coordinator, points):
    draft = import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                         file_name="k.csv", by=coordinator)
    client.force_login(user_with_role(Role.COORDINATOR, full_name="Toinen Koordinaattori"))
    for name in ("import_draft", "import_draft_status"):
        assert client.get(reverse(f"stats:{name}", args=[2024, draft.pk])).status_code == 404
    assert client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]),
                       {"sha256": draft.sha256}).status_code == 404
    assert client.get(reverse("stats:import_draft", args=[2023, draft.pk])).status_code == 404


def test_a_director_cannot_reach_the_draft_pages(client, director, coordinator, points):
    draft = import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                         file_name="k.csv", by=coordinator)
    client.force_login(director)
    assert client.get(reverse("stats:import_draft", args=[2024, draft.pk])).status_code == 403


@pytest.mark.parametrize("extra_points", [0, 40])
def test_the_preview_page_makes_the_same_queries_for_any_file(client, coordinator, points, humppila, extra_points,
                                                              django_capture_on_commit_callbacks,
                                                              django_assert_max_num_queries):
    lines = [POINTS_CSV.rstrip("\r\n;")]
    for number in range(extra_points):
        ServicePointFactory(library=humppila, name=f"Lainauspiste {number}")
        lines.append(f";Lainauspiste {number};1;2;3;4;5")
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="service_points", data="\r\n".join(lines).encode(),
                                             file_name="k.csv", by=coordinator)
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("stats:import_draft", args=[2024, draft.pk]))
    assert f"{3 + extra_points} riviä" in page.content.decode()


def test_a_national_export_by_month_adds_up_to_the_year(coordinator, points):
    """A row per service point and month (the national library-system export): the flows are
    kept per month and add up to the year; the collection belongs on the year's row."""
    from stats.selectors import point_rows
    from stats.models import StatisticsYear

    export = ("Tunniste;Kuukausi;Poistot;Hankinnat;Lainaus;Kokoelma\r\n"
              "LOUNA-103-1;2024-01;10;20;5 000;\r\n"
              "LOUNA-103-1;2;11;21;4 800;\r\n"
              "LOUNA-103-1;;;;;31 200\r\n")
    record = services.import_save(year=2024, kind="service_points", data=export.encode(), file_name="k.csv",
                                  by=coordinator)
    assert dict(Figure.objects.filter(source_import=record, metric__code="loans").values_list("month", "value")) == {
        1: 5000, 2: 4800}
    row = next(row for row in point_rows(statistics_year=StatisticsYear.objects.get(year=2024),
                                         municipality_ids=[points["humppila"].library.municipality_id])
               if row["service_point"] == points["humppila"])
    assert row["figures"]["loans"] == 9800 and row["figures"]["collection"] == 31200

    bad = ("Tunniste;Kuukausi;Lainaus;Kokoelma\r\n"
           "LOUNA-103-1;13;1;\r\n"  # no month 13
           "LOUNA-103-1;2023-05;1;\r\n"  # another year
           "LOUNA-103-1;3;1;500\r\n"  # the collection on a month's row
           "LOUNA-103-1;4;1;\r\n"
           "LOUNA-103-1;4;2;\r\n")  # the same month twice
    parsed = services.import_prepare(year=2024, kind="service_points", data=bad.encode())
    assert [error.row for error in parsed.errors] == [2, 3, 4, 6]
    assert "whole year" in parsed.errors[2].message and "already on row 5" in parsed.errors[3].message


def test_a_file_by_month_does_not_give_a_points_figure_both_for_the_year_and_by_month(coordinator, points):
    """Loans on the point's row without a month beside its months' loans: the pages would add
    the year's 1 000 to the months' 190. Refused on the year's row, naming the column; a
    point whose loans come for the year only, and the collection on the year's row, pass."""
    from django.utils import translation

    mixed = ("Tunniste;Kuukausi;Lainaus;Kokoelma\r\n"
             "LOUNA-103-1;;1 000;5 000\r\n"
             "LOUNA-103-1;1;100;\r\n"
             "LOUNA-103-1;2;90;\r\n"
             "Q-834;;700;4 000\r\n")  # Tammela: the year's loans only
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind="service_points", data=mixed.encode())
    assert [(error.row, error.column) for error in parsed.errors] == [(2, "Loans")]
    assert "by month or for the whole year, not both" in parsed.errors[0].message
    with pytest.raises(ValidationError):
        services.import_save(year=2024, kind="service_points", data=mixed.encode(), file_name="k.csv",
                             by=coordinator)
    assert not Figure.objects.exists()
    fixed = mixed.replace("LOUNA-103-1;;1 000;5 000", "LOUNA-103-1;;;5 000")
    services.import_save(year=2024, kind="service_points", data=fixed.encode(), file_name="k.csv", by=coordinator)
    assert sorted(Figure.objects.filter(metric__code="loans").values_list("service_point__name", "month", "value")) == [
        (points["humppila"].name, 1, 100), (points["humppila"].name, 2, 90), (points["tammela"].name, 0, 700)]


def test_with_the_broker_down_the_check_waits_and_runs_once_it_is_back(coordinator, points,
                                                                       django_capture_on_commit_callbacks):
    from consortium.jobs import job_runs_hand_over
    from stats.tests.conftest import broker_unreachable

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                             file_name="k.csv", by=coordinator)
    draft.refresh_from_db()
    run = draft.job_run
    assert draft.state == DraftState.CHECKING
    assert run.state == JobRun.State.QUEUED and run.handed_over_at is None  # waiting, not lost
    # The broker is back: the minute's hand-over sweep sends it (eager here: it runs at once).
    assert job_runs_hand_over() == 1
    draft.refresh_from_db()
    assert draft.state == DraftState.READY and draft.result["row_count"] == 3
