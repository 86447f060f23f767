"""The calendar keeps a constant number of SQL queries as trainings and registrations grow."""

import pytest
from django.urls import reverse

from consortium.trainings.models import Registration

from .factories import RegistrationFactory, TrainingFactory

pytestmark = pytest.mark.django_db



@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("params", [{}, {"month": "2026-11"}, {"kind": "day", "theme": "Metadata"}])
def test_calendar_queries_do_not_grow(client, django_assert_max_num_queries, humppila, size, params):
    for n in range(size):
        training = TrainingFactory(theme="Metadata" if n % 2 else "E-kirjasto")
        RegistrationFactory.create_batch(3, training=training, library=humppila)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("trainings:calendar"), params).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_registrations_page_queries_do_not_grow(client, django_assert_max_num_queries, staff_user, humppila, tampere,
                                                size):
    training = TrainingFactory(capacity=100)
    for library in (humppila, tampere):
        RegistrationFactory.create_batch(size, training=training, library=library)
    client.force_login(staff_user)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("trainings:registrations", args=[training.pk])).status_code == 200
