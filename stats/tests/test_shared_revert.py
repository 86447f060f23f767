"""Reverting an import that split a shared figure brings back the split it replaced: the
earlier parts with the total, the key and the key's inputs they were made by, shown beside
the figure on the municipality's report page (SharedServiceTotal kept per import,
`replaced_by`, as the parts are)."""

import codecs

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stats import annual_services, services
from stats.models import Metric, Service, ServiceFigure, SharedServiceTotal, SplitMethod, StatsImport
from stats.tests.conftest import municipality_parts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]


def _shared(by, text: str, name: str):
    return services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=text.encode(), file_name=name, by=by)


def _matomo(by, text: str, name: str):
    return services.import_save(year=2024, kind=StatsImport.Kind.WEB_VISITS,
                                data=codecs.BOM_UTF16_LE + text.encode("utf-16-le"), file_name=name, by=by)


def _in_force(metric: str):
    return SharedServiceTotal.objects.get(metric=metric, replaced_by__isnull=True)


def _finna_on_the_report_page(client, director, humppila) -> tuple[dict, str]:
    """The annual job run, then Humppila's report page as its director reads it: the
    finna_visits row (value and the split shown beside it) and the page."""
    annual_services.annual_reports_create(year=2024, notify=False)
    client.force_login(director)
    response = client.get(reverse("stats:annual_municipality", args=[2024, humppila.municipality_id]))
    assert response.status_code == 200
    row = next(row for row in response.context["comparison"] if row["code"] == "finna_visits")
    return row, response.content.decode()


def test_reverting_a_later_shared_file_brings_back_the_earlier_total_key_and_inputs(
        client, points, coordinator, director, humppila, tammela):
    h, t = humppila.municipality_id, tammela.municipality_id
    first = _shared(coordinator, "Tieto;Yhteensä\nfinna_visits;10 001\n", "yhteiset-1.csv")
    assert municipality_parts("finna_visits") == {h: 2655, t: 7346}  # by population 2 174 : 6 016
    # The key changes and a second file splits a new total by it.
    services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.AGREED, by=coordinator,
                                 agreed_shares={h: 1, t: 3})
    second = _shared(coordinator, "Tieto;Yhteensä\nfinna_visits;20 000\n", "yhteiset-2.csv")
    assert municipality_parts("finna_visits") == {h: 5000, t: 15000}
    assert (_in_force("finna_visits").total, _in_force("finna_visits").split_method) == (20000, SplitMethod.AGREED)
    with pytest.raises(ValidationError, match="revert the later import first"):
        services.import_revert(stats_import=first, by=coordinator)

    services.import_revert(stats_import=second, by=coordinator)

    assert municipality_parts("finna_visits") == {h: 2655, t: 7346}
    total = _in_force("finna_visits")
    assert (total.total, total.split_method, total.population_year, total.key_inputs, total.source_import) == (
        10001, SplitMethod.POPULATION, 2020, {str(h): 2174, str(t): 6016}, first)
    assert SharedServiceTotal.objects.count() == 1  # the second file's total went with it
    row, page = _finna_on_the_report_page(client, director, humppila)
    assert row["value"] == 2655
    split = row["split"]
    assert (split["total"], split["key"], split["population_year"], split["weight"], split["weights_total"]) == (
        10001, SplitMethod.POPULATION, 2020, 2174, 8190)
    assert "10\xa0001" in page and "2\xa0174 / 8\xa0190" in page and "2020" in page


def test_reverting_the_only_shared_file_leaves_no_total_and_no_split_on_the_page(
        client, points, coordinator, director, humppila):
    only = _shared(coordinator, "Tieto;Yhteensä\nfinna_visits;10 001\n", "yhteiset.csv")
    services.import_revert(stats_import=only, by=coordinator)
    assert not SharedServiceTotal.objects.exists() and not municipality_parts("finna_visits")
    row, _page = _finna_on_the_report_page(client, director, humppila)
    assert (row["value"], row["split"]) == (None, None)


@pytest.fixture
def finna(points):
    services.statistics_year_open(year=2024)
    return Service.objects.create(code="finna", name="Finna", kind=Service.Kind.WEB, matomo_site="3",
                                  feeds=Metric.objects.get(code="finna_visits"))


def test_reverting_a_later_matomo_import_brings_back_the_earlier_split_of_the_sites_figure(
        client, finna, coordinator, director, humppila, tammela):
    h, t = humppila.municipality_id, tammela.municipality_id
    january = _matomo(coordinator, "date,label,nb_visits\n2024-01,Finna,10001\n", "matomo-tammikuu.csv")
    assert municipality_parts("finna_visits") == {h: 2655, t: 7346}
    services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.EQUAL, by=coordinator)
    # February's visits: the site's year so far (20 001) split equally now.
    february = _matomo(coordinator, "date,label,nb_visits\n2024-02,Finna,10000\n", "matomo-helmikuu.csv")
    assert municipality_parts("finna_visits") == {h: 10001, t: 10000}
    assert (_in_force("finna_visits").total, _in_force("finna_visits").split_method) == (20001, SplitMethod.EQUAL)

    services.import_revert(stats_import=february, by=coordinator)

    assert dict(ServiceFigure.objects.filter(service=finna, replaced_by__isnull=True)
                .values_list("month", "value")) == {1: 10001}
    assert municipality_parts("finna_visits") == {h: 2655, t: 7346}
    total = _in_force("finna_visits")
    assert (total.total, total.split_method, total.population_year, total.key_inputs, total.source_import) == (
        10001, SplitMethod.POPULATION, 2020, {str(h): 2174, str(t): 6016}, january)
    row, page = _finna_on_the_report_page(client, director, humppila)
    assert row["value"] == 2655
    assert (row["split"]["total"], row["split"]["key"], row["split"]["weight"], row["split"]["weights_total"]) == (
        10001, SplitMethod.POPULATION, 2174, 8190)
    assert "10\xa0001" in page and "2\xa0174 / 8\xa0190" in page

    services.import_revert(stats_import=january, by=coordinator)
    assert not SharedServiceTotal.objects.exists() and not municipality_parts("finna_visits")


def test_reverting_a_matomo_import_that_replaced_a_shared_files_figure_brings_the_files_split_back(
        finna, coordinator, humppila, tammela):
    """The site's split replaces the figure the shared-services file gave (by its parts as
    given): the revert brings back the file's parts and its "as given" total."""
    h, t = humppila.municipality_id, tammela.municipality_id
    given = _shared(coordinator, "Tieto;Yhteensä;103;834\nfinna_visits;900;300;600\n", "yhteiset.csv")
    visits = _matomo(coordinator, "date,label,nb_visits\n2024-03,Finna,8190\n", "matomo.csv")
    assert municipality_parts("finna_visits") == {h: 2174, t: 6016}
    assert _in_force("finna_visits").source_import == visits

    services.import_revert(stats_import=visits, by=coordinator)

    assert municipality_parts("finna_visits") == {h: 300, t: 600}
    total = _in_force("finna_visits")
    assert (total.total, total.split_method, total.population_year, total.key_inputs, total.source_import) == (
        900, SplitMethod.GIVEN, None, {str(h): 300, str(t): 600}, given)
