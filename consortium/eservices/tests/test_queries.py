"""The catalogue and offering pages keep a constant number of queries as data grows:
the demo data, and the demo data at --scale 10."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from ..models import Offering, Stage

pytestmark = pytest.mark.django_db

# Measured at both sizes (the staff's session and roles included): anonymous readers need
# one query fewer on each page.
CATALOGUE_QUERIES = 2
OFFERING_QUERIES = 4
GROUPS_QUERIES = 3
PROPOSALS_QUERIES = 2


@pytest.fixture(params=[0, 10], ids=["demo", "scale-10"])
def seeded(request, db):
    call_command("seed_demo", scale=request.param, verbosity=0)
    return request.param


@pytest.mark.parametrize("who", [None, "staff"])
def test_catalogue_and_offering_query_counts(client, seeded, who, django_assert_max_num_queries):
    from consortium.models import Role, User

    if who:
        client.force_login(User.objects.filter(role_assignments__role=Role.STAFF).first())
    busiest = Offering.objects.filter(stage=Stage.OFFERED).order_by("-pk").first()
    assert Offering.objects.count() >= 9 + 10 * seeded
    with django_assert_max_num_queries(CATALOGUE_QUERIES):
        assert client.get(reverse("eservices:catalogue")).status_code == 200
    with django_assert_max_num_queries(OFFERING_QUERIES):
        assert client.get(reverse("eservices:offering_detail", args=[busiest.pk])).status_code == 200
    if who:
        with django_assert_max_num_queries(GROUPS_QUERIES):
            assert client.get(reverse("eservices:groups")).status_code == 200
        with django_assert_max_num_queries(PROPOSALS_QUERIES):
            assert client.get(reverse("eservices:proposals")).status_code == 200
