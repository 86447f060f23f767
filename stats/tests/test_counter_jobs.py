"""A large COUNTER report goes the way of the other large files (stats/import_jobs.py): a
background job checks it, with progress, the draft's page then shows the same preview as the
upload page shows for a small report (every refusal by file and row, the totals, what it
replaces), and the confirm queues the save. Delivered twice, the save imports once."""

import json

import pytest
from django.urls import reverse

from consortium.models import JobRun, Role
from consortium.tests.factories import user_with_role
from stats import counter, import_jobs, services, tasks
from stats.models import CounterUsage, DraftState, PendingImport, StatisticsYear, StatsImport

from .conftest import import_job_delivered_twice
from .test_counter import R5_COLUMNS, R5_ROWS
from .test_counter_replacing import in_force, report, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_job_limit(settings, db):
    # Any file over two lines goes to the job, so the tests need no thousands of titles.
    settings.STATS_IMPORT_JOB_ROWS = 2
    services.statistics_year_open(year=2024)


@pytest.fixture
def finnish_client(client, coordinator):
    client.force_login(coordinator)
    client.cookies["django_language"] = "fi"
    return client


def _draft_page(client, response) -> str:
    draft = PendingImport.objects.get()
    assert response["Location"] == reverse("stats:import_draft", args=[2024, draft.pk])
    return client.get(response["Location"]).content.decode().replace("\u00a0", " ")


def test_a_large_report_with_a_bad_row_names_the_file_and_row_and_cannot_be_confirmed(
        finnish_client, django_capture_on_commit_callbacks):
    bad = report(1, 3, [11, 20, 35]).replace(b"\t20\t", b"\tkaksikymment\xc3\xa4\t")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(finnish_client, bad, "huono.tsv")
    page = _draft_page(finnish_client, response)
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.REFUSED and draft.job_run.state == JobRun.State.DONE
    assert "Tiedostoa huono.tsv ei tuotu: 1 virhe" in page
    assert "huono.tsv, rivi 15: Sarake Feb-2024: ”kaksikymmentä” ei ole kokonaisluku." in page
    assert "Vahvista tuonti" not in page and "data-import-status" not in page
    finnish_client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]), {"sha256": draft.sha256})
    assert not StatsImport.objects.exists() and not CounterUsage.objects.exists()


def test_a_large_clean_report_shows_its_totals_and_what_it_replaces_then_confirm_saves_it(
        finnish_client, coordinator, django_capture_on_commit_callbacks):
    services.counter_import_save(data=report(1, 4, [10, 20, 30, 40]), file_name="jan-apr.tsv", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(finnish_client, report(3, 6, [33, 44, 50, 60]), "mar-jun.tsv")
    page = _draft_page(finnish_client, response)
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.READY and draft.job_run.task_name == tasks.CHECK_IMPORT_TASK
    assert "Esikatselu: mar-jun.tsv, COUNTER 5 TR_J1" in page
    assert '<th scope="row">Total_Item_Requests</th><td class="text-end">187</td>' in page  # 33+44+50+60
    assert "Vahvistaminen korvaa näiden kuukausien voimassa olevat luvut: 2024-03, 2024-04" in page
    assert '<th scope="row" class="text-start">Total_Item_Requests</th><td>70</td><td>77</td>' in page
    assert in_force() == {1: 10, 2: 20, 3: 30, 4: 40}  # the check saved nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = finnish_client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]),
                                       {"sha256": draft.sha256})
    draft.refresh_from_db()
    assert draft.state == DraftState.SAVED and draft.job_run.task_name == tasks.SAVE_IMPORT_TASK
    assert in_force() == {1: 10, 2: 20, 3: 33, 4: 44, 5: 50, 6: 60}
    record = StatsImport.objects.get(file_name="mar-jun.tsv")
    assert (record.kind, record.imported_by, record.replaced) == (StatsImport.Kind.COUNTER, coordinator, 4)
    year = finnish_client.get(response["Location"], follow=True)
    assert year.redirect_chain[-1][0] == reverse("stats:year_detail", args=[2024]) + "#imports"
    listed = year.content.decode()
    assert "mar-jun.tsv tuotu: 2 riviä, 4 kuukausilukua korvattu." in listed and "<td>mar-jun.tsv</td>" in listed


def test_the_check_reports_its_progress_while_reading_rows(coordinator, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    monkeypatch.setattr(counter, "PROGRESS_EVERY", 2)
    heard = []
    from consortium import jobs

    original = jobs.JobProgress.advance

    def advance(self, done, message=None):
        heard.append((done, self.run.progress_total))
        original(self, done, message)

    monkeypatch.setattr(jobs.JobProgress, "advance", advance)
    rows = [row for month in range(6) for row in R5_ROWS]  # 12 data rows
    rows = [[f"Lehti {number}", *row[1:]] for number, row in enumerate(rows)]
    data = report(1, 3, [10, 20, 30]).split(b"\r\nKirjastolehti")[0] + b"\r\n" + b"\r\n".join(
        "\t".join(row).encode() for row in rows)
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="counter", data=data, file_name="iso.tsv",
                                             by=coordinator)
    draft.refresh_from_db()
    assert draft.state == DraftState.READY and draft.result["summary"]["rows"] == 12
    assert heard[:3] == [(1, 12), (3, 12), (5, 12)]  # every second row, out of the table's 12
    assert (draft.job_run.progress_done, draft.job_run.progress_total) == (12, 12)


def test_the_save_task_delivered_twice_imports_once(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="counter", data=report(1, 3, [10, 20, 30]),
                                             file_name="q1.tsv", by=coordinator)
    first = import_job_delivered_twice(draft, by=coordinator, capture=django_capture_on_commit_callbacks)
    assert CounterUsage.objects.filter(source_import=first).count() == 6  # 2 metric types x 3 months
    assert in_force() == {1: 10, 2: 20, 3: 30}


def test_another_persons_draft_is_not_found(client, coordinator):
    draft = import_jobs.import_job_start(year=2024, kind="counter", data=report(1, 3, [10, 20, 30]),
                                         file_name="q1.tsv", by=coordinator)
    client.force_login(user_with_role(Role.COORDINATOR, full_name="Toinen Koordinaattori"))
    for name in ("import_draft", "import_draft_status"):
        assert client.get(reverse(f"stats:{name}", args=[2024, draft.pk])).status_code == 404
    assert client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]),
                       {"sha256": draft.sha256}).status_code == 404
    assert not StatsImport.objects.exists()


def test_the_same_file_again_is_refused_by_its_hash(finnish_client, coordinator,
                                                    django_capture_on_commit_callbacks):
    data = report(1, 3, [10, 20, 30])
    services.counter_import_save(data=data, file_name="q1.tsv", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(finnish_client, data, "q1 (kopio).tsv")
    page = _draft_page(finnish_client, response)
    assert PendingImport.objects.get().state == DraftState.REFUSED
    assert "q1 (kopio).tsv: Tämä tiedosto tuotiin jo" in page and "(q1.tsv)" in page
    assert StatsImport.objects.count() == 1


def test_the_same_file_imported_between_the_check_and_the_save_is_refused_by_the_save(
        coordinator, django_capture_on_commit_callbacks):
    data = report(1, 3, [10, 20, 30])
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="counter", data=data, file_name="q1.tsv",
                                             by=coordinator)
    services.counter_import_save(data=data, file_name="sama.tsv", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        import_jobs.import_job_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)
    draft.refresh_from_db()
    # In the uploader's language (Finnish), naming the file, as the check's refusals do.
    assert draft.state == DraftState.REFUSED and draft.result["errors"] == ["q1.tsv: Tämä tiedosto on jo tuotu."]
    assert StatsImport.objects.count() == 1


def test_a_report_in_a_year_locked_since_the_check_is_refused_by_the_save(coordinator,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = import_jobs.import_job_start(year=2024, kind="counter", data=report(1, 3, [10, 20, 30]),
                                             file_name="q1.tsv", by=coordinator)
    StatisticsYear.objects.filter(year=2024).update(state=StatisticsYear.State.REPORTED)
    with django_capture_on_commit_callbacks(execute=True):
        import_jobs.import_job_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)
    draft.refresh_from_db()
    assert draft.state == DraftState.REFUSED
    assert draft.result["errors"] == ["q1.tsv: Vuoden 2024 tilastot on raportoitu ja lukittu."]
    assert not StatsImport.objects.exists()


def test_a_table_without_its_header_block_goes_through_the_job_with_the_report_and_release_stated(
        finnish_client, django_capture_on_commit_callbacks):
    rows = [R5_ROWS[0], R5_ROWS[1], [f"Toinen {R5_ROWS[0][0]}", *R5_ROWS[0][1:]]]
    bare = ("\t".join(R5_COLUMNS) + "\n" + "\n".join("\t".join(row) for row in rows) + "\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(finnish_client, bare, "ilman-otsaketta.tsv", report_id="TR_J1", release="5")
    page = _draft_page(finnish_client, response)
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.READY and draft.result["report_id"] == "TR_J1"
    assert "Esikatselu: ilman-otsaketta.tsv, COUNTER 5 TR_J1" in page
    assert '<th scope="row">Total_Item_Requests</th><td class="text-end">120</td>' in page
    with django_capture_on_commit_callbacks(execute=True):
        finnish_client.post(reverse("stats:import_draft_confirm", args=[2024, draft.pk]), {"sha256": draft.sha256})
    record = StatsImport.objects.get()
    assert (record.counter_scope["report_id"], record.encoding, record.rows) == ("TR_J1", "5", 3)
    assert set(CounterUsage.objects.values_list("report_id", "release")) == {("TR_J1", "5")}


def test_a_json_report_on_one_line_is_counted_by_its_items(settings):
    items = [{"Platform": "DemoPlatform", "Title": f"Lehti {n}", "Attribute_Performance": []} for n in range(3)]
    data = json.dumps({"Report_Header": {}, "Report_Items": items}).encode()
    assert b"\n" not in data and import_jobs.needs_job(data, kind="counter")
    settings.STATS_IMPORT_JOB_ROWS = 3
    assert not import_jobs.needs_job(data, kind="counter")


def test_a_small_report_is_still_checked_in_the_request(finnish_client, settings):
    settings.STATS_IMPORT_JOB_ROWS = 2000
    page = upload(finnish_client, report(1, 3, [10, 20, 30]), "q1.tsv")
    assert page.status_code == 200 and "Esikatselu: q1.tsv, COUNTER 5 TR_J1" in page.content.decode()
    assert PendingImport.objects.get().job_run is None and not JobRun.objects.exists()
