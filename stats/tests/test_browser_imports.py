"""In a real browser: the coordinator uploads a large file with one bad row (checked by a
background job), sees the row named, fixes the file, uploads it again, watches the check's
progress bar turn into the preview without reloading by hand, and confirms; axe-core is
clean on the import page, the progress page, the refused file and the preview."""

import pytest

from consortium.models import JobRun
from consortium.tests.factories import PASSWORD
from stats import tasks
from stats.models import DraftState, PendingImport, StatisticsYear
from stats.tests.conftest import POINTS_CSV, broker_unreachable, point_figures
from testsupport import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_fixes_a_bad_row_of_a_large_file_and_confirms(page, settings, coordinator, points, tmp_path):
    # Files over two data rows go to the background job (run in-process: the test settings are eager).
    settings.STATS_IMPORT_JOB_ROWS = 2
    StatisticsYear.objects.create(year=2024)
    bad = tmp_path / "kansallinen.csv"
    bad.write_bytes(POINTS_CSV.replace("91 250", "91 250 kpl").encode("cp1252"))
    login(page, coordinator.email, PASSWORD)

    page.goto("/stats/2024/import/")
    assert_accessible(page)
    page.get_by_label("CSV-tiedosto").set_input_files(str(bad))
    page.get_by_role("button", name="Tarkista tiedosto").click()
    page.wait_for_load_state("load")
    errors = page.get_by_role("table").first.inner_text()
    assert "3" in errors and "Lainaus" in errors and "91 250 kpl" in errors  # row 3, the column, the value
    assert_accessible(page)
    assert point_figures(points["humppila"]) == (None,) * 5

    # The fixed file: the check's page shows its progress, then the preview by itself.
    fixed = tmp_path / "kansallinen-korjattu.csv"
    fixed.write_bytes(POINTS_CSV.encode("cp1252"))
    with broker_unreachable():
        page.goto("/stats/2024/import/")
        page.get_by_label("CSV-tiedosto").set_input_files(str(fixed))
        page.get_by_role("button", name="Tarkista tiedosto").click()
        page.wait_for_load_state("load")
    draft = PendingImport.objects.get()
    assert draft.state == DraftState.CHECKING
    assert page.locator("progress").count() == 1
    assert_accessible(page)
    # The worker's part, here in the test's process: the page notices and shows the preview.
    tasks.check_import.apply(kwargs={"draft_id": draft.pk, "job_run_id": draft.job_run_id})
    page.get_by_role("button", name="Vahvista tuonti").wait_for(timeout=10_000)
    assert "Tammelan kirjastoauto" in page.get_by_role("table").first.inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Vahvista tuonti").click()
    page.wait_for_url("**/stats/2024/")
    assert point_figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1310)
    assert JobRun.objects.filter(task_name=tasks.SAVE_IMPORT_TASK, state=JobRun.State.DONE).count() == 1
