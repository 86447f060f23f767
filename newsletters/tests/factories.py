import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from newsletters.models import Block, Issue, Item, Subscriber


def finnish_names(kwargs: dict) -> dict:
    """A test's title=/subject= is the Finnish text, whatever language a request left active."""
    from newsletters.services import FINNISH_ALIASES

    return {FINNISH_ALIASES.get(key, key): value for key, value in kwargs.items()}


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = Item

    title_fi = factory.Sequence(lambda n: f"Ajankohtaista {n}")
    body_fi = "Tärkeä **asia** jäsenkirjastoille."

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return finnish_names(kwargs)


class IssueFactory(DjangoModelFactory):
    class Meta:
        model = Issue

    month = factory.Sequence(lambda n: timezone.localdate().replace(day=1, year=2000 + n % 50, month=1 + n % 12))
    subject_fi = factory.Sequence(lambda n: f"Uutiskirje {n}")
    period_start = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=30))
    period_end = factory.LazyFunction(timezone.now)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return finnish_names(kwargs)


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = Block

    issue = factory.SubFactory(IssueFactory)
    title = factory.Sequence(lambda n: f"Osa {n}")
    body = "Tekstiä *kursiivilla*."
    position = factory.Sequence(lambda n: n * 10)


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"tilaaja{n}@kirjasto.example")
    status = Subscriber.Status.ACTIVE
    consent_method = Subscriber.Method.IMPORT
    consent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        """SubscriberFactory(areas=[area]): the cooperation areas the subscriber works in."""
        if create and extracted:
            self.areas.add(*extracted)
