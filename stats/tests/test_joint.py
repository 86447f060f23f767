"""Joint library organisations (yhteiskirjasto): one series for several municipalities under
the host municipality, the municipalities it also serves included rather than missing, the
population key on the combined population, and a zero that is a figure."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from consortium import registry
from consortium.models import JointMunicipality, MunicipalityPopulation
from consortium.tests.factories import LounaLibraryFactory, MunicipalityFactory, ServicePointFactory
from stats import annual_selectors, annual_services, selectors, services
from stats.allocation import largest_remainder
from stats.models import AnnualReport, StatisticsYear, StatsImport

# Only the figure sources a test registers (stats/tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

POINTS = ("Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
          ";Isokylän pääkirjasto;100;200;30 000;40 000;0\n"
          ";Pikkukylän lähikirjasto;10;20;5 000;6 000;300\n"
          ";Tammelan pääkirjasto;50;60;20 000;25 000;800\n")


@pytest.fixture
def joint(db, tammela):
    """A joint library organisation hosted by Isokylä that also serves Pikkukylä (test names,
    no real organisation), a point in each, and Tammela beside it as a library of its own."""
    host = MunicipalityFactory(code="901", name_fi="Isokylä", name_sv="Storby")
    served = MunicipalityFactory(code="902", name_fi="Pikkukylä", name_sv="Lillby")
    library = LounaLibraryFactory(name="Isokylän–Pikkukylän yhteiskirjasto", municipality=host)
    JointMunicipality.objects.create(library=library, municipality=served)
    ServicePointFactory(library=library, name="Isokylän pääkirjasto")
    ServicePointFactory(library=library, name="Pikkukylän lähikirjasto")
    ServicePointFactory(library=tammela, name="Tammelan pääkirjasto")
    for municipality, population in ((host, 3000), (served, 1000), (tammela.municipality, 6016)):
        MunicipalityPopulation.objects.create(municipality=municipality, year=2023, population=population)
    return {"library": library, "host": host, "served": served, "tammela": tammela.municipality}


def _import(coordinator, kind, data: bytes, name: str):
    services.import_save(year=2024, kind=kind, data=data, file_name=name, by=coordinator)


@pytest.fixture
def imported(joint, coordinator):
    _import(coordinator, StatsImport.Kind.SERVICE_POINTS, POINTS.encode(), "pisteet.csv")
    _import(coordinator, StatsImport.Kind.SHARED, b"Tieto;Yhteensa\nfinna_visits;10001\n", "yhteiset.csv")
    return joint


def _inputs():
    return annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))


def test_the_population_key_uses_the_combined_population_of_the_series(imported):
    host, served, tammela = imported["host"], imported["served"], imported["tammela"]
    method, weights, population_year = services.split_key(year=2024, metric="finna_visits",
                                                           municipality_ids=[host.pk, tammela.pk])
    assert (method, population_year) == ("population", 2023)
    assert weights == {host.pk: 3000 + 1000, tammela.pk: 6016}
    # The shared figure was split between the two series only, by those weights.
    parts = dict(selectors.current_figures(statistics_year=StatisticsYear.objects.get(year=2024))
                 .filter(metric__code="finna_visits").values_list("municipality_id", "value"))
    assert parts == largest_remainder(10001, {host.pk: 4000, tammela.pk: 6016})
    assert served.pk not in parts and sum(parts.values()) == 10001


def test_a_served_municipality_without_a_population_is_named(joint):
    MunicipalityPopulation.objects.filter(municipality=joint["served"]).delete()
    with pytest.raises(ValidationError, match="missing: Pikkukylä"):
        services.split_key(year=2024, metric="finna_visits", municipality_ids=[joint["host"].pk, joint["tammela"].pk])


def test_a_shared_file_column_of_a_served_municipality_says_where_its_part_belongs(joint):
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED,
                                     data=b"Tieto;Yhteensa;901;902;834\nfinna_visits;100;40;10;50\n")
    assert [(error.row, error.column, error.message) for error in parsed.errors] == [
        (1, "902", "Pikkukylä is served by the joint library organisation of Isokylä, which reports one series for "
                   "all its municipalities: give the part in Isokylä's column.")]
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED,
                                     data=b"Tieto;Yhteensa;901;834\nfinna_visits;100;50;50\n")
    assert not parsed.errors


def test_completeness_counts_the_series_not_the_served_municipality(imported):
    inputs = _inputs()
    host, served = imported["host"], imported["served"]
    assert [m.code for m in inputs.municipalities] == ["901", "834"]  # Isokylä, Tammela: no Pikkukylä
    assert [(row["municipality"].code, row["host"].code) for row in inputs.included] == [("902", "901")]
    details = inputs.details[host.pk]
    assert details["missing_points"] == [] and served.pk not in inputs.details
    assert [entry["name_fi"] for entry in details["covers"]] == ["Isokylä", "Pikkukylä"]
    assert inputs.details[imported["tammela"].pk]["covers"] == []
    # The points of both municipalities add up to the series.
    assert inputs.figures[host.pk]["loans"] == 40000 + 6000
    assert sum(p["figures"]["loans"] for p in details["service_points"].values()) == inputs.figures[host.pk]["loans"]


def test_a_zero_is_reported_and_no_figure_is_missing(imported, coordinator):
    host = imported["host"]
    inputs = _inputs()
    # Isokylä's point reported 0 active customers, Pikkukylä's 300: the series has 300.
    assert inputs.figures[host.pk]["active_customers"] == 300
    _import(coordinator, StatsImport.Kind.SHARED, b"Tieto;Yhteensa\nlounakirjailijat_visits;0\n", "nolla.csv")
    inputs = _inputs()
    assert inputs.figures[host.pk]["lounakirjailijat_visits"] == 0
    assert "lounakirjailijat_visits" not in inputs.details[host.pk]["missing_metrics"]
    # E-material uses were never imported: no figure, so missing (not a zero).
    assert "ematerial_uses" not in inputs.figures[host.pk]
    assert "ematerial_uses" in inputs.details[host.pk]["missing_metrics"]


def test_a_municipality_with_only_zeros_is_complete(joint, coordinator):
    """Every point and metric reported, some as 0: nothing is missing."""
    _import(coordinator, StatsImport.Kind.SERVICE_POINTS, POINTS.replace("6 000", "0").encode(), "pisteet.csv")
    _import(coordinator, StatsImport.Kind.SHARED, b"Tieto;Yhteensa\nfinna_visits;0\nlounakirjailijat_visits;0\n"
            b"ematerial_count;0\nematerial_uses;0\nematerial_acquisitions;0\n", "yhteiset.csv")
    # The orders' figures: zeros, Isokylä's series' given under Pikkukylä's code; and the
    # e-material vendors' loans (a zero too) from a source.
    source_metrics = ("ematerial_acquisitions_eur", "ematerial_titles_acquired", "ematerial_licences_acquired",
                      "ematerial_shared_loans")
    registry.register_figure_source("orders", lambda *, year: [
        registry.Figure(municipality_code=code, metric=metric, value=0, source="tilaukset")
        for code in ("902", "834") for metric in source_metrics])
    inputs = _inputs()
    assert [d["missing_metrics"] for d in inputs.details.values()] == [[], []]
    assert inputs.complete and inputs.missing_points == 0
    host = inputs.figures[joint["host"].pk]
    assert (host["ematerial_uses"], host["loans"], host["ematerial_titles_acquired"]) == (0, 40000, 0)


def test_figure_sources_of_the_served_municipality_join_the_series(imported):
    registry.register_figure_source("orders", lambda *, year: [
        registry.Figure(municipality_code="901", metric="ematerial_acquisitions_eur", value=Decimal("100.10"),
                        source="tilaukset"),
        registry.Figure(municipality_code="902", metric="ematerial_acquisitions_eur", value=Decimal("20.05"),
                        source="tilaukset")])
    inputs = _inputs()
    assert inputs.figures[imported["host"].pk]["ematerial_acquisitions_eur"] == "120.15"
    assert imported["served"].pk not in inputs.figures


def test_the_annual_job_makes_one_report_for_the_series_naming_both(imported, coordinator, client):
    annual_services.annual_reports_create(year=2024, by=coordinator, notify=False)
    host, served = imported["host"], imported["served"]
    assert not AnnualReport.objects.filter(municipality=served).exists()
    report = AnnualReport.objects.get(municipality=host)
    assert report.figures["loans"] == 46000
    assert [entry["code"] for entry in report.details["covers"]] == ["901", "902"]
    assert report.details["splits"]["finna_visits"]["weight"] == 4000
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_municipality", args=[2024, host.pk])).content.decode()
    assert "Isokylä, Pikkukylä" in page
    workbook = load_workbook(io.BytesIO(client.get(
        reverse("stats:annual_municipality_xlsx", args=[2024, host.pk])).content))
    assert "Isokylä, Pikkukylä" in [cell for cell in next(workbook.active.iter_rows(min_row=2, values_only=True))]
    lines = client.get(reverse("stats:annual_municipality_csv", args=[2024, host.pk])).content.decode(
        "utf-8-sig").splitlines()
    assert lines[0].endswith(";Kunnat, joiden luvut sisältyvät") and lines[1].endswith(";Isokylä, Pikkukylä")
    overview = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    assert "Sisältyy kunnan Isokylä lukuihin" in overview
    # The served municipality has no report page of its own to open.
    assert client.get(reverse("stats:annual_municipality", args=[2024, served.pk])).status_code == 404


def test_the_national_table_names_the_municipalities_of_the_series(imported, coordinator, client):
    annual_services.annual_reports_create(year=2024, by=coordinator, notify=False)
    annual_services.annual_reports_deliver_latest(year=2024, by=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("stats:national", args=[2024]))
    rows = {row["municipality"].code: row for row in response.context["rows"]}
    assert set(rows) == {"901", "834"}  # Pikkukylä is in Isokylä's row
    assert rows["901"]["covers"] == ["Isokylä", "Pikkukylä"] and rows["834"]["covers"] == []
    assert "yhteiskirjasto: Isokylä, Pikkukylä" in response.content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("stats:national_export", args=[2024])).content)).active
    header = [cell.value for cell in sheet[3]]
    column = header.index("Kunnat, joiden luvut sisältyvät") + 1
    by_code = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=column).value for r in (4, 5)}
    assert by_code == {"901": "Isokylä, Pikkukylä", "834": None}


def test_loans_per_resident_count_every_resident_of_the_series(imported, coordinator, client):
    client.force_login(coordinator)
    rows = {row["municipality"].code: row for row in client.get(
        reverse("stats:year_detail", args=[2024])).context["rows"]}
    # 46 000 loans for 3 000 + 1 000 residents.
    assert rows["901"]["population"] == 4000 and rows["901"]["loans_per_resident"] == Decimal("11.50")


@pytest.mark.parametrize("url_name", ["stats:annual_overview", "stats:year_detail"])
def test_more_joint_organisations_cost_no_more_queries(imported, coordinator, client, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    url = reverse(url_name, args=[2024])

    def counted() -> int:
        client.get(url)  # the session's first read is not the page's
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = counted()
    for number in range(3):  # three more joint organisations, two municipalities each
        host = MunicipalityFactory(code=f"91{number}", name_fi=f"Isäntä {number}")
        library = LounaLibraryFactory(name=f"Yhteiskirjasto {number}", municipality=host)
        for served in (MunicipalityFactory(code=f"92{number}"), MunicipalityFactory(code=f"93{number}")):
            JointMunicipality.objects.create(library=library, municipality=served)
            MunicipalityPopulation.objects.create(municipality=served, year=2023, population=500)
        MunicipalityPopulation.objects.create(municipality=host, year=2023, population=1500)
        ServicePointFactory(library=library, name=f"Yhteiskirjaston {number} pääkirjasto")
    assert counted() == one


def test_the_directors_mail_names_every_municipality_the_series_covers(imported, other_director):
    from consortium.models import OutboxMessage, Role
    from consortium.tests.factories import user_with_role

    finnish = user_with_role(Role.DIRECTOR, library=imported["library"], full_name="Iida Isokyläläinen",
                             language="fi")
    swedish = user_with_role(Role.DIRECTOR, library=imported["library"], full_name="Stina Storbybo",
                             language="sv")
    annual_services.annual_reports_create(year=2024)
    messages = {message.to: message for message in OutboxMessage.objects.filter(kind="stats.annual_report")}
    # Host first, then the municipalities it also serves, in the director's language.
    assert "Isokylä, Pikkukylä" in messages[finnish.email].body_text
    assert "yhteiskirjasto" in messages[finnish.email].body_text
    assert "Storby, Lillby" in messages[swedish.email].body_text and "Storby" in messages[swedish.email].subject
    assert "Pikkukylä" not in messages[swedish.email].body_text
    # A municipality's own library organisation covers no other.
    assert "Pikkukylä" not in messages[other_director.email].body_text


def test_a_joint_organisation_is_locked_through_its_host(imported, coordinator):
    from stats import permissions

    annual_services.annual_reports_create(year=2024, notify=False)
    ids = permissions.managed_municipality_ids(coordinator) | {imported["served"].pk}
    with pytest.raises(ValidationError, match="lock Isokylä"):
        annual_services.municipality_lock(year=2024, municipality=imported["served"], by=coordinator,
                                          municipality_ids=ids)
    annual_services.municipality_lock(year=2024, municipality=imported["host"], by=coordinator, municipality_ids=ids)
    # The host's lock covers the municipality it also serves: a figure given in its column is refused too.
    assert selectors.locked_municipalities(year=2024) == {imported["host"].pk: imported["host"],
                                                          imported["served"].pk: imported["host"]}
    corrected = POINTS.replace(";100;200;", ";101;200;")
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=corrected.encode(),
                                     by=coordinator)
    assert [(error.row, error.column) for error in parsed.errors] == [(2, "Isokylän pääkirjasto"),
                                                                       (3, "Pikkukylän lähikirjasto")]
    assert "Isokylä" in parsed.errors[1].message
