"""A cancellation offers the freed place to the first person waiting, with a time to accept;
an offer not accepted in time lapses (the person is told) and goes to the next."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from consortium.trainings import services
from consortium.trainings.models import Registration

from .factories import NOW, RegistrationFactory, TrainingFactory

pytestmark = pytest.mark.django_db
State = Registration.State


@pytest.fixture
def full_training():
    training = TrainingFactory(capacity=1)
    holder = RegistrationFactory(training=training)
    first = RegistrationFactory(training=training, state=State.WAITING)
    second = RegistrationFactory(training=training, state=State.WAITING)
    return training, holder, first, second


def test_a_cancellation_offers_the_place_for_48_hours(full_training, outbox):
    training, holder, first, second = full_training
    services.registration_cancel(registration=holder, by=None, now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.OFFERED and first.offer_expires_at == NOW + timedelta(hours=48)
    assert second.state == State.WAITING
    [offer] = outbox("trainings.offer")
    assert offer.to == first.email and "/trainings/r/" in offer.body_text


def test_the_offer_is_shorter_near_the_start(full_training):
    training, holder, first, _second = full_training
    now = training.starts_at - timedelta(hours=20)
    services.registration_cancel(registration=holder, by=None, staff=True, now=now)
    first.refresh_from_db()
    assert first.offer_expires_at == training.starts_at - timedelta(hours=services.OFFER_LAST_HOURS)


def test_accepting_the_offer_registers_and_confirms(full_training, outbox):
    training, holder, first, _second = full_training
    services.registration_cancel(registration=holder, by=None, now=NOW)
    services.offer_accept(registration=first, now=NOW + timedelta(hours=1))
    first.refresh_from_db()
    assert first.state == State.REGISTERED
    assert [m.to for m in outbox("trainings.confirmation")] == [first.email]


def test_a_lapsed_offer_tells_the_person_and_goes_to_the_next(full_training, outbox):
    training, holder, first, second = full_training
    services.registration_cancel(registration=holder, by=None, now=NOW)
    later = NOW + timedelta(hours=49)
    with pytest.raises(ValidationError, match="offer ended"):
        services.offer_accept(registration=first, now=later)
    assert services.offers_lapse(now=later) == 1
    assert services.offers_lapse(now=later) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.LAPSED and second.state == State.OFFERED
    assert [m.to for m in outbox("trainings.lapsed")] == [first.email]
    assert [m.to for m in outbox("trainings.offer")] == [first.email, second.email]


def test_a_new_registration_queues_behind_an_open_offer(full_training, humppila):
    training, holder, first, second = full_training
    services.registration_cancel(registration=holder, by=None, now=NOW)
    newcomer = services.registration_create(training=training, library=humppila, full_name="Uusi",
                                            email="uusi@kirjasto.example", by=None, now=NOW)
    assert newcomer.state == State.WAITING


def test_the_tick_task_lapses_offers(full_training):
    import time_machine

    from consortium.trainings.tasks import trainings_tick

    training, holder, first, second = full_training
    services.registration_cancel(registration=holder, by=None, now=NOW)
    with time_machine.travel(NOW + timedelta(hours=49), tick=False):
        result = trainings_tick.apply().get()
    assert result["lapsed"] == 1
    second.refresh_from_db()
    assert second.state == State.OFFERED
