"""factory_boy factories for the statistics' own models."""

import factory
from factory.django import DjangoModelFactory

from stats.models import CounterPlatform, Service


class EMaterialServiceFactory(DjangoModelFactory):
    """An e-material service whose vendor reports its own figures (no COUNTER report)."""

    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ematerial-{n}")
    name = factory.Sequence(lambda n: f"E-aineistopalvelu {n}")
    kind = Service.Kind.EMATERIAL


class CounterPlatformFactory(DjangoModelFactory):
    """A COUNTER platform name an e-material service's reports give."""

    class Meta:
        model = CounterPlatform

    service = factory.SubFactory(EMaterialServiceFactory)
    name = factory.Sequence(lambda n: f"Platform {n}")
