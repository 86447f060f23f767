"""factory_boy factories of the procurement app."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consortium.calendar import next_working_day
from consortium.tests.factories import LibraryFactory, UserFactory
from procurement.models import (
    Answer,
    Appeal,
    Award,
    Category,
    FrameworkAgreement,
    OptIn,
    Procurement,
    PurchasingBody,
    State,
    Supplier,
)


class PurchasingBodyFactory(DjangoModelFactory):
    class Meta:
        model = PurchasingBody
        django_get_or_create = ("name",)

    name = "Hansel Oy"
    active_from = date(2020, 1, 1)


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Toimittaja {n} Oy")


class ProcurementFactory(DjangoModelFactory):
    class Meta:
        model = Procurement

    # The Finnish text by its own name: `title` would land in whatever language a test's
    # request left active (modeltranslation writes the active language's column).
    title_fi = factory.Sequence(lambda n: f"Testihankinta {n}")
    category = Category.E_MATERIALS
    purchasing_body = factory.SubFactory(PurchasingBodyFactory)
    body_reference = factory.Sequence(lambda n: f"TEST{n}")
    state = State.FOLLOWED

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if "title" in kwargs:  # a test's title= is the Finnish text
            kwargs["title_fi"] = kwargs.pop("title")
        return kwargs


def working_day_deadline(days: int, at: time = time(16, 0)) -> datetime:
    """A deadline staff may set: `days` from today, moved on to a working day (the services
    refuse weekends and public holidays)."""
    day = next_working_day(timezone.localdate() + timedelta(days=days))
    return timezone.make_aware(datetime.combine(day, at))


class OpenProcurementFactory(ProcurementFactory):
    state = State.OPEN
    opt_in_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class OptInFactory(DjangoModelFactory):
    class Meta:
        model = OptIn

    procurement = factory.SubFactory(OpenProcurementFactory)
    library = factory.SubFactory(LibraryFactory)
    answer = Answer.COMMITTED
    yearly_estimate = Decimal("1000.00")
    contact_name = "Testi Yhteyshenkilö"
    decision_maker = "Sivistyslautakunta"
    decision_date = factory.LazyFunction(lambda: date.today() - timedelta(days=3))
    decision_number = "§ 12"
    answered_by = factory.SubFactory(UserFactory)


class AwardFactory(DjangoModelFactory):
    class Meta:
        model = Award

    procurement = factory.SubFactory(ProcurementFactory, state=State.TENDERING)
    supplier = factory.SubFactory(SupplierFactory)
    decision_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = FrameworkAgreement

    procurement = factory.SubFactory(ProcurementFactory, state=State.AWARDED)
    supplier = factory.SubFactory(SupplierFactory)
    reference = "TEST-PS"
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=100))
    ends_on = factory.LazyFunction(lambda: date.today() + timedelta(days=400))


class AppealFactory(DjangoModelFactory):
    class Meta:
        model = Appeal

    procurement = factory.SubFactory(ProcurementFactory, state=State.AWARDED)
    kind = Appeal.Kind.MARKET_COURT
    filed_by = "Tarjoaja Oy"
    filed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=2))
    against = "Hankintapäätös"
