"""In a real browser: the coordinator uploads a COUNTER report with a text in a month cell,
sees the row and column named in Finnish, uploads the corrected report, sees what it replaces
of the report imported before (the totals now and after), and confirms; axe-core is clean on
the upload page, the refusal and the preview. A large report goes the same way through the
background check's progress page."""

import pytest

from consortium.tests.factories import PASSWORD
from stats import services
from stats.models import CounterUsage, StatisticsYear
from testsupport import assert_accessible, login

from .test_counter_replacing import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirm_the_replacement(page):
    """The preview is accessible and has saved nothing; confirming puts the new counts in force."""
    assert_accessible(page)
    assert CounterUsage.objects.filter(replaced_by__isnull=False).count() == 0
    page.get_by_role("button", name="Vahvista tuonti").click()
    page.wait_for_url("**/stats/2024/#imports")
    assert sorted(CounterUsage.objects.filter(metric_type="Total_Item_Requests", replaced_by__isnull=True)
                  .values_list("count", flat=True)) == [11, 20, 35]


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
    assert "rivi 15: Sarake Feb-2024: ”kaksikymmentä” ei ole kokonaisluku." in refusal
    assert_accessible(page)

    fixed = tmp_path / "korjattu-2.tsv"
    fixed.write_bytes(report(1, 3, [11, 20, 35]))
    page.get_by_label("COUNTER-raportti").set_input_files(str(fixed))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    page.wait_for_load_state("load")
    replaced = page.get_by_role("table").nth(1).inner_text()
    assert "Total_Item_Requests\t60\t66" in replaced
    _confirm_the_replacement(page)


def test_coordinator_follows_a_large_report_through_the_background_check_and_confirms(page, settings, coordinator,
                                                                                     tmp_path):
    """A report over STATS_IMPORT_JOB_ROWS lines: the progress page, then by itself the same
    preview as a small report's, then the confirm saves it through the save job."""
    from consortium.models import JobRun
    from stats import tasks
    from stats.models import DraftState, PendingImport
    from stats.tests.conftest import broker_unreachable

    settings.STATS_IMPORT_JOB_ROWS = 2  # the check runs in the test's process below (eager settings)
    StatisticsYear.objects.create(year=2024)
    services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="tammi-maalis.tsv", by=coordinator)
    large = tmp_path / "koko-vuosi.tsv"
    large.write_bytes(report(1, 3, [11, 20, 35]))
    login(page, coordinator.email, PASSWORD)

    with broker_unreachable():  # the check waits, so the page shows its progress first
        page.goto("/stats/2024/import/counter/")
        page.get_by_label("COUNTER-raportti").set_input_files(str(large))
        page.get_by_role("button", name="Tarkista tiedosto").click()
        page.wait_for_load_state("load")
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.CHECKING and page.locator("progress").count() == 1
    assert_accessible(page)

    tasks.check_import.apply(kwargs={"draft_id": draft.pk, "job_run_id": draft.job_run_id})
    page.get_by_role("button", name="Vahvista tuonti").wait_for(timeout=10_000)
    assert "Total_Item_Requests\t60\t66" in page.get_by_role("table").nth(1).inner_text()
    _confirm_the_replacement(page)
    assert JobRun.objects.filter(task_name=tasks.SAVE_IMPORT_TASK, state=JobRun.State.DONE).count() == 1


def test_the_coordinator_sees_the_uses_by_month_and_the_platform_no_service_claims(page, coordinator, points):
    """The e-materials page and the overview with COUNTER uses and an unclaimed platform:
    the uses by month, the warning naming the platform, axe-core clean on both."""
    from stats.tests.factories import CounterPlatformFactory, EMaterialServiceFactory

    StatisticsYear.objects.create(year=2024)
    CounterPlatformFactory(service=EMaterialServiceFactory(code="ellibs", name="Ellibs"), name="DemoPlatform")
    EMaterialServiceFactory(code="bookbites", name="BookBites")
    services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="ellibs.tsv", by=coordinator)
    services.counter_import_save(data=report(1, 3, [1, 2, 3], platform="BookBites"), file_name="bb.tsv",
                                 by=coordinator)
    login(page, coordinator.email, PASSWORD)
    page.goto("/stats/2024/ematerials/")
    table = page.get_by_role("table", name="Käyttökerrat COUNTER-raporteista kuukausittain").inner_text()
    assert "Ellibs\t10\t20\t30" in table and "BookBites" not in table
    assert "BookBites: 6 käyttökertaa" in page.get_by_role("status").first.inner_text()
    assert_accessible(page)
    page.goto("/stats/2024/overview/")
    warning = page.get_by_role("status").first.inner_text()
    assert "BookBites: 6 käyttökertaa" in warning and "ilman COUNTER-alustaa: BookBites" in warning
    assert_accessible(page)
