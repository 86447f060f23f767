"""The statistics pages keep a constant number of SQL queries as the data grows: the demo
size (7 Louna service points and the 22 other members' main libraries) and `seed_demo
--scale 5` (100 more Louna points)."""

import pytest
from django.urls import reverse

from consortium.demo_data import demo_email, seed_core
from consortium.models import User
from stats.demo_data import seed_stats
from stats.models import Figure
from stats.tests.conftest import points_with_figures

pytestmark = pytest.mark.django_db

# The same at both sizes; the coordinator's year page reads the joint library organisations
# and Louna's municipalities beside the member ones.
PAGE_QUERIES = 16


@pytest.fixture(params=[0, 5], ids=["demo", "scale5"])
def seeded(request):
    seed_core()
    seed_stats(scale=request.param)
    return request.param


@pytest.mark.parametrize("who", ["henkilokunta", "koordinaattori", "johtaja.forssa"])
@pytest.mark.parametrize("url_name", ["stats:year_detail", "stats:year_list"])
def test_overview_query_count_is_constant(client, seeded, who, url_name, django_assert_max_num_queries):
    louna = points_with_figures(statistics_year__year=2024, service_point__library__cooperation_areas__slug="louna")
    assert louna == (7 + 100 if seeded else 7)
    points = points_with_figures(statistics_year__year=2024)
    assert points == louna + 22  # every other member's main library
    client.force_login(User.objects.get(email=demo_email(who)))
    url = reverse(url_name, args=[2024]) if url_name == "stats:year_detail" else reverse(url_name)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    if url_name == "stats:year_detail":
        expected = {"henkilokunta": points, "koordinaattori": louna}.get(who) or points_with_figures(
            statistics_year__year=2024, municipality__code="061")
        assert len(response.context["point_rows"]) == expected


def test_municipality_page_and_export_query_counts(client, seeded, django_assert_max_num_queries):
    from consortium.models import Municipality

    client.force_login(User.objects.get(email=demo_email("koordinaattori")))
    forssa = Municipality.objects.get(code="061")
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("stats:municipality_detail", args=[2024, forssa.pk])).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("stats:export", args=[2024])).status_code == 200


def test_home_with_the_statistics_card(client, seeded, django_assert_max_num_queries):
    client.force_login(User.objects.get(email=demo_email("koordinaattori")))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("home")).status_code == 200


def test_seeding_twice_changes_nothing(seeded):
    before = Figure.objects.count()
    seed_stats(scale=seeded)
    assert Figure.objects.count() == before
    assert not Figure.objects.filter(is_demo=False).exists()
