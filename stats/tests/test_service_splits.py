"""The e-material services' own figures (vendor loans, titles, acquisitions in euros and
items) as shared figures: the annual job splits each year total among the municipalities by
the key chosen for the figure it feeds, the parts add up exactly, the key and its inputs are
kept in the report version and shown beside the figure, a key changed makes the next
version differ, and a key whose input is missing stops the job naming the municipalities."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from consortium import registry
from consortium.models import JobRun
from stats import annual_selectors, services, tasks
from stats.allocation import largest_remainder, split_money
from stats.models import AnnualReport, SplitMethod, StatisticsYear, StatsImport
from stats.tests.conftest import POINTS_CSV
from stats.tests.factories import EMaterialServiceFactory

# Only the figure sources a test registers (stats/tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

# Ellibs reports its loans per month, BookBeat the year's; Ellibs also its titles and acquisitions.
VENDOR_CSV = ("Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl\r\n"
              "Ellibs;1;1 204;;;\r\n"
              "Ellibs;2;1 150;;;\r\n"
              "BookBeat;;5 230;;;\r\n"
              "Ellibs;;;5 300;12 400,51;310\r\n")
LOANS, TITLES, ITEMS, EUROS = ("ematerial_shared_loans", "ematerial_count", "ematerial_acquisitions",
                               "ematerial_acquisitions_eur")


@pytest.fixture
def vendors(points, coordinator):
    EMaterialServiceFactory(code="ellibs", name="Ellibs")
    EMaterialServiceFactory(code="bookbeat", name="BookBeat")
    services.import_save(year=2024, kind=StatsImport.Kind.EMATERIAL, data=VENDOR_CSV.encode(),
                         file_name="toimittajat.csv", by=coordinator)
    return points


def _run(coordinator=None, *, refused: bool = False) -> JobRun:
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK, created_by=coordinator, task_kwargs={"year": 2024})
    if refused:  # the eager task raises what the worker would record on the run
        with pytest.raises(ValidationError):
            tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk})
    else:
        tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()
    run.refresh_from_db()
    return run


def _newest(municipality_id) -> AnnualReport:
    return AnnualReport.objects.filter(municipality_id=municipality_id).order_by("-version").first()


def test_the_annual_job_splits_the_vendors_figures_and_the_parts_add_up(vendors, coordinator, humppila, tammela):
    run = _run(coordinator)
    assert run.state == JobRun.State.DONE, run.message
    h, t = humppila.municipality_id, tammela.municipality_id
    reports = {h: _newest(h), t: _newest(t)}
    population = {h: 2174, t: 6016}  # the population of 2020, the latest there is
    for code, total in ((LOANS, 1204 + 1150 + 5230), (TITLES, 5300), (ITEMS, 310)):
        parts = {pk: report.figures[code] for pk, report in reports.items()}
        assert parts == largest_remainder(total, population) and sum(parts.values()) == total
    # Euros in whole cents, adding up to the cent; kept as text with cents.
    euros = {pk: report.figures[EUROS] for pk, report in reports.items()}
    assert {pk: Decimal(value) for pk, value in euros.items()} == split_money(Decimal("12400.51"), population)
    assert sum(Decimal(value) for value in euros.values()) == Decimal("12400.51")
    # The key and its inputs beside the split, and the services the total is made of.
    split = reports[h].details["splits"][LOANS]
    assert (split["key"], split["population_year"], split["weight"], split["weights_total"], split["total"]) == (
        SplitMethod.POPULATION, 2020, 2174, 8190, 7584)
    assert split["inputs"] == {str(h): 2174, str(t): 6016}
    assert split["services"] == [["BookBeat", 5230], ["Ellibs", 2354]]
    assert reports[h].details["splits"][EUROS]["total"] == "12400.51"
    # The loans metric is in the report with the OKM variable it feeds.
    entry = next(entry for entry in reports[h].details["metrics"] if entry["code"] == LOANS)
    assert (entry["name_fi"], entry["okm_variable"]) == ("Yhteiset e-aineistot: lainat", "E-aineistojen lainaus")


def test_changing_the_key_changes_the_next_version_and_the_report_shows_the_difference(
        client, vendors, coordinator, director, humppila, tammela):
    _run(coordinator)
    h = humppila.municipality_id
    first = _newest(h).figures[LOANS]
    services.allocation_key_save(year=2024, metric=LOANS, method=SplitMethod.EQUAL, by=coordinator)
    _run(coordinator)
    second = _newest(h)
    assert second.version == 2 and second.figures[LOANS] == 3792  # 7584 equally between two
    assert second.changes == [{"code": LOANS, "old": first, "new": 3792}]  # only the loans' key changed
    split = second.details["splits"][LOANS]
    assert (split["key"], split["inputs"], split["population_year"]) == (
        SplitMethod.EQUAL, {str(h): 1, str(tammela.municipality_id): 1}, None)
    # Version 1 keeps the split it was made by.
    assert AnnualReport.objects.get(municipality_id=h, version=1).details["splits"][LOANS]["key"] == "population"
    client.force_login(director)
    page = client.get(reverse("stats:annual_municipality", args=[2024, h])).content.decode()
    assert "Muutokset versiosta 1" in page
    assert f"Yhteiset e-aineistot: lainat: {first:,} → 3,792".replace(",", "\xa0") in page


def test_the_report_page_shows_the_key_and_its_inputs_beside_the_figure(client, vendors, coordinator, director,
                                                                        humppila):
    _run(coordinator)
    client.force_login(director)
    response = client.get(reverse("stats:annual_municipality", args=[2024, humppila.municipality_id]))
    row = next(row for row in response.context["comparison"] if row["code"] == LOANS)
    assert row["value"] == _newest(humppila.municipality_id).figures[LOANS]
    page = response.content.decode()
    cell = page[page.index("Yhteiset e-aineistot: lainat"):]
    cell = cell[:cell.index("</tr>")]
    # Split of 7 584 by population (2020): Humppila's 2 174 of 8 190; made of each service's total.
    assert "7\xa0584" in cell and "asukaslukujen suhteessa" in cell and "asukasluku 2020" in cell
    assert "2\xa0174 / 8\xa0190" in cell and "BookBeat 5\xa0230" in cell and "Ellibs 2\xa0354" in cell
    # The Excel's allocation keys sheet: the same key, weights and services.
    workbook = load_workbook(io.BytesIO(client.get(reverse(
        "stats:annual_municipality_xlsx", args=[2024, humppila.municipality_id])).content))
    rows = {row[0]: row for row in workbook["Jakoperusteet"].iter_rows(min_row=2, values_only=True)}
    assert rows["Yhteiset e-aineistot: lainat"][1:] == (7584, "asukaslukujen suhteessa", 2020, 2174, 8190,
                                                        "BookBeat 5230; Ellibs 2354")
    assert rows["Yhteiset e-aineistot: hankinnat euroina"][1] == 12400.51  # a number in Excel, not text


def test_a_missing_key_input_stops_the_job_naming_the_municipalities(client, vendors, coordinator, humppila,
                                                                    tammela):
    # Loans as the key, but only Humppila's service points have loans yet.
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"LOUNA-103-1;1;1;1;58400;1\n", file_name="humppila.csv", by=coordinator)
    services.allocation_key_save(year=2024, metric=LOANS, method=SplitMethod.LOANS, by=coordinator)
    run = _run(coordinator, refused=True)
    assert run.state == JobRun.State.FAILED
    assert "Tammela" in run.message and "Humppila" not in run.message and "loans" in run.message
    assert not AnnualReport.objects.exists()  # nothing made, not even the other figures' versions
    assert StatisticsYear.objects.get(year=2024).state != StatisticsYear.State.COMPUTED
    # The overview says so before anyone starts the job.
    client.force_login(coordinator)
    response = client.get(reverse("stats:annual_overview", args=[2024]))
    assert not response.context["inputs"].complete
    assert "Tammela" in response.context["inputs"].split_errors[0]
    # Tammela's loans arrive: the job runs and splits by both municipalities' loans.
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    assert _run(coordinator).state == JobRun.State.DONE
    loans = {humppila.municipality_id: 58400, tammela.municipality_id: 91250 + 20100}
    assert {pk: _newest(pk).figures[LOANS] for pk in loans} == largest_remainder(7584, loans)


def test_a_figure_source_of_the_same_metric_wins_over_the_vendors_euros(vendors, coordinator, humppila, tammela,
                                                                       monkeypatch):
    monkeypatch.setattr(registry, "_figure_sources", {"orders": lambda *, year: [
        registry.Figure(municipality_code=code, metric=EUROS, value=Decimal("100.00"), source="tilaukset")
        for code in ("103", "834")]})
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    details = inputs.details[humppila.municipality_id]
    assert inputs.figures[humppila.municipality_id][EUROS] == "100.00" and EUROS not in details["splits"]
    assert details["from_sources"][EUROS] == "tilaukset"
    assert LOANS in details["splits"]  # the other figures are split as before


def test_the_services_split_wins_over_a_shared_files_figure_of_the_same_metric(vendors, coordinator, humppila,
                                                                               tammela):
    services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=b"Tieto;Yhteensa\nematerial_count;999\n",
                         file_name="yhteiset.csv", by=coordinator)
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    ids = (humppila.municipality_id, tammela.municipality_id)
    assert sum(inputs.figures[pk][TITLES] for pk in ids) == 5300  # Ellibs' titles, not the file's 999
    assert inputs.details[ids[0]]["splits"][TITLES]["services"] == [["Ellibs", 5300]]


def test_the_keys_page_offers_the_vendor_figures(client, vendors, coordinator, humppila, tammela):
    client.force_login(coordinator)
    page = client.get(reverse("stats:allocation_keys", args=[2024])).content.decode()
    assert "Yhteiset e-aineistot: lainat" in page and "Yhteiset e-aineistot: hankinnat euroina" in page
    response = client.post(reverse("stats:allocation_key_edit", args=[2024, EUROS]), {"method": SplitMethod.EQUAL})
    assert response.status_code == 302
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    parts = {pk: Decimal(inputs.figures[pk][EUROS]) for pk in (humppila.municipality_id, tammela.municipality_id)}
    assert parts == split_money(Decimal("12400.51"), {pk: 1 for pk in parts})  # halves, the odd cent by the rule
    assert sorted(parts.values()) == [Decimal("6200.25"), Decimal("6200.26")]
