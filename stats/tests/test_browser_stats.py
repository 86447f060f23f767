"""In a real browser: the coordinator imports a service-point file, checks the preview,
confirms, and sees the figures on the year's overview; axe-core is clean on the overview
and the import page (with a preview and with an error report)."""

import codecs
import re

import pytest

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD
from stats.models import Figure, StatisticsYear
from stats.tests.conftest import points_with_figures
from stats.tests.conftest import POINTS_CSV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_imports_a_file_and_sees_the_figures(page, coordinator, points, tmp_path):
    StatisticsYear.objects.create(year=2024)
    good = tmp_path / "tilastot 2024.csv"
    good.write_bytes(codecs.BOM_UTF8 + POINTS_CSV.encode())
    bad = tmp_path / "virheellinen.csv"
    bad.write_bytes("Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nEI-OLE;1;1;1;1;1\n"
                    .encode("cp1252"))
    login(page, coordinator.email, PASSWORD)

    page.goto("/stats/2024/")
    assert_accessible(page)
    page.get_by_role("link", name="Tuo tiedosto").click()
    page.wait_for_load_state("domcontentloaded")
    assert_accessible(page)

    page.get_by_label("CSV-tiedosto").set_input_files(str(bad))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    page.wait_for_load_state("domcontentloaded")
    assert "EI-OLE" in page.locator("table").first.inner_text()
    assert_accessible(page)
    assert not Figure.objects.exists()

    page.get_by_label("CSV-tiedosto").set_input_files(str(good))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Tammelan kirjastoauto" in page.locator("table").first.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Vahvista tuonti").click()
    page.wait_for_load_state("domcontentloaded")

    assert page.url.endswith("/stats/2024/")
    assert points_with_figures() == 3
    page.get_by_role("button", name="Käynnistä vuosiajo (uudet raporttiversiot)").click()
    page.wait_for_load_state("domcontentloaded")
    page.goto("/stats/2024/")
    points_table = page.get_by_role("table", name="Palvelupisteet").inner_text()
    assert "58\u00a0400" in points_table and "Tammelan kirjastoauto" in points_table
    assert "111\u00a0350" in page.locator("svg desc").text_content()
    assert_accessible(page)


def test_a_director_opens_their_report_and_chart_and_downloads_the_excel(page, director, points, coordinator,
                                                                        humppila):
    from stats import services

    services.import_save(year=2024, kind="service_points", data=POINTS_CSV.encode(), file_name="t.csv",
                         by=coordinator)
    login(page, director.email, PASSWORD)
    page.goto(f"/stats/2024/municipalities/{humppila.municipality_id}/")
    assert "58\u00a0400" in page.locator("svg desc").text_content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa Excel").click()
    assert download.value.suggested_filename == "tilastot-103-2024.xlsx"


def test_a_director_opens_the_annual_report_and_its_charts_and_downloads_the_excel(page, director, points,
                                                                                  coordinator, humppila, tmp_path):
    """The annual job's report for the director's own municipality: this year beside last
    year, the charts over the years, the Excel; axe-core clean on it, on the coordinator's
    overview and on the national table."""
    from openpyxl import load_workbook

    from stats import annual_services, services

    services.import_save(year=2023, kind="service_points", data=POINTS_CSV.replace("58 400", "50 000").encode(),
                         file_name="2023.csv", by=coordinator)
    services.import_save(year=2024, kind="service_points", data=POINTS_CSV.encode(), file_name="2024.csv",
                         by=coordinator)
    for year in (2023, 2024):
        annual_services.annual_reports_create(year=year, notify=False)
    annual_services.annual_reports_deliver_latest(year=2024, by=coordinator)

    login(page, director.email, PASSWORD)
    page.goto(f"/stats/2024/municipalities/{humppila.municipality_id}/")
    page.get_by_role("link", name="Vuosiraportti: versiot ja vuodet rinnakkain").click()
    page.wait_for_load_state("load")
    figures = page.get_by_role("table", name="Vuoden 2024 luvut edellisen vuoden rinnalla").inner_text()
    assert "58\u00a0400" in figures and "50\u00a0000" in figures and "+8\u00a0400" in figures
    chart = page.get_by_role("img", name="Lainaus (ml. uusinnat)")
    assert "2023: 50\u00a0000; 2024: 58\u00a0400" in chart.locator("desc").text_content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Lataa raportti Excelinä").click()
    assert download.value.suggested_filename == "okm-103-2024-v1.xlsx"
    saved = tmp_path / "raportti.xlsx"
    download.value.save_as(saved)
    rows = {row[1]: row for row in load_workbook(saved).worksheets[0].iter_rows(min_row=5, values_only=True)}
    assert rows["Lainaus (ml. uusinnat)"][3:6] == (58400, 50000, 8400)

    page.goto("/stats/national/2024/")
    page.get_by_role("link", name="Lainaus (ml. uusinnat)").click()
    page.wait_for_load_state("load")
    header = page.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "descending"
    assert_accessible(page)

    page.context.clear_cookies()  # signed out: the coordinator signs in next
    login(page, coordinator.email, PASSWORD)
    page.goto("/stats/2024/overview/")
    assert "Tammelan kirjastoauto" not in page.get_by_role("table", name="Kattavuus").inner_text()
    assert_accessible(page)


def test_coordinator_chooses_agreed_shares_as_the_key_of_a_shared_figure(page, coordinator, points, humppila,
                                                                         tammela):
    from stats.models import AllocationKey

    StatisticsYear.objects.create(year=2024)
    login(page, coordinator.email, PASSWORD)
    page.goto("/stats/2024/")
    page.get_by_role("link", name="Jakoperusteet").click()
    page.wait_for_load_state("domcontentloaded")
    assert_accessible(page)
    # The first shared figure is Finna's web visits.
    page.get_by_role("link", name=re.compile("^Muuta jakoperustetta")).first.click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("sovituin osuuksin").check()
    page.get_by_label(humppila.municipality.name).fill("1")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("domcontentloaded")
    # Tammela's share is missing: the form says so beside its field, and nothing is saved.
    assert page.get_by_label(tammela.municipality.name).get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    assert not AllocationKey.objects.exists()
    page.get_by_label(tammela.municipality.name).fill("3")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state("domcontentloaded")
    assert "sovituin osuuksin" in page.get_by_role("table").inner_text()
    key = AllocationKey.objects.get()
    assert (key.metric, key.method) == ("finna_visits", "agreed")
    assert key.agreed_shares == {str(humppila.municipality_id): 1, str(tammela.municipality_id): 3}


def test_at_320_px_the_overviews_and_reports_tables_scroll_in_a_box_a_keyboard_can_reach(page, director, points,
                                                                                           coordinator, humppila):
    """A point with months 4–6 missing: at 320 px the coordinator's overview (its "Puuttuvat
    kuukaudet" column) and the director's report page reflow, their tables scrolling inside
    their own box; a box the template wrapped itself is focusable and named as the one
    tables.js makes is (axe: scrollable-region-focusable), so a keyboard user can scroll it."""
    from stats import annual_services, services

    rows = "".join(f"LOUNA-103-1;{month};{100 + month}\r\n" for month in (1, 2, 3, 7, 8, 9, 10, 11, 12))
    services.import_save(year=2024, kind="service_points", data=f"Tunniste;Kuukausi;Lainaus\r\n{rows}".encode(),
                         file_name="kuukaudet.csv", by=coordinator)
    annual_services.annual_reports_create(year=2024, notify=False)
    page.set_viewport_size({"width": 320, "height": 800})

    def reflows_with_focusable_boxes():
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        boxes = page.locator("main .table-responsive")
        assert boxes.count() > 0
        for index in range(boxes.count()):
            box = boxes.nth(index)
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
            assert box.get_attribute("aria-label")
        assert_accessible(page)

    login(page, coordinator.email, PASSWORD)
    page.goto("/stats/2024/overview/")
    assert "4–6" in page.get_by_role("table", name="Kattavuus").inner_text()
    reflows_with_focusable_boxes()

    page.context.clear_cookies()
    login(page, director.email, PASSWORD)
    page.goto(f"/stats/2024/municipalities/{humppila.municipality_id}/report/")
    reflows_with_focusable_boxes()
