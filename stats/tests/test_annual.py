"""The annual job as versioned reports: each run a new version per municipality with what
changed, idempotent per job run, figure sources consumed, completeness named, directors
told through the outbox once per version, and a delivered report never changed."""

import codecs
import csv
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.utils import DatabaseError
from openpyxl import load_workbook

from consortium import registry
from consortium.models import JobRun, OutboxMessage
from stats import annual_selectors, annual_services, services, tasks
from stats.models import AnnualReport, StatisticsYear, StatsImport
from stats.tests.conftest import POINTS_CSV
from testsupport import deliver_outbox

pytestmark = pytest.mark.django_db

SHARED = b"Tieto;Yhteensa\nfinna_visits;10001\nematerial_uses;8190\n"
FIX = (b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
       b"LOUNA-103-1;1204;1530;31200;60000;1310\n")


@pytest.fixture
def imported(points, coordinator):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=codecs.BOM_UTF8 + POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=SHARED, file_name="yhteiset.csv",
                         by=coordinator)
    return points


def _run(coordinator=None) -> JobRun:
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK, created_by=coordinator, task_kwargs={"year": 2024})
    tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()
    return run


def _newest(code: str) -> AnnualReport:
    return AnnualReport.objects.filter(municipality__code=code).order_by("-version").first()


def test_the_job_stores_each_municipalitys_figures_as_a_version(imported, no_sources, coordinator):
    run = _run(coordinator)
    humppila, tammela = _newest("103"), _newest("834")
    assert (humppila.version, tammela.version) == (1, 1)
    assert humppila.job_run_id == run.pk and humppila.created_by == coordinator and humppila.changes == []
    # Service points add up to the municipality: Tammela's main library and bookmobile.
    assert tammela.figures["loans"] == 91250 + 20100
    points = tammela.details["service_points"]
    assert sum(point["figures"]["loans"] for point in points.values()) == tammela.figures["loans"]
    # Shared figures are each municipality's part by the allocation key; the parts add up.
    assert humppila.figures["finna_visits"] + tammela.figures["finna_visits"] == 10001
    split = humppila.details["splits"]["finna_visits"]
    assert (split["key"], split["weight"], split["weights_total"], split["total"]) == ("population", 2174, 8190,
                                                                                       10001)
    # A metric with no figure is missing, not zero.
    assert "lounakirjailijat_visits" not in humppila.figures
    assert "lounakirjailijat_visits" in humppila.details["missing_metrics"]
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE


def test_running_twice_gives_two_versions_and_their_difference(imported, no_sources, coordinator):
    _run()
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=FIX, file_name="korjaus.csv",
                         by=coordinator)
    _run()
    assert AnnualReport.objects.filter(municipality__code="103").count() == 2
    second = _newest("103")
    assert second.version == 2 and second.details["previous_version"] == 1
    assert second.changes == [{"code": "loans", "old": 58400, "new": 60000}]
    # Tammela's figures did not change: a version with no changes.
    assert _newest("834").version == 2 and _newest("834").changes == []


def test_a_redelivered_task_for_the_same_run_makes_no_third_version(imported, no_sources):
    _run()
    second = _run()
    finished_at = JobRun.objects.get(pk=second.pk).finished_at
    # consortium.jobs ignores a delivery for a run that is done already (the worker died
    # before acknowledging it); the task's own guard is the second line of defence.
    tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": second.pk}).get()
    assert JobRun.objects.get(pk=second.pk).finished_at == finished_at
    assert sorted(AnnualReport.objects.values_list("version", flat=True)) == [1, 1, 2, 2]
    # A run that is not done (the sweeper failed it after its work had committed) runs again:
    # the task's own guard finds the versions it made.
    JobRun.objects.filter(pk=second.pk).update(state=JobRun.State.FAILED)
    result = tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": second.pk}).get()
    assert result["already_done"] is True and JobRun.objects.get(pk=second.pk).state == JobRun.State.DONE
    assert AnnualReport.objects.count() == 4
    # The service on its own is idempotent per run too.
    annual_services.annual_reports_create(year=2024, job_run_id=second.pk)
    assert AnnualReport.objects.count() == 4


def test_figure_sources_enter_the_report_and_a_failing_source_is_named(imported, no_sources, humppila, tammela):
    no_sources.register_figure_source("orders", lambda *, year: [
        registry.Figure(municipality_code="103", metric="ematerial_acquisitions_eur", value=Decimal("120.05"),
                        source="tilaukset"),
        registry.Figure(municipality_code="834", metric="ematerial_acquisitions_eur", value=Decimal("0"),
                        source="tilaukset")])

    def broken(*, year):
        raise RuntimeError("the vendor's service did not answer")

    no_sources.register_figure_source("broken", broken)
    _run()
    humppila_report = _newest("103")
    assert humppila_report.figures["ematerial_acquisitions_eur"] == "120.05"
    assert _newest("834").figures["ematerial_acquisitions_eur"] == 0  # a zero is a figure
    assert humppila_report.details["from_sources"] == {"ematerial_acquisitions_eur": "tilaukset"}
    sources = {source["key"]: source for source in humppila_report.details["sources"]}
    assert sources["orders"] == {"key": "orders", "figures": 2, "error": ""}
    assert "did not answer" in sources["broken"]["error"]
    codes = [entry["code"] for entry in humppila_report.details["metrics"]]
    assert "ematerial_acquisitions_eur" in codes and codes[0] == "removals"


def test_completeness_names_the_service_points_without_figures(points, no_sources, coordinator):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nQ-834;1;1;1;1;1\n",
                         file_name="osa.csv", by=coordinator)
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    assert not inputs.complete and inputs.missing_points == 2
    missing = {m.code: [p["name"] for p in inputs.details[m.pk]["missing_points"]] for m in inputs.municipalities}
    assert missing == {"103": ["Humppilan pääkirjasto"], "834": ["Tammelan kirjastoauto"]}


def test_directors_are_told_once_per_version(imported, no_sources, director, other_director):
    _run()
    messages = OutboxMessage.objects.filter(kind="stats.annual_report")
    assert sorted(messages.values_list("to", flat=True)) == sorted([director.email, other_director.email])
    run = JobRun.objects.latest("pk")
    tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()  # redelivered: nothing more
    assert messages.count() == 2
    _run()
    assert messages.count() == 4  # a new version is news again
    assert deliver_outbox() == 4
    humppila_mail = [m for m in mail.outbox if m.to == [director.email]][-1]
    assert "Humppila" in humppila_mail.subject and "2" in humppila_mail.subject
    assert f"/stats/2024/municipalities/{director.role_assignments.get().library.municipality_id}/report/" \
        in humppila_mail.body


def test_a_delivered_report_is_never_changed(imported, no_sources, coordinator):
    _run()
    _run()
    first, newest = (AnnualReport.objects.filter(municipality__code="103").get(version=1), _newest("103"))
    with pytest.raises(Exception, match="newest version"):
        annual_services.annual_report_deliver(report=first, by=coordinator)
    annual_services.annual_report_deliver(report=newest, by=coordinator)
    newest.refresh_from_db()
    assert newest.delivered and newest.delivered_at and newest.delivered_by == coordinator
    with pytest.raises(Exception, match="delivered on"):
        annual_services.annual_report_deliver(report=newest, by=coordinator)
    with pytest.raises(ValueError):
        newest.save()
    with pytest.raises(ValueError):
        newest.delete()
    # The job makes no newer version for the delivered municipality; the others go on.
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=FIX, file_name="korjaus.csv",
                         by=coordinator)
    result = annual_services.annual_reports_create(year=2024)
    assert result["delivered_skipped"] == [newest.municipality_id]
    assert _newest("103").pk == newest.pk and _newest("103").figures["loans"] == 58400
    assert _newest("834").version == 3


def test_marking_the_year_reported_delivers_every_newest_version(imported, no_sources, coordinator):
    _run()
    services.year_mark_reported(year=2024, by=coordinator)
    assert set(AnnualReport.objects.values_list("delivered", flat=True)) == {True}
    with pytest.raises(Exception, match="locked"):
        annual_services.annual_reports_create(year=2024)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_a_version(imported, no_sources, coordinator):
    _run()
    report = _newest("103")
    for statement in ("UPDATE stats_annualreport SET figures = '{}' WHERE id = %s",
                      "DELETE FROM stats_annualreport WHERE id = %s"):
        with pytest.raises(DatabaseError, match="never change|kept"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement, [report.pk])
    annual_services.annual_report_deliver(report=report, by=coordinator)  # the one change let through
    with pytest.raises(DatabaseError, match="delivered"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE stats_annualreport SET delivered = false, delivered_at = NULL WHERE id = %s",
                       [report.pk])
    # A person erased (GDPR) leaves the delivered version as it was, without their name.
    coordinator.delete()
    report.refresh_from_db()
    assert report.delivered and report.delivered_by is None and report.figures["loans"] == 58400


def test_the_report_files_hold_the_versions_figures(client, imported, no_sources, director, humppila):
    _run()
    client.force_login(director)
    base = f"/stats/2024/municipalities/{humppila.municipality_id}/report"
    workbook = load_workbook(io.BytesIO(client.get(base + ".xlsx").content))
    okm = workbook.worksheets[0]
    rows = {row[1]: row for row in okm.iter_rows(min_row=5, values_only=True)}
    assert rows["Lainaus (ml. uusinnat)"][3] == 58400 and rows["Lainaus (ml. uusinnat)"][4] is None
    assert rows["Lainaus (ml. uusinnat)"][0] == "Kokonaislainaus"
    response = client.get(base + ".csv")
    assert response["Content-Disposition"].endswith('okm-103-2024-v1.csv"')
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    loans = next(line for line in lines if line[6] == "loans")
    assert loans[8] == "58400" and loans[3] == "1"
    assert next(line for line in lines if line[6] == "lounakirjailijat_visits")[8] == ""  # no figure: empty
