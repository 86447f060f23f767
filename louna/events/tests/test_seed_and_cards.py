"""The demo seeder (idempotent, --scale adds volume) and the coordinator's card."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from consortium.demo_data import demo_email, seed_core
from consortium.models import User
from louna.events.demo_data import GENERATED, seed_events
from louna.events.models import Item
from louna.events.tests.factories import at

pytestmark = pytest.mark.django_db


def test_seeder_is_idempotent_and_scales():
    with time_machine.travel(at(date(2026, 12, 4), 12), tick=False):
        seed_core()
        seed_events()
        first = Item.objects.count()
        seed_events()
        assert Item.objects.count() == first >= 5
        assert Item.objects.filter(state=Item.State.PENDING).exists()
        story = Item.objects.get(title_fi="Satutunti (demo)")
        assert story.repeat == Item.Repeat.WEEKLY and story.exception_dates == ["2026-10-27"]
        seed_events(scale=1)
        assert Item.objects.filter(title_fi__startswith=GENERATED).count() == 100


def test_coordinator_sees_waiting_items_on_the_front_page(client):
    with time_machine.travel(at(date(2026, 12, 4), 12), tick=False):
        seed_core()
        seed_events()
        client.force_login(User.objects.get(email=demo_email("koordinaattori")))
        page = client.get(reverse("home")).content.decode()
    assert "Tarkastustasi odottavat tapahtumat ja uutiset" in page
    assert "Lukupiiri: kotimaiset klassikot (demo)" in page
