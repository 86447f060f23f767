"""The pages by role: who sees what, who may change it, and that a director cannot reach
another municipality's figures by changing the id in the URL."""

import codecs
import io
from datetime import UTC, datetime
from decimal import Decimal

import time_machine

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consortium.models import JobRun
from stats import services
from stats.models import Figure, MunicipalityYearTotal, StatisticsYear, StatsImport
from stats.tests.conftest import points_with_figures
from stats.tests.conftest import POINTS_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2024(points, coordinator):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=b"Tieto;Yhteensa\nfinna_visits;10001\n",
                         file_name="yhteiset.csv", by=coordinator)
    return StatisticsYear.objects.get(year=2024)


def _urls(humppila, tammela):
    return {
        "list": reverse("stats:year_list"),
        "year": reverse("stats:year_detail", args=[2024]),
        "own": reverse("stats:municipality_detail", args=[2024, humppila.municipality_id]),
        "other": reverse("stats:municipality_detail", args=[2024, tammela.municipality_id]),
        "import": reverse("stats:import", args=[2024]),
        "export": reverse("stats:export", args=[2024]),
        "own_xlsx": reverse("stats:municipality_export", args=[2024, humppila.municipality_id]),
        "other_xlsx": reverse("stats:municipality_export", args=[2024, tammela.municipality_id]),
    }


# (who, page) -> status. "own" is Humppila's page, "other" Tammela's.
MATRIX = {
    "staff_user": {"list": 200, "year": 200, "own": 200, "other": 200, "import": 200, "export": 200,
                   "own_xlsx": 200, "other_xlsx": 200},
    "coordinator": {"list": 200, "year": 200, "own": 200, "other": 200, "import": 200, "export": 200,
                    "own_xlsx": 200, "other_xlsx": 200},
    # A director downloads their own municipality's Excel (the year export holds only theirs too).
    "director": {"list": 200, "year": 200, "own": 200, "other": 404, "import": 403, "export": 200,
                 "own_xlsx": 200, "other_xlsx": 404},
    "other_director": {"list": 200, "year": 200, "own": 404, "other": 200, "import": 403, "export": 200,
                       "own_xlsx": 404, "other_xlsx": 200},
    "contact": {"list": 403, "year": 403, "own": 403, "other": 403, "import": 403, "export": 403, "own_xlsx": 403,
           "other_xlsx": 403},
    "tampere_contact": {"list": 403, "year": 403, "own": 403, "other": 403, "import": 403, "export": 403, "own_xlsx": 403,
                   "other_xlsx": 403},
    "nobody": {"list": 403, "year": 403, "own": 403, "other": 403, "import": 403, "export": 403, "own_xlsx": 403,
          "other_xlsx": 403},
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(client, request, year_2024, humppila, tammela, who):
    client.force_login(request.getfixturevalue(who))
    urls = _urls(humppila, tammela)
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == MATRIX[who]
    for action in ("compute", "report"):
        response = client.post(reverse(f"stats:{action}", args=[2024]))
        assert response.status_code == (302 if who in ("staff_user", "coordinator") else 403)


def test_anonymous_is_sent_to_log_in(client, year_2024, humppila, tammela):
    for url in _urls(humppila, tammela).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_a_director_sees_only_their_own_municipality(client, director, year_2024, humppila, tammela):
    client.force_login(director)
    page = client.get(reverse("stats:year_detail", args=[2024])).content.decode()
    assert "Humppilan pääkirjasto" in page and "58\xa0400" in page
    assert "Tammela" not in page and "91\xa0250" not in page
    # A municipality outside Louna or that does not exist is not found either.
    assert client.get(reverse("stats:municipality_detail", args=[2024, 999999])).status_code == 404
    assert client.get(reverse("stats:year_detail", args=[2031])).status_code == 404


def test_coordinator_overview_has_tables_chart_and_totals(client, coordinator, year_2024):
    client.force_login(coordinator)
    response = client.get(reverse("stats:year_detail", args=[2024]))
    page = response.content.decode()
    assert '<th scope="row" class="text-start"><a href=' in page
    assert "<svg role=\"img\"" in page and "<desc id=\"loans-chart-desc\">Humppila: 58\xa0400; Tammela: 111\xa0350" in page
    assert "169\xa0750" in page  # all loans together, Finnish grouping
    assert "pisteet.csv" in page  # the import record


def test_the_preview_of_a_file_of_one_column_shows_that_column_only(client, coordinator, points):
    """A file of the active customers only: the preview showed "–" under removals, loans and
    the rest as if the file emptied them, though they stay as they are; it shows the columns
    the file gives (as the preview of a file by month and of a large file already did)."""
    client.force_login(coordinator)
    StatisticsYear.objects.create(year=2024)
    upload = SimpleUploadedFile("aktiiviset.csv", "Tunniste;Aktiiviset asiakkaat\r\nLOUNA-103-1;1 400\r\n".encode())
    preview = client.post(reverse("stats:import", args=[2024]), {"kind": "service_points", "file": upload})
    assert [metric.code for metric in preview.context["point_metrics"]] == ["active_customers"]
    heads = preview.content.decode().split('aria-labelledby="preview"')[1].split("</thead>")[0]
    assert "Aktiiviset asiakkaat" in heads or "Active customers" in heads
    assert "Poistot" not in heads and "Removals" not in heads


def test_import_preview_then_confirm(client, coordinator, points):
    client.force_login(coordinator)
    StatisticsYear.objects.create(year=2024)
    url = reverse("stats:import", args=[2024])
    upload = SimpleUploadedFile("lainat 2024.csv", codecs.BOM_UTF8 + POINTS_CSV.encode("utf-8"), "text/csv")
    preview = client.post(url, {"kind": "service_points", "file": upload})
    assert preview.status_code == 200
    assert preview.context["parsed"].is_valid and len(preview.context["parsed"].rows) == 3
    assert "Tammelan kirjastoauto" in preview.content.decode()
    assert not Figure.objects.exists()  # the preview saves nothing

    draft = preview.context["draft"]
    response = client.post(url, {"action": "confirm", "draft": draft.pk, "sha256": draft.sha256})
    assert response.status_code == 302 and response.url == reverse("stats:year_detail", args=[2024])
    assert points_with_figures() == 3
    record = StatsImport.objects.get()
    assert (record.file_name, record.rows, record.imported_by) == ("lainat 2024.csv", 3, coordinator)
    # Confirming again does nothing: the pending file was used.
    client.post(url, {"action": "confirm"})
    assert StatsImport.objects.count() == 1


def test_import_of_a_bad_file_shows_every_row_and_saves_nothing(client, coordinator, points):
    client.force_login(coordinator)
    StatisticsYear.objects.create(year=2024)
    bad = "Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nLOUNA-103-1;1;2;3;4;5\nX;1;1;1;1;1\n" \
          "Q-834;1;-2;1;1;1\n"
    response = client.post(reverse("stats:import", args=[2024]),
                           {"kind": "service_points", "file": SimpleUploadedFile("v.csv", bad.encode("cp1252"))})
    assert [(e.row, str(e.column)) for e in response.context["parsed"].errors] == [(3, "Tunniste"),
                                                                                    (4, "Hankinnat")]
    page = response.content.decode()
    assert "<th scope=\"row\">3</th>" in page and "<th scope=\"row\">4</th>" in page
    assert not Figure.objects.exists() and not StatsImport.objects.exists()
    # There is nothing to confirm.
    client.post(reverse("stats:import", args=[2024]), {"action": "confirm"})
    assert not Figure.objects.exists()


def test_compute_from_the_page_runs_the_job(client, coordinator, year_2024, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stats:compute", args=[2024]))
    assert response.status_code == 302
    run = JobRun.objects.get(task_name="stats.tasks.compute_year")
    assert run.state == JobRun.State.DONE and run.created_by == coordinator
    assert MunicipalityYearTotal.objects.count() == 2
    assert StatisticsYear.objects.get(year=2024).state == StatisticsYear.State.COMPUTED
    # Reported: locked, the import page and computing are refused with a message.
    client.post(reverse("stats:report", args=[2024]))
    assert StatisticsYear.objects.get(year=2024).is_locked
    assert client.get(reverse("stats:import", args=[2024])).status_code == 302
    client.post(reverse("stats:compute", args=[2024]))
    assert JobRun.objects.filter(task_name="stats.tasks.compute_year").count() == 1


def test_a_queued_annual_job_page_leads_back_to_the_overview(client, coordinator, year_2024):
    """With a real broker the job is still queued when the page answers: the person goes to
    the job's page, which links back to the annual overview (the reports the job makes)."""
    client.force_login(coordinator)
    response = client.post(reverse("stats:compute", args=[2024]))  # not committed: the job waits
    run = JobRun.objects.get(task_name="stats.tasks.compute_year")
    overview = reverse("stats:annual_overview", args=[2024])
    assert response["Location"] == f"{reverse('job_detail', args=[run.pk])}?next=%2Fstats%2F2024%2Foverview%2F"
    page = client.get(response["Location"]).content.decode()
    assert f'<a href="{overview}">Takaisin sivulle, josta työ käynnistettiin</a>' in page
    # Only a path of this site is linked back to.
    page = client.get(reverse("job_detail", args=[run.pk]) + "?next=https://example.org/").content.decode()
    assert 'href="https://example.org/"' not in page and "Takaisin sivulle" not in page


def test_report_needs_a_fresh_computation(client, coordinator, year_2024):
    client.force_login(coordinator)
    client.post(reverse("stats:report", args=[2024]))
    assert StatisticsYear.objects.get(year=2024).state == StatisticsYear.State.IMPORTED


def test_open_a_year(client, coordinator, director):
    client.force_login(coordinator)
    next_year = timezone.localdate().year + 1
    response = client.post(reverse("stats:year_list"), {"year": next_year})
    assert response.status_code == 200 and not StatisticsYear.objects.filter(year=next_year).exists()
    response = client.post(reverse("stats:year_list"), {"year": 2025})
    assert response.status_code == 302 and StatisticsYear.objects.filter(year=2025).exists()
    client.force_login(director)
    assert client.post(reverse("stats:year_list"), {"year": 2022}).status_code == 403


def test_excel_export_opens_and_its_sums_equal_the_data(client, coordinator, year_2024, points):
    points["bus"].name = "=HYPERLINK(\"http://example.invalid\")"
    points["bus"].save()
    client.force_login(coordinator)
    response = client.get(reverse("stats:export", args=[2024]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    municipalities, service_points, shared = workbook.worksheets
    header = [cell.value for cell in municipalities[4]]
    loans_column = header.index("Lainaus (ml. uusinnat)")
    body = [[cell.value for cell in row] for row in municipalities.iter_rows(min_row=5)]
    data_rows, total_row = body[:-1], body[-1]
    assert [row[1] for row in data_rows] == ["Humppila", "Tammela"]
    for column in range(2, len(header)):
        assert sum(row[column] or 0 for row in data_rows) == total_row[column]  # empty: no figure
    assert total_row[loans_column] == sum(Figure.objects.filter(metric__code="loans").values_list("value", flat=True)) == 169750
    point_loans = [row[7].value for row in service_points.iter_rows(min_row=2)]
    assert sum(point_loans) == 169750
    names = [row[2].value for row in service_points.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://example.invalid\")" in names  # kept as text, never run as a formula
    assert [row[1].value for row in shared.iter_rows(min_row=2)] == [10001]


def front_page_cards(client):
    """The cards the front page asks the registry for, for the person logged in (the page
    itself keeps the rendered cards in the cache; this asks afresh)."""
    from consortium.permissions import roles_of
    from consortium.registry import cards_for

    request = client.get(reverse("home")).wsgi_request
    return cards_for(request, roles_of(request.user))


def test_front_page_card_and_navigation(client, coordinator, director, contact, points):
    client.force_login(coordinator)
    page = client.get(reverse("home")).content.decode()
    year = timezone.localdate().year - 1
    assert reverse("stats:year_list") in page
    assert f"{year}" in page and "3" in page
    cards = [card.title for card in front_page_cards(client)]
    assert any(str(year) in str(title) for title in cards)
    services.import_save(year=year, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="x.csv", by=coordinator)
    card = next(c for c in front_page_cards(client) if str(year) in str(c.title))
    assert len(card.items) == 1 and card.items[0].urgent  # imported, not computed; no points missing
    services.year_compute(year=year)
    card = next(c for c in front_page_cards(client) if str(year) in str(c.title))
    assert card.items == []
    client.force_login(director)
    assert reverse("stats:year_list") in client.get(reverse("home")).content.decode()
    assert not any(str(year) in str(c.title) for c in front_page_cards(client)
                   if "tilast" in str(c.title).lower())
    client.force_login(contact)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("stats:year_list")}"' not in page
    # Every signed-in member has the national table (the figures municipalities delivered).
    assert f'href="{reverse("stats:national_index")}"' in page


def test_templates_fill_in_and_import_back(client, coordinator, director, points):
    client.force_login(coordinator)
    StatisticsYear.objects.create(year=2024)
    response = client.get(reverse("stats:import_template", args=[2024, "service_points"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Tunniste;Palvelupiste;Poistot")
    assert "kirkanta:85123;Humppilan pääkirjasto;;;;;" in lines  # the first system's id, by name of system
    assert len(lines) == 4
    filled = "\r\n".join([lines[0]] + [line.replace(";;;;;", ";1;2;3;4;") for line in lines[1:]])
    services.import_save(year=2024, kind="service_points", data=filled.encode("utf-8-sig"), file_name="t.csv",
                         by=coordinator)
    assert points_with_figures(metric__code="loans", value=4) == 3
    assert not Figure.objects.filter(metric__code="active_customers").exists()

    shared = client.get(reverse("stats:import_template", args=[2024, "shared"])).content.decode("utf-8-sig")
    assert shared.splitlines()[0] == "Tieto;Yhteensä;103;834"
    assert client.get(reverse("stats:import_template", args=[2024, "other"])).status_code == 404
    client.force_login(director)
    assert client.get(reverse("stats:import_template", args=[2024, "shared"])).status_code == 403


def test_a_template_of_the_other_kind_is_refused_saying_which_kind_it_is(client, coordinator, points):
    """Seen on the walk: the shared-services template chosen as service-point figures gave six
    "column missing" lines and no word of the kind chosen."""
    client.force_login(coordinator)
    StatisticsYear.objects.create(year=2024)
    url = reverse("stats:import", args=[2024])
    for template, chosen, named in (("shared", "service_points", "yhteiset palvelut"),
                                    ("service_points", "shared", "palvelupisteiden luvut")):
        data = client.get(reverse("stats:import_template", args=[2024, template])).content
        response = client.post(url, {"kind": chosen, "file": SimpleUploadedFile(f"{template}.csv", data)})
        errors = response.context["parsed"].errors
        assert len(errors) > 1 and named in errors[0].message and "valitse" in errors[0].message, template
    assert not Figure.objects.exists()


def test_an_excel_workbook_is_read_like_the_csv_and_other_files_are_refused(client, coordinator, points):
    from openpyxl import Workbook

    client.force_login(coordinator)
    StatisticsYear.objects.create(year=2024)
    workbook = Workbook()
    for line in POINTS_CSV.splitlines()[:4]:
        cells = [cell.replace(" ", "") if cell.replace(" ", "").replace(",", "").isdigit() else cell
                 for cell in line.split(";")]
        workbook.active.append([int(c) if c.isdigit() else (2010.0 if c == "2010,00" else c or None) for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = reverse("stats:import", args=[2024])
    response = client.post(url, {"kind": "service_points",
                                 "file": SimpleUploadedFile("tilastot.xlsx", buffer.getvalue())})
    parsed = response.context["parsed"]
    assert parsed.is_valid and len(parsed.rows) == 3 and parsed.encoding == "xlsx"
    assert parsed.rows[1].values["removals"] == 2010 and parsed.rows[1].values["active_customers"] is None

    response = client.post(url, {"kind": "service_points",
                                 "file": SimpleUploadedFile("tilastot.csv", b"%PDF-1.4 not a table")})
    assert "xlsx" in " ".join(response.context["form"].errors["file"])
    assert response.context["parsed"] is None and not Figure.objects.exists()


def test_key_figures_per_resident_and_change_from_the_year_before(client, coordinator, year_2024, points):
    services.import_save(year=2023, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"LOUNA-103-1;1;1;1;50 000;1\n", file_name="2023.csv", by=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("stats:year_detail", args=[2024]))
    humppila, tammela = response.context["rows"]
    # Humppila: 58 400 loans, 2 174 residents (2020) -> 26.86 a resident; +16.8 % on 50 000.
    assert (humppila["loans_per_resident"], humppila["loans_change"]) == (Decimal("26.86"), Decimal("16.8"))
    assert tammela["loans_change"] is None  # no figures for 2023
    page = response.content.decode()
    assert "26,86" in page and "+16,8\xa0%" in page


def test_a_fall_in_loans_has_a_minus_sign_and_each_revert_button_names_its_file(client, coordinator, year_2024,
                                                                                points):
    """The year page writes a fall as the report pages do (−, not a hyphen), and a screen
    reader hears which import each "Revert" undoes, not the same word on every row."""
    services.import_save(year=2023, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"LOUNA-103-1;1;1;1;70 000;1\n", file_name="2023.csv", by=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("stats:year_detail", args=[2024]))
    assert response.context["rows"][0]["loans_change"] == Decimal("-16.6")  # 58 400 on 70 000
    page = response.content.decode()
    assert "\u221216,6\xa0%" in page and "-16,6" not in page
    names = [record.file_name for record in response.context["imports"] if not record.reverted_at]
    assert names and all(f'<span class="visually-hidden"> {name}</span></button>' in page for name in names)


def test_an_empty_year_shows_no_change_rather_than_minus_100(client, coordinator, year_2024, points):
    StatisticsYear.objects.create(year=2025)
    client.force_login(coordinator)
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        response = client.get(reverse("stats:year_detail", args=[2025]))
    assert [row["loans_change"] for row in response.context["rows"]] == [None, None]
    assert "100,0" not in response.content.decode()


def test_a_director_downloads_their_own_municipality_and_sees_its_chart(client, director, year_2024, humppila):
    client.force_login(director)
    page = client.get(reverse("stats:municipality_detail", args=[2024, humppila.municipality_id])).content.decode()
    assert "<svg" in page and "Humppilan pääkirjasto: 58\xa0400" in page  # the chart's text alternative
    response = client.get(reverse("stats:municipality_export", args=[2024, humppila.municipality_id]))
    workbook = load_workbook(io.BytesIO(response.content))
    names = [row[1].value for row in workbook.worksheets[0].iter_rows(min_row=5)]
    assert names == ["Humppila", "Yhteensä"]
    year_book = load_workbook(io.BytesIO(client.get(reverse("stats:export", args=[2024])).content))
    assert "Tammela" not in [row[1].value for row in year_book.worksheets[0].iter_rows(min_row=5)]


def test_the_year_form_offers_last_year():
    from datetime import date

    from stats.forms import YearForm

    assert YearForm(today=date(2027, 1, 15))["year"].value() == 2026
    assert YearForm(today=date(2026, 12, 4))["year"].value() == 2025


def test_the_year_page_names_the_annual_job_as_the_overview_does(client, coordinator, year_2024, points):
    """Seen on the demo: the year page's "Laske yhteissummat" started the same job as the
    overview's "Käynnistä vuosiajo (uudet raporttiversiot)", new report versions and the
    directors' mail included, under a name that promised totals only."""
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, file_name="korjaus.csv", by=coordinator,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"LOUNA-103-1;1;1;1;1;1\n")
    client.force_login(coordinator)
    page = client.get(reverse("stats:year_detail", args=[2024])).content.decode()
    assert "Käynnistä vuosiajo (uudet raporttiversiot)" in page
    assert "käynnistä vuosiajo uudelleen" in page  # figures imported since the last run
    assert "Laske yhteissummat" not in page and "laske yhteissummat" not in page


def test_a_one_row_import_is_told_as_one_row(client, coordinator, points):
    """Seen on the demo: a shared-services file of one row was "shared.csv tuotu: 1 riviä"."""
    client.force_login(coordinator)
    client.cookies["django_language"] = "fi"
    StatisticsYear.objects.create(year=2024)
    url = reverse("stats:import", args=[2024])
    upload = SimpleUploadedFile("yhteiset.csv", b"Tieto;Yhteensa\nfinna_visits;10001\n", "text/csv")
    draft = client.post(url, {"kind": "shared", "file": upload}).context["draft"]
    page = client.post(url, {"action": "confirm", "draft": draft.pk, "sha256": draft.sha256}, follow=True)
    assert "yhteiset.csv tuotu: 1 rivi." in page.content.decode()
