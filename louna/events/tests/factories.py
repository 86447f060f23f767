"""factory_boy factories for the events app's tests."""

from datetime import date, datetime, time, timedelta

import factory
from factory.django import DjangoModelFactory

from louna.events.models import Item
from louna.events.recurrence import HELSINKI


def at(day: date, hour: int = 18, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI)


class ItemFactory(DjangoModelFactory):
    """A published event; pass `municipalities`/`libraries` lists or all_of_louna=True."""

    class Meta:
        model = Item
        skip_postgeneration_save = True

    kind = Item.Kind.EVENT
    title_fi = factory.Sequence(lambda n: f"Tapahtuma {n + 1}")
    text_fi = "Tervetuloa!"
    starts_at = factory.LazyFunction(lambda: at(date(2026, 11, 10)))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1) if o.starts_at else None)
    state = Item.State.PUBLISHED
    publish_from = factory.LazyFunction(lambda: at(date(2026, 1, 1), 0))
    audience = Item.Audience.ALL

    @factory.post_generation
    def libraries(self, create, extracted, **kwargs):
        if create and extracted:
            self.libraries.set(extracted)
            self.municipalities.set({library.municipality_id for library in extracted})
