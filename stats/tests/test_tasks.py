"""The annual job: municipality totals from the service points and the shared services'
parts, completeness, state; idempotent; started by beat for the previous year."""

import codecs
from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone

from consortium.models import JobRun
from stats import services, tasks
from stats.models import MunicipalityYearTotal, StatisticsYear, StatsImport
from stats.selectors import municipality_year_figures
from stats.tests.conftest import POINTS_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(points, coordinator):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=codecs.BOM_UTF8 + POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=b"Tieto;Yhteensa\nfinna_visits;10001\n"
                         b"ematerial_uses;8190\n", file_name="yhteiset.csv", by=coordinator)
    return points


def _rows():
    return {t.municipality.code: t for t in MunicipalityYearTotal.objects.select_related("municipality")}


def test_compute_task_writes_each_municipalitys_totals(imported, humppila, tammela):
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK)
    result = tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()

    assert result == {"year": 2024, "municipalities": 2, "missing_service_points": 0, "report_versions": 2,
                      "locked": []}
    rows = _rows()
    assert (rows["103"].loans, rows["103"].collection, rows["103"].active_customers) == (58400, 31200, 1310)
    # Tammela: the main library and the bookmobile; the main library's active customers are not known yet.
    assert (rows["834"].loans, rows["834"].removals, rows["834"].active_customers) == (91250 + 20100, 2310, 450)
    assert (rows["103"].finna_visits, rows["834"].finna_visits) == (2655, 7346)
    assert rows["103"].ematerial_uses + rows["834"].ematerial_uses == 8190
    assert (rows["834"].service_points, rows["834"].service_points_missing) == (2, 0)
    statistics_year = StatisticsYear.objects.get(year=2024)
    assert statistics_year.state == StatisticsYear.State.COMPUTED and statistics_year.computed_at
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE and run.progress_total == 2 and "2024" in run.message


def test_running_twice_gives_the_same_result(imported):
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    first = {code: (t.pk, t.loans, t.finna_visits) for code, t in _rows().items()}
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    assert {code: (t.pk, t.loans, t.finna_visits) for code, t in _rows().items()} == first
    assert MunicipalityYearTotal.objects.count() == 2


def test_new_figures_change_the_totals_on_the_next_run(imported, coordinator):
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"LOUNA-103-1;1;1;1;100;1\n", file_name="korjaus.csv", by=coordinator)
    assert StatisticsYear.objects.get(year=2024).state == StatisticsYear.State.IMPORTED
    assert municipality_year_figures(year=2024, municipality_ids=[]) == {}
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    assert _rows()["103"].loans == 100


def test_missing_service_points_are_counted(points, coordinator, humppila):
    from consortium.tests.factories import ServicePointFactory

    ServicePointFactory(library=humppila, name="Suljettu 2022", closed_on=date(2022, 6, 30))  # owes nothing
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                              b"Q-834;1;1;1;1;1\n", file_name="osa.csv", by=coordinator)
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    rows = _rows()
    assert (rows["103"].service_points, rows["103"].service_points_missing) == (1, 1)
    assert (rows["834"].service_points, rows["834"].service_points_missing) == (2, 1)
    assert StatisticsYear.objects.get(year=2024).missing_service_points == 2


def test_a_reported_year_is_not_computed_again(imported, coordinator):
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    services.year_mark_reported(year=2024, by=coordinator)
    before = {code: t.computed_at for code, t in _rows().items()}
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK)
    with pytest.raises(Exception, match="locked"):
        tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED and "locked" in run.message
    assert {code: t.computed_at for code, t in _rows().items()} == before


def test_beat_leaves_a_reported_previous_year_alone(points):
    year = timezone.localdate().year - 1
    StatisticsYear.objects.create(year=year, state=StatisticsYear.State.REPORTED)
    assert tasks.compute_previous_year.apply().get() is None
    assert not MunicipalityYearTotal.objects.exists()
    assert StatisticsYear.objects.get(year=year).state == StatisticsYear.State.REPORTED


def test_the_selector_for_other_apps_returns_plain_data(imported, humppila, tammela):
    tasks.compute_year.apply(kwargs={"year": 2024}).get()
    figures = municipality_year_figures(year=2024, municipality_ids=[humppila.municipality_id])
    assert list(figures) == [humppila.municipality_id]
    assert figures[humppila.municipality_id]["loans"] == 58400
    assert figures[humppila.municipality_id]["code"] == "103"
    assert municipality_year_figures(year=2023, municipality_ids=[humppila.municipality_id]) == {}


def test_beat_computes_the_previous_year_on_15_january():
    entry = settings.CELERY_BEAT_SCHEDULE["stats-compute-previous-year"]
    assert entry["task"] == tasks.compute_previous_year.name
    schedule = entry["schedule"]
    assert schedule.month_of_year == {1} and schedule.day_of_month == {15}
    assert schedule.hour == {6} and schedule.minute == {0}


def test_previous_year_task_computes_last_year(points):
    result = tasks.compute_previous_year.apply().get()
    year = timezone.localdate().year - 1
    assert result["year"] == year
    assert StatisticsYear.objects.get(year=year).state == StatisticsYear.State.COMPUTED
    # Nothing imported: every service point is reported missing.
    assert result["missing_service_points"] == 3
    assert JobRun.objects.filter(task_name=tasks.COMPUTE_TASK, state=JobRun.State.DONE).count() == 1
