"""factory_boy factories for the trainings' tests. Times are fixed (no test depends on today)."""

from datetime import datetime, timedelta

import factory
from factory.django import DjangoModelFactory

from consortium.tests.factories import LibraryFactory
from consortium.trainings.models import HELSINKI, Registration, Training

# "Now" in the tests: Monday 2.11.2026 10.00 in Helsinki.
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=HELSINKI)


class TrainingFactory(DjangoModelFactory):
    """A published training day on Thursday 19.11.2026 9.00–15.00, registration open now."""

    class Meta:
        model = Training
        skip_postgeneration_save = True

    kind = Training.Kind.DAY
    title_fi = factory.Sequence(lambda n: f"Koulutuspäivä {n + 1}")
    theme = "E-aineistojen näkyvyys"
    description_fi = "Koulutus e-aineistoista."
    place_fi = "Oodi, Helsinki"
    starts_at = datetime(2026, 11, 19, 9, 0, tzinfo=HELSINKI)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=6))
    capacity = 10
    registration_opens_at = NOW - timedelta(days=10)
    registration_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=2))
    state = Training.State.PUBLISHED


class WebinarFactory(TrainingFactory):
    kind = Training.Kind.WEBINAR
    place_fi = ""
    online_link = "https://meet.example.invalid/webinaari-42"
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    training = factory.SubFactory(TrainingFactory)
    library = factory.SubFactory(LibraryFactory)
    full_name = factory.Sequence(lambda n: f"Osallistuja {n + 1}")
    email = factory.Sequence(lambda n: f"osallistuja{n + 1}@kirjasto.example")
    state = Registration.State.REGISTERED
