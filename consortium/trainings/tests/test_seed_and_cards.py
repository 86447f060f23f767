"""The demo seeder (idempotent, and at scale with bulk inserts) and the front-page cards."""

from datetime import timedelta

import pytest
from django.urls import reverse

from consortium.management.commands.seed_demo import Command as SeedDemo  # noqa: F401  the command exists
from consortium.trainings.demo_data import seed_trainings
from consortium.trainings.models import Registration, Training

from .factories import NOW, RegistrationFactory, TrainingFactory

pytestmark = pytest.mark.django_db


def test_seeder_is_idempotent_and_scales(humppila, staff_user, contact):
    seed_trainings(scale=0, today=NOW.date())
    examples = Training.objects.count()
    assert examples == 3
    seed_trainings(scale=0, today=NOW.date())
    assert Training.objects.count() == examples
    seed_trainings(scale=1, today=NOW.date())
    assert Training.objects.count() == examples + 30
    assert Registration.objects.filter(training__title_fi__startswith="Generoitu").count() == 3000


def test_front_page_cards_for_a_person_and_for_staff(client, contact, staff_user, humppila):
    import time_machine

    training = TrainingFactory(title_fi="Tuleva koulutus", capacity=2)
    RegistrationFactory(training=training, user=contact, email=contact.email, library=humppila)
    offered = TrainingFactory(title_fi="Tarjottu koulutus")
    RegistrationFactory(training=offered, user=contact, email=contact.email, library=humppila,
                        state=Registration.State.OFFERED, offer_expires_at=NOW + timedelta(hours=10))
    RegistrationFactory(training=training, library=humppila)
    with time_machine.travel(NOW, tick=False):
        client.force_login(contact)
        page = client.get(reverse("home")).content.decode()
        assert "Tuleva koulutus" in page and "Sinulle tarjotaan koulutuspaikkaa" in page
        client.force_login(staff_user)
        page = client.get(reverse("home")).content.decode()
        assert "Lähes täydet koulutukset" in page and "2/2" in page
