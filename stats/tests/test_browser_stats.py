"""In a real browser: the coordinator imports a service-point file, checks the preview,
confirms, and sees the figures on the year's overview; axe-core is clean on the overview
and the import page (with a preview and with an error report)."""

import codecs

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
    page.get_by_role("button", name="Laske yhteissummat").click()
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
