"""The allocation key chosen per shared figure (issue 13, item 4): by population, by loans,
by agreed shares or equally; the parts add up exactly, and the key and its inputs are kept
beside the split."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stats import services
from stats.allocation import largest_remainder
from stats.models import KEYED_FIGURES, AllocationKey, SharedServiceTotal, SplitMethod, StatisticsYear, StatsImport
from stats.tests.conftest import POINTS_CSV, municipality_parts

pytestmark = pytest.mark.django_db

SHARED = b"Tieto;Yhteensa\nfinna_visits;10001\n"


def _import_shared(by):
    return services.import_save(year=2024, kind=StatsImport.Kind.SHARED, data=SHARED, file_name="yhteiset.csv",
                                by=by)


def test_a_figure_without_a_chosen_key_is_split_by_population(points, coordinator, humppila, tammela):
    _import_shared(coordinator)
    total = SharedServiceTotal.objects.get(metric="finna_visits")
    assert total.split_method == SplitMethod.POPULATION and total.population_year == 2020
    assert municipality_parts("finna_visits") == largest_remainder(
        10001, {humppila.municipality_id: 2174, tammela.municipality_id: 6016})


def test_equally(points, coordinator, humppila, tammela):
    services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.EQUAL, by=coordinator)
    _import_shared(coordinator)
    parts = municipality_parts("finna_visits")
    assert sorted(parts.values()) == [5000, 5001] and sum(parts.values()) == 10001
    assert SharedServiceTotal.objects.get(metric="finna_visits").split_method == SplitMethod.EQUAL


def test_by_agreed_shares(points, coordinator, humppila, tammela):
    services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.AGREED, by=coordinator,
                                 agreed_shares={humppila.municipality_id: 1, tammela.municipality_id: 3})
    _import_shared(coordinator)
    # 10001 · 1/4 = 2500.25 and · 3/4 = 7500.75: the unit left over goes to the larger remainder.
    assert municipality_parts("finna_visits") == {humppila.municipality_id: 2500, tammela.municipality_id: 7501}
    total = SharedServiceTotal.objects.get(metric="finna_visits")
    assert total.split_method == SplitMethod.AGREED
    assert total.key_inputs == {str(humppila.municipality_id): 1, str(tammela.municipality_id): 3}


def test_by_loans_of_the_year(points, coordinator, humppila, tammela):
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.LOANS, by=coordinator)
    _import_shared(coordinator)
    loans = {humppila.municipality_id: 58400, tammela.municipality_id: 91250 + 20100}
    assert municipality_parts("finna_visits") == largest_remainder(10001, loans)
    assert SharedServiceTotal.objects.get(metric="finna_visits").key_inputs == {str(k): v for k, v in loans.items()}


def test_by_loans_before_any_loans_are_imported_is_refused_naming_the_municipalities(points, coordinator):
    services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.LOANS, by=coordinator)
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED, data=SHARED)
    assert len(parsed.errors) == 1
    message = parsed.errors[0].message
    assert "Humppila" in message and "Tammela" in message and "loans" in message
    with pytest.raises(ValidationError):
        _import_shared(coordinator)
    assert not SharedServiceTotal.objects.exists()


def test_agreed_shares_are_needed_for_every_municipality_and_not_all_zero(points, coordinator, humppila, tammela):
    with pytest.raises(ValidationError) as missing:
        services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.AGREED, by=coordinator,
                                     agreed_shares={humppila.municipality_id: 2})
    assert set(missing.value.error_dict) == {f"share_{tammela.municipality_id}"}
    with pytest.raises(ValidationError) as zero:
        services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.AGREED, by=coordinator,
                                     agreed_shares={humppila.municipality_id: 0, tammela.municipality_id: 0})
    assert "method" in zero.value.error_dict
    with pytest.raises(ValidationError):
        services.allocation_key_save(year=2024, metric="no_such_figure", method=SplitMethod.EQUAL, by=coordinator)
    assert not AllocationKey.objects.exists()


def test_the_coordinator_chooses_the_key_on_a_page(client, points, coordinator, humppila, tammela):
    services.statistics_year_open(year=2024)
    client.force_login(coordinator)
    page = client.get(reverse("stats:allocation_keys", args=[2024])).content.decode()
    # Every shared figure is listed, each on population until a key is chosen.
    assert "Finnan verkkokäynnit" in page and page.count("ei valittu") == len(KEYED_FIGURES)
    url = reverse("stats:allocation_key_edit", args=[2024, "finna_visits"])
    response = client.post(url, {"method": SplitMethod.AGREED, f"share_{humppila.municipality_id}": "1"})
    assert response.status_code == 200  # Tammela's share is missing: the form names it
    assert response.context["form"].errors[f"share_{tammela.municipality_id}"]
    assert not AllocationKey.objects.exists()
    response = client.post(url, {"method": SplitMethod.AGREED, f"share_{humppila.municipality_id}": "1",
                                 f"share_{tammela.municipality_id}": "3"})
    assert response.status_code == 302
    key = AllocationKey.objects.get()
    assert (key.method, key.agreed_shares, key.updated_by) == (
        SplitMethod.AGREED, {str(humppila.municipality_id): 1, str(tammela.municipality_id): 3}, coordinator)
    # The list shows the shares themselves, not only that there are some.
    page = client.get(reverse("stats:allocation_keys", args=[2024])).content.decode()
    assert "sovituin osuuksin: Humppila 1 / 4, Tammela 3 / 4" in page
    assert client.get(reverse("stats:allocation_key_edit", args=[2024, "no_such_figure"])).status_code == 404


def test_only_the_coordinator_and_staff_reach_the_keys(client, points, director, coordinator):
    services.statistics_year_open(year=2024)
    client.force_login(director)
    assert client.get(reverse("stats:allocation_keys", args=[2024])).status_code == 403
    assert client.post(reverse("stats:allocation_key_edit", args=[2024, "finna_visits"]),
                       {"method": SplitMethod.EQUAL}).status_code == 403
    assert not AllocationKey.objects.exists()


def test_a_locked_year_keeps_its_keys(client, points, coordinator):
    year = services.statistics_year_open(year=2024)
    StatisticsYear.objects.filter(pk=year.pk).update(state=StatisticsYear.State.REPORTED)
    with pytest.raises(ValidationError):
        services.allocation_key_save(year=2024, metric="finna_visits", method=SplitMethod.EQUAL, by=coordinator)
    client.force_login(coordinator)
    client.post(reverse("stats:allocation_key_edit", args=[2024, "finna_visits"]), {"method": SplitMethod.EQUAL})
    assert not AllocationKey.objects.exists()
