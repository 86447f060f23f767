"""The annual reports' pages by role, what they show (this year beside last year, "–" where
there is nothing to compare, the charts with their table), the national table's sorting
and download, and constant query counts at two data sizes."""

import codecs
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stats import annual_services, services
from stats.models import AnnualReport, StatsImport
from stats.tests.conftest import POINTS_CSV
from stats.tests.factories import EMaterialServiceFactory

# Only the figure sources a test registers (stats/tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

POINTS_2023 = (
    "Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\r\n"
    "LOUNA-103-1;;1 000;1 500;31 000;50 000;1 200\r\n"
    "quria:Q-834;;2 000;2 400;45 000;90 000;\r\n"
)


@pytest.fixture
def reports(points, coordinator):
    """2023 and 2024 imported and the job run for both; 2024 twice (two versions)."""
    services.import_save(year=2023, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_2023.encode(),
                         file_name="2023.csv", by=coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=codecs.BOM_UTF8 + POINTS_CSV.encode(),
                         file_name="2024.csv", by=coordinator)
    annual_services.annual_reports_create(year=2023, notify=False)
    annual_services.annual_reports_create(year=2024, notify=False)
    annual_services.annual_reports_create(year=2024, notify=False)
    return AnnualReport.objects.filter(statistics_year__year=2024)


def _urls(humppila, tammela, reports):
    own, other = humppila.municipality_id, tammela.municipality_id
    return {
        "overview": reverse("stats:annual_overview", args=[2024]),
        "own": reverse("stats:annual_municipality", args=[2024, own]),
        "other": reverse("stats:annual_municipality", args=[2024, other]),
        "own_xlsx": reverse("stats:annual_municipality_xlsx", args=[2024, own]),
        "other_xlsx": reverse("stats:annual_municipality_xlsx", args=[2024, other]),
        "own_csv": reverse("stats:annual_municipality_csv", args=[2024, own]),
        "other_csv": reverse("stats:annual_municipality_csv", args=[2024, other]),
        "national": reverse("stats:national", args=[2024]),
        "national_xlsx": reverse("stats:national_export", args=[2024]),
    }


ALL = {"overview": 200, "own": 200, "other": 200, "own_xlsx": 200, "other_xlsx": 200, "own_csv": 200,
       "other_csv": 200, "national": 200, "national_xlsx": 200}
MATRIX = {
    "staff_user": ALL,
    "coordinator": ALL,
    # A director reaches their own municipality's report and files only; another's is not found.
    "director": {**ALL, "overview": 403, "other": 404, "other_xlsx": 404, "other_csv": 404},
    "other_director": {**ALL, "overview": 403, "own": 404, "own_xlsx": 404, "own_csv": 404},
    # A library's contact person, in Louna or not, sees the national table only.
    "contact": {**{name: 403 for name in ALL}, "national": 200, "national_xlsx": 200},
    "tampere_contact": {**{name: 403 for name in ALL}, "national": 200, "national_xlsx": 200},
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(client, request, reports, humppila, tammela, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    got = {name: client.get(url).status_code for name, url in _urls(humppila, tammela, reports).items()}
    assert got == MATRIX[who]
    newest = reports.get(municipality=humppila.municipality, version=2)
    response = client.post(reverse("stats:annual_deliver", args=[2024, newest.pk]))
    assert response.status_code == (302 if who in ("staff_user", "coordinator") else 403)
    newest.refresh_from_db()
    assert newest.delivered == (who in ("staff_user", "coordinator"))


def test_anonymous_is_sent_to_log_in(client, reports, humppila, tammela):
    for url in [*_urls(humppila, tammela, reports).values(), reverse("stats:national_index")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    response = client.post(reverse("stats:annual_deliver", args=[2024, reports.first().pk]))
    assert response.status_code == 302 and "/login/" in response.url
    assert not AnnualReport.objects.filter(delivered=True).exists()


def test_a_version_of_another_year_or_number_is_not_found(client, coordinator, reports, humppila):
    client.force_login(coordinator)
    url = reverse("stats:annual_municipality", args=[2024, humppila.municipality_id])
    assert client.get(url + "?version=9").status_code == 404
    assert client.get(url + "?version=x").status_code == 404
    assert client.get(url + "?version=1").context["report"].version == 1
    other_year = AnnualReport.objects.get(statistics_year__year=2023, municipality=humppila.municipality)
    assert client.post(reverse("stats:annual_deliver", args=[2024, other_year.pk])).status_code == 404


def test_the_municipality_page_sets_this_year_beside_last_year(client, director, reports, humppila):
    client.force_login(director)
    response = client.get(reverse("stats:annual_municipality", args=[2024, humppila.municipality_id]))
    rows = {row["code"]: row for row in response.context["comparison"]}
    assert (rows["loans"]["value"], rows["loans"]["previous"], rows["loans"]["change"]) == (58400, 50000, 8400)
    assert rows["loans"]["percent"] == Decimal("16.8")
    # Nothing to compare: no figure either year.
    assert (rows["finna_visits"]["value"], rows["finna_visits"]["change"], rows["finna_visits"]["percent"]) == (
        None, None, None)
    page = response.content.decode()
    assert "+8\xa0400" in page and "+16,8\xa0%" in page and "–" in page
    # A chart per metric over the years, described in text, and the same figures as a table.
    assert 'role="img"' in page and "2023: 50\xa0000; 2024: 58\xa0400" in page
    # The columns' geometry has a decimal point on a Finnish page too (a comma draws nothing).
    svg = page[page.index("<svg"):page.rindex("</svg>")]
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"', svg)
    assert not re.search(r'(x|y|width|height)="[^"]*,', svg)
    assert [chart["code"] for chart in response.context["charts"]][:1] == ["removals"]
    assert response.context["history_years"] == [2023, 2024]
    assert "Humppilan pääkirjasto" in page


def test_the_first_year_shows_a_dash_for_the_change(client, director, points, coordinator, humppila):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="2024.csv", by=coordinator)
    annual_services.annual_reports_create(year=2024, notify=False)
    client.force_login(director)
    response = client.get(reverse("stats:annual_municipality", args=[2024, humppila.municipality_id]))
    loans = next(row for row in response.context["comparison"] if row["code"] == "loans")
    assert (loans["previous"], loans["change"], loans["percent"]) == (None, None, None)


def test_the_overview_shows_completeness_imports_runs_and_versions(client, coordinator, reports, points):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"LOUNA-103-1;1204;1530;31200;60000;1310\n", file_name="korjaus.csv", by=coordinator)
    annual_services.annual_reports_create(year=2024, notify=False)
    client.force_login(coordinator)
    response = client.get(reverse("stats:annual_overview", args=[2024]))
    page = response.content.decode()
    assert "2024.csv" in page and "korjaus.csv" in page  # the imports
    assert len(response.context["reports"]) == 6  # three versions of two municipalities
    assert "Lainaus (ml. uusinnat): 58\xa0400 → 60\xa0000" in page  # version 3's change, per metric
    assert response.context["inputs"].missing_points == 0
    # Nothing delivered yet: a button for each municipality's newest version.
    assert page.count('action="/stats/2024/reports/') == 2


def test_the_overview_names_what_is_missing(client, coordinator, points):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nQ-834;1;1;1;1;1\n",
                         file_name="osa.csv", by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    assert "Humppilan pääkirjasto" in page and "Tammelan kirjastoauto" in page
    assert "Finnan verkkokäynnit" in page  # a shared figure not imported yet


def _national(client, **params):
    response = client.get(reverse("stats:national", args=[2024]), params)
    return response, [row["municipality"].code for row in response.context["rows"]]


def test_the_national_table_shows_delivered_reports_sorted_on_the_server(client, contact, coordinator, reports):
    client.force_login(contact)
    response, order = _national(client)
    assert order == []  # nothing delivered yet: a report being worked on is its director's
    annual_services.annual_reports_deliver_latest(year=2024, by=coordinator)
    response, order = _national(client)
    assert order == ["103", "834"]  # Humppila, Tammela by name
    response, order = _national(client, sort="loans", dir="desc")
    assert order == ["834", "103"]
    page = response.content.decode()
    assert 'aria-sort="descending"' in page and page.count("aria-sort=") == 1
    assert "?sort=loans&amp;dir=asc" in page  # the sorted header's link turns the order round
    response, order = _national(client, sort="nonsense", dir="sideways")
    assert order == ["103", "834"] and response.status_code == 200
    tables = response.context["tables"]
    # Fits 1280 px in two: the service points' five, the municipality-level nine (e-loans among them).
    assert [len(table["columns"]) for table in tables] == [2 + 5, 1 + 9]
    totals = dict(zip([c["key"] for c in tables[0]["columns"][2:]], tables[0]["totals"], strict=True))
    assert totals["loans"] == 58400 + 91250 + 20100
    workbook = load_workbook(io.BytesIO(client.get(reverse("stats:national_export", args=[2024]),
                                                   {"sort": "loans", "dir": "desc"}).content))
    sheet = workbook.active
    assert [sheet.cell(row=r, column=1).value for r in (4, 5)] == ["834", "103"]
    assert sheet.cell(row=6, column=2).value == "Yhteensä"
    assert client.get(reverse("stats:national_index")).url == reverse("stats:national", args=[2024])


# ---------------------------------------------------------------- query counts

# Measured: the same at both sizes (the session and the user are two of them). The overview's
# completeness splits the e-material services' figures (their totals, the keys, the
# population), reads the joint library organisations once and the member municipalities.
PAGE_QUERIES = {"overview": 17, "municipality": 6, "xlsx": 6, "national": 2, "national_xlsx": 2}


@pytest.fixture(params=[0, 5], ids=["demo", "scale5"])
def seeded(request, monkeypatch):
    from consortium.demo_data import seed_core
    from stats.demo_data import seed_stats

    seed_core()
    seed_stats(scale=request.param)
    # E-material services with the vendors' loans per month and the year's titles and
    # acquisitions: split among the municipalities by the annual job (2 services, or 12).
    lines = ["Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl"]
    for number in range(2 + 2 * request.param):
        service = EMaterialServiceFactory()
        lines += [f"{service.code};{month};{100 * number + month};;;" for month in range(1, 13)]
        lines.append(f"{service.code};;;{500 + number};{1000 + number},25;{10 + number}")
    services.import_save(year=2024, kind=StatsImport.Kind.EMATERIAL, data="\n".join(lines).encode(),
                         file_name="toimittajat.csv", by=None)
    for year in (2023, 2024):
        annual_services.annual_reports_create(year=year, notify=False)
    annual_services.annual_reports_create(year=2024, notify=False)
    return request.param


@pytest.mark.parametrize("url_name", ["overview", "municipality", "xlsx", "national", "national_xlsx"])
def test_query_counts_are_constant(client, seeded, url_name, django_assert_max_num_queries):
    from consortium.demo_data import demo_email
    from consortium.models import Municipality, User

    forssa = Municipality.objects.get(code="061")
    annual_services.annual_reports_deliver_latest(year=2024, by=None)
    urls = {"overview": reverse("stats:annual_overview", args=[2024]),
            "municipality": reverse("stats:annual_municipality", args=[2024, forssa.pk]),
            "xlsx": reverse("stats:annual_municipality_xlsx", args=[2024, forssa.pk]),
            "national": reverse("stats:national", args=[2024]) + "?sort=loans&dir=desc",
            "national_xlsx": reverse("stats:national_export", args=[2024])}
    client.force_login(User.objects.get(email=demo_email("koordinaattori")))
    with django_assert_max_num_queries(PAGE_QUERIES[url_name]):
        response = client.get(urls[url_name])
    assert response.status_code == 200
    if url_name == "municipality":
        points = len(response.context["point_rows"])
        assert points == (len(response.context["report"].details["service_points"]))
        assert points > (4 if seeded else 0)


def test_the_coordinator_runs_the_job_by_hand_and_sees_the_run(client, coordinator, points, director,
                                                              django_capture_on_commit_callbacks):
    services.import_save(year=2022, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="2022.csv", by=coordinator)
    client.force_login(coordinator)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("stats:compute", args=[2022])).status_code == 302
    response = client.get(reverse("stats:annual_overview", args=[2022]))
    runs = response.context["job_runs"]
    assert len(runs) == 2 and all(run.created_by == coordinator and run.state == "done" for run in runs)
    assert "Kalle Koordinaattori" in response.content.decode()
    assert sorted(AnnualReport.objects.filter(statistics_year__year=2022).values_list("version", flat=True)) == [
        1, 1, 2, 2]
    # The director's page shows the newest version; the first is one click away.
    client.force_login(director)
    page = client.get(reverse("stats:annual_municipality", args=[2022, director.role_assignments.get()
                                                                 .library.municipality_id])).content.decode()
    assert "Versio 2" in page and "?version=1" in page


def test_the_report_files_name_units_and_columns_in_finnish(client, director, reports, humppila):
    """Seen on the demo: the Excel's and the CSV's unit column read "items", "loans" (the
    metric's unit code), and the CSV headed its metric-code column "Kuntanumero" beside the
    real municipality code."""
    client.force_login(director)
    workbook = load_workbook(io.BytesIO(client.get(
        reverse("stats:annual_municipality_xlsx", args=[2024, humppila.municipality_id])).content))
    header, *rows = list(workbook["OKM-raportti"].iter_rows(min_row=4, values_only=True))
    units = {row[1]: row[2] for row in rows}
    assert header[2] == "Yksikkö"
    assert units["Lainaus (ml. uusinnat)"] == "lainaa" and units["Poistot"] == "kpl"
    lines = client.get(reverse("stats:annual_municipality_csv", args=[2024, humppila.municipality_id])
                       ).content.decode("utf-8-sig").splitlines()
    columns = lines[0].split(";")
    assert columns.count("Kuntanumero") == 1
    assert columns[6:8] == ["Koodi", "Yksikkö"]
    loans = next(line.split(";") for line in lines[1:] if ";loans;" in line)
    assert loans[7:9] == ["lainaa", "58400"]


def test_the_delivery_button_reads_as_finnish(client, coordinator, reports):
    """Seen on the demo: "Merkitse Forssa versio 2 toimitetuksi" (a municipality's name in
    the nominative where Finnish wants the genitive, which a name cannot be put in here)."""
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    assert "Merkitse toimitetuksi: Humppila, versio 2" in page


def test_a_figure_source_is_named_by_its_label_not_its_code(client, coordinator, reports, no_sources, humppila):
    """Seen on the demo: the report page said "lähteestä louna.ematerials" and the overview
    listed "louna-ematerials: 15 lukua", an app's internal name on a Finnish page."""
    from django.utils.translation import gettext_lazy

    from consortium import registry

    no_sources.register_figure_source("orders", lambda *, year: [
        registry.Figure(municipality_code="103", metric="ematerial_acquisitions_eur", value=Decimal("120.05"),
                        source="orders")], label=gettext_lazy("Municipality"))
    annual_services.annual_reports_create(year=2024, notify=False)
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_municipality", args=[2024, humppila.municipality_id])).content.decode()
    assert "lähteestä Kunta" in page and "orders" not in page
    overview = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    assert "Kunta: 1 luku" in overview and "orders" not in overview


def test_a_population_split_names_key_and_year_in_one_parenthesis(client, director, points, coordinator, humppila):
    """Seen on the demo: "osuus 426 400:sta (asukaslukujen suhteessa) (asukasluku 2020): 2 174
    / 32 365", two parentheses one after the other."""
    services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=b"Tieto;Yhteensa\nfinna_visits;10001\n",
                         file_name="yhteiset.csv", by=coordinator)
    annual_services.annual_reports_create(year=2024, notify=False)
    client.force_login(director)
    page = client.get(reverse("stats:annual_municipality", args=[2024, humppila.municipality_id])).content.decode()
    assert "(asukaslukujen suhteessa, asukasluku 2020): 2\xa0174 / 8\xa0190" in page
    assert ") (" not in page.replace("\n", " ")


def test_marking_delivered_and_locking_ask_to_be_confirmed_first(client, coordinator, reports):
    """Both cannot be undone: the overview's button only opens the confirmation (a <details>,
    no script), whose own button sends the POST."""
    import re

    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    deliver = re.search(r"<details><summary[^>]*>Merkitse toimitetuksi: Humppila, versio 2</summary>\s*"
                        r"<form method=\"post\" action=\"([^\"]+)\"[^>]*>.*?<button[^>]*>([^<]+)</button>", page, re.S)
    assert deliver and deliver.group(1).endswith("/deliver/")
    assert deliver.group(2) == "Vahvista: toimitettu ministeriöön – Humppila, versio 2"


def test_the_demos_versions_come_with_the_run_that_made_them(client, coordinator):
    """Seen on the demo: the overview said the annual job had not run for the year while its
    versions were listed below (the demo made them without a run)."""
    from consortium.demo_data import seed_core
    from consortium.models import JobRun
    from stats.demo_data import seed_stats

    seed_core()
    seed_stats()
    seed_stats()  # a second seeding makes no second run
    client.force_login(coordinator)
    response = client.get(reverse("stats:annual_overview", args=[2024]))
    page = response.content.decode()
    runs = response.context["job_runs"]
    assert [(run.state, run.task_kwargs) for run in runs] == [(JobRun.State.DONE, {"year": 2024})]
    assert "Vuosiajoa ei ole vielä ajettu" not in page and "<td>valmis</td>" in page
    assert AnnualReport.objects.filter(statistics_year__year=2024, job_run_id=runs[0].pk).exists()
