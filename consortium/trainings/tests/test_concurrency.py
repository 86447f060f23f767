"""20 people press the button at once for the last 5 places: exactly 5 get one, on PostgreSQL
with real connections (one thread and one connection each)."""

import threading

import pytest
from django.db import close_old_connections, connection

from consortium.trainings import services
from consortium.trainings.models import Registration

from .factories import NOW, RegistrationFactory, TrainingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_simultaneous_registrations_for_the_last_five_places(humppila):
    if connection.vendor != "postgresql":
        pytest.skip("SKIPPED LOUDLY: the capacity race needs PostgreSQL's row locks; run with "
                    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_<you>")
    training = TrainingFactory(capacity=10)
    RegistrationFactory.create_batch(5, training=training, library=humppila)
    barrier = threading.Barrier(20)
    errors = []

    def press(n):
        try:
            barrier.wait()
            services.registration_create(training=training, library=humppila, full_name=f"Henkilö {n}",
                                         email=f"h{n}@humppila.example", by=None, now=NOW)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=press, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    states = list(training.registrations.values_list("state", flat=True))
    assert states.count(Registration.State.REGISTERED) == 10
    assert states.count(Registration.State.WAITING) == 15
