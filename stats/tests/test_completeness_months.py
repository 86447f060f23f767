"""The year's completeness by month: a service point, web site, vendor or COUNTER platform
that reports by month and lacks some months is named with them ("months 4–6 missing"), on
the coordinator's overview and in the annual job's run message; a source with year figures
only is complete. The overview still takes the same number of queries however many points
lack months (the months come in the queries it already makes)."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from consortium.models import JobRun
from consortium.tests.factories import ServicePointFactory
from stats import annual_selectors, services, tasks
from stats.annual_selectors import month_ranges
from stats.models import AnnualReport, CounterMonthUses, Metric, Service, StatisticsYear, StatsImport
from stats.tests.factories import CounterPlatformFactory, EMaterialServiceFactory

from .test_counter_month_uses import report
from .test_servicefigures import matomo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

YEAR_ONLY = (b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
             b"Q-834;2010;2400;45100;91250;700\n")


def _by_month(point_months: dict[str, range]) -> bytes:
    """A monthly national export: loans per point and month, the year's collection on the
    point's row without a month."""
    lines = ["Tunniste;Kuukausi;Lainaus;Kokoelma"]
    for point_id, months in point_months.items():
        lines += [f"{point_id};2024-{month:02d};{100 + month};" for month in months]
        lines.append(f"{point_id};;;5000")
    return "\n".join(lines).encode()


def _save(by, data, kind=StatsImport.Kind.SERVICE_POINTS, name="kuukaudet.csv", **kwargs):
    return services.import_save(year=2024, kind=kind, data=data, file_name=name, by=by, **kwargs)


def _inputs(**kwargs):
    return annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024), **kwargs)


def test_months_are_named_compactly():
    assert month_ranges([4, 5, 6, 9]) == "4\u20136, 9"
    assert month_ranges([12]) == "12" and month_ranges([1, 3, 5]) == "1, 3, 5"
    assert month_ranges([7, 1, 2, 8]) == "1\u20132, 7\u20138" and month_ranges([]) == ""


def test_a_point_with_some_months_is_named_with_the_months_it_lacks(points, coordinator, humppila, tammela):
    # Humppila's main library: January to March and July to December (a quarter lost in the
    # export); Tammela's bookmobile every month; Tammela's main library the year's figures.
    _save(coordinator, _by_month({"LOUNA-103-1": [1, 2, 3, *range(7, 13)]}))
    bus_lines = ["Tunniste;Palvelupiste;Kuukausi;Lainaus"] + [
        f";Tammelan kirjastoauto;{month};50" for month in range(1, 13)]
    _save(coordinator, "\n".join(bus_lines).encode(), name="auto.csv")
    _save(coordinator, YEAR_ONLY, name="vuosi.csv")
    inputs = _inputs()
    humppila_details = inputs.details[humppila.municipality_id]
    assert humppila_details["missing_points"] == []  # it has figures: not missing as a whole
    assert humppila_details["partial_points"] == [
        {"id": points["humppila"].pk, "name": "Humppilan pääkirjasto", "missing_months": [4, 5, 6]}]
    # The main library with year figures only, and the bookmobile with all twelve: complete.
    assert inputs.details[tammela.municipality_id]["partial_points"] == []
    assert inputs.partial_points == 1 and not inputs.complete
    with translation.override("en"):
        assert inputs.months_missing() == ["Humppilan pääkirjasto: months 4\u20136 missing."]

    # The quarter imported: the point is complete.
    _save(coordinator, _by_month({"LOUNA-103-1": [4, 5, 6]}), name="q2.csv")
    assert _inputs().partial_points == 0


def test_a_point_with_year_figures_only_is_complete_and_one_opened_in_june_owes_june_on(
        points, coordinator, humppila):
    _save(coordinator, b"Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                       b"LOUNA-103-1;;1;1;1;1;1\nQ-834;;1;1;1;1;1\n;Tammelan kirjastoauto;1;1;1;1;1\n",
          name="vuosi.csv")
    inputs = _inputs()
    assert inputs.partial_points == 0 and inputs.missing_points == 0 and inputs.months_missing() == []

    # A branch opened on 10 June reports June to December: complete. Its months before it
    # opened are not owed; a month it was open and did not report is.
    branch = ServicePointFactory(library=humppila, name="Humppilan sivukirjasto", opened_on=date(2024, 6, 10))
    lines = ["Tunniste;Palvelupiste;Kuukausi;Lainaus"] + [f";Humppilan sivukirjasto;{m};10" for m in range(6, 13)]
    _save(coordinator, "\n".join(lines).encode(), name="sivu.csv")
    assert _inputs().partial_points == 0
    branch.opened_on = date(2024, 5, 31)
    branch.save()
    assert _inputs().details[humppila.municipality_id]["partial_points"] == [
        {"id": branch.pk, "name": "Humppilan sivukirjasto", "missing_months": [5]}]


@pytest.fixture
def finna(points):
    services.statistics_year_open(year=2024)
    return Service.objects.create(code="finna", name="Finna", kind=Service.Kind.WEB, matomo_site="3",
                                  feeds=Metric.objects.get(code="finna_visits"))


def test_a_web_site_missing_december_is_named_until_december_comes(finna, coordinator):
    months = "".join(f"2024-{month:02d},Finna,{1000 + month}\n" for month in range(1, 12))
    _save(coordinator, matomo("date,label,nb_visits\n" + months), kind=StatsImport.Kind.WEB_VISITS, name="m.csv")
    inputs = _inputs()
    assert inputs.service_gaps == [{"kind": "web", "name": "Finna", "missing_months": [12]}]
    assert not inputs.complete
    with translation.override("en"):
        assert inputs.months_missing() == ["Finna (web site visits): month 12 missing."]
    _save(coordinator, matomo("date,label,nb_visits\n2024-12,Finna,900\n"), kind=StatsImport.Kind.WEB_VISITS,
          name="joulukuu.csv")
    assert _inputs().service_gaps == []


def test_a_vendor_lacking_months_is_named_and_one_reporting_the_year_is_not(points, coordinator):
    services.statistics_year_open(year=2024)
    EMaterialServiceFactory(code="ellibs", name="Ellibs")
    EMaterialServiceFactory(code="bookbeat", name="BookBeat")
    lines = ["Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl"]
    lines += [f"ellibs;{month};{10 * month};;;" for month in (1, 2, 3, 4, 5, 6, 8)]
    lines += ["ellibs;;;120;1000,50;12", "bookbeat;;5400;300;;"]  # BookBeat: the year's loans only
    _save(coordinator, "\n".join(lines).encode(), kind=StatsImport.Kind.EMATERIAL, name="toimittajat.csv")
    inputs = _inputs()
    assert inputs.service_gaps == [{"kind": "ematerial", "name": "Ellibs", "missing_months": [7, 9, 10, 11, 12]}]
    with translation.override("en"):
        assert inputs.service_gap_lines == ["Ellibs (e-material loans): months 7, 9\u201312 missing."]
    # The splits still add the months up as before.
    assert inputs.details[next(iter(inputs.details))]["splits"]["ematerial_shared_loans"]["total"] == \
        10 * (1 + 2 + 3 + 4 + 5 + 6 + 8) + 5400


def test_a_counter_platform_with_a_gap_in_its_months_is_named(points):
    services.statistics_year_open(year=2024)
    ellibs = EMaterialServiceFactory(code="ellibs", name="Ellibs")
    CounterPlatformFactory(service=ellibs, name="Ellibs")
    rows = [("Kirja A", "Ellibs", "Regular", "Total_Item_Requests", [10, 0, 30, 40])]
    services.counter_import_save(data=report("TR", 1, 4, rows), file_name="tr.tsv", by=None)
    inputs = _inputs()
    # February had no uses, but the report has its row (zeros): reported. May on: not.
    assert inputs.service_gaps == [{"kind": "counter", "name": "Ellibs", "missing_months": list(range(5, 13))}]
    with translation.override("en"):
        assert inputs.service_gap_lines == ["Ellibs (COUNTER uses): months 5\u201312 missing."]


def test_a_json_report_leaving_out_a_month_of_no_uses_has_reported_that_month(points):
    """COUNTER's JSON leaves zero counts out (zero usage): a July with no uses is absent from
    a report of January–December. That July is a 0 of the report, not a month missing."""
    import json

    services.statistics_year_open(year=2024)
    ellibs = EMaterialServiceFactory(code="ellibs", name="Ellibs")
    CounterPlatformFactory(service=ellibs, name="Ellibs")
    performance = {f"2024-{month:02d}": 5 for month in range(1, 13) if month != 7}
    data = json.dumps({
        "Report_Header": {"Release": "5.1", "Report_ID": "TR_B1", "Registry_Record": "https://registry.example/1",
                          "Report_Filters": {"Begin_Date": "2024-01-01", "End_Date": "2024-12-31"}},
        "Report_Items": [{"Title": "Kirja A", "Platform": "Ellibs", "Attribute_Performance": [
            {"Data_Type": "Book", "Access_Type": "Controlled", "Access_Method": "Regular",
             "Performance": {"Total_Item_Requests": performance}}]}]}).encode()
    services.counter_import_save(data=data, file_name="tr_b1.json", by=None)
    assert _inputs().service_gaps == []
    assert dict(CounterMonthUses.objects.filter(platform="Ellibs").values_list("month__month", "uses"))[7] == 0


def test_the_job_names_the_months_missing_in_its_run_message(client, points, coordinator, finna):
    _save(coordinator, _by_month({"LOUNA-103-1": [*range(1, 4), *range(7, 13)], "quria:Q-834": range(1, 13)}))
    months = "".join(f"2024-{month:02d},Finna,{1000 + month}\n" for month in range(1, 12))
    _save(coordinator, matomo("date,label,nb_visits\n" + months), kind=StatsImport.Kind.WEB_VISITS, name="m.csv")
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK, created_by=None, task_kwargs={"year": 2024})
    with translation.override("en"):
        result = tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()
    run.refresh_from_db()
    assert result["report_versions"] == 2
    # Tammelan kirjastoauto has no figures at all: counted as before; the others by month.
    assert "1 service points without figures" in run.message
    assert "Humppilan pääkirjasto: months 4\u20136 missing." in run.message
    assert "Finna (web site visits): month 12 missing." in run.message
    assert "Tammelan pääkirjasto" not in run.message  # every month there
    # The version keeps the point's months missing (the municipality's page and Excel show them).
    report_details = AnnualReport.objects.get(statistics_year__year=2024,
                                              municipality=points["humppila"].library.municipality).details
    assert report_details["partial_points"] == [
        {"id": points["humppila"].pk, "name": "Humppilan pääkirjasto", "missing_months": [4, 5, 6]}]
    humppila = points["humppila"].library.municipality_id
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_municipality", args=[2024, humppila])).content.decode()
    assert "Humppilan pääkirjasto: 4\u20136" in page
    workbook = load_workbook(io.BytesIO(client.get(reverse("stats:annual_municipality_xlsx",
                                                           args=[2024, humppila])).content))
    rows = [[cell.value for cell in row] for row in workbook.worksheets[1].iter_rows()]
    assert any(row[0] == "Humppilan pääkirjasto" and "4\u20136" in str(row[1]) for row in rows)


def _points_lacking_months(library, count: int, coordinator, first: int = 0):
    """`count` points of the library reporting January to March and July to December."""
    created = [ServicePointFactory(library=library, name=f"Piste {library.pk}-{number:02d}")
               for number in range(first, first + count)]
    lines = ["Tunniste;Palvelupiste;Kuukausi;Lainaus"] + [
        f";{point.name};{month};10" for point in created for month in (*range(1, 4), *range(7, 13))]
    _save(coordinator, "\n".join(lines).encode(), name=f"pisteet-{library.pk}-{count}.csv")
    return created


def _overview_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("stats:annual_overview", args=[2024]))
    assert response.status_code == 200
    return len(queries), response


def test_the_overview_names_the_months_in_the_same_number_of_queries_at_two_sizes(
        client, coordinator, points, humppila, tammela, finna):
    months = "".join(f"2024-{month:02d},Finna,{1000 + month}\n" for month in range(1, 12))
    _save(coordinator, matomo("date,label,nb_visits\n" + months), kind=StatsImport.Kind.WEB_VISITS, name="m.csv")
    _points_lacking_months(humppila, 1, coordinator)
    client.force_login(coordinator)
    small, response = _overview_queries(client)
    page = response.content.decode()
    assert f"Piste {humppila.pk}-00: 4\u20136" in page  # the point and its months, in any language
    assert "Finna" in page and len(response.context["inputs"].service_gap_lines) == 1

    _points_lacking_months(tammela, 8, coordinator)
    _points_lacking_months(humppila, 3, coordinator, first=1)
    large, response = _overview_queries(client)
    assert response.context["inputs"].partial_points == 1 + 8 + 3
    assert f"Piste {tammela.pk}-07: 4\u20136" in response.content.decode()
    assert large == small <= 17  # test_annual_pages pins the overview at 17
