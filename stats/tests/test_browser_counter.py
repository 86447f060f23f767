"""In a real browser: the coordinator uploads a COUNTER report with a text in a month cell,
sees the row and column named in Finnish, uploads the corrected report, sees what it replaces
of the report imported before (the totals now and after), and confirms; axe-core is clean on
the upload page, the refusal and the preview."""

import pytest

from consortium.tests.factories import PASSWORD
from stats import services
from stats.models import CounterUsage, StatisticsYear
from testsupport import assert_accessible, login

from .test_counter_replacing import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_replaces_a_counter_report_after_seeing_what_changes(page, coordinator, tmp_path):
    StatisticsYear.objects.create(year=2024)
    services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="tammi-maalis.tsv", by=coordinator)
    bad = tmp_path / "korjattu.tsv"
    bad.write_bytes(report(1, 3, [11, 20, 35]).replace(b"\t20\t", b"\tkaksikymment\xc3\xa4\t"))
    login(page, coordinator.email, PASSWORD)

    page.goto("/stats/2024/import/counter/")
    assert_accessible(page)
    page.get_by_label("COUNTER-raportti").set_input_files(str(bad))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    page.wait_for_load_state("load")
    refusal = page.get_by_role("alert").inner_text() + page.locator("main ul").first.inner_text()
    assert "rivi 15: Sarake Feb-2024: 'kaksikymmentä' ei ole kokonaisluku." in refusal
    assert_accessible(page)

    fixed = tmp_path / "korjattu-2.tsv"
    fixed.write_bytes(report(1, 3, [11, 20, 35]))
    page.get_by_label("COUNTER-raportti").set_input_files(str(fixed))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    page.wait_for_load_state("load")
    replaced = page.get_by_role("table").nth(1).inner_text()
    assert "Total_Item_Requests\t60\t66" in replaced
    assert_accessible(page)
    assert CounterUsage.objects.filter(replaced_by__isnull=False).count() == 0

    page.get_by_role("button", name="Vahvista tuonti").click()
    page.wait_for_url("**/stats/2024/#imports")
    assert sorted(CounterUsage.objects.filter(metric_type="Total_Item_Requests", replaced_by__isnull=True)
                  .values_list("count", flat=True)) == [11, 20, 35]
