from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from consortium.models import MunicipalityPopulation
from louna.models import Decision
from louna.tests.factories import MeetingFactory, forssa_library
from louna.ematerials.models import Budget, EMaterialService, SelectionPrinciple

YEAR = 2026


@pytest.fixture(autouse=True)
def _in_english():
    """The services' messages are checked in English; the pages' Finnish in the view tests."""
    with translation.override("en"):
        yield


@pytest.fixture
def towns(humppila, tammela):
    """Three Louna municipalities with their populations (31.12.2020)."""
    forssa = forssa_library()
    for library, population in ((forssa, 16800), (humppila, 2174), (tammela, 6016)):
        MunicipalityPopulation.objects.create(municipality=library.municipality, year=2020, population=population)
    return {"forssa": forssa.municipality, "humppila": humppila.municipality, "tammela": tammela.municipality}


@pytest.fixture
def decision(db):
    meeting = MeetingFactory(agreement__year=YEAR)
    return Decision.objects.create(meeting=meeting, text="Hyväksyttiin e-aineistojen valintaperiaatteet 2026.")


@pytest.fixture
def principle(decision):
    return SelectionPrinciple.objects.create(year=YEAR, version=1, text="Suomenkieliset e-kirjat ensin.",
                                             decision=decision)


@pytest.fixture
def ellibs(db):
    return EMaterialService.objects.create(name="Ellibs e-kirjat", kind=EMaterialService.Kind.EBOOKS)


@pytest.fixture
def budget(towns, ellibs):
    return Budget.objects.create(year=YEAR, service=ellibs, amount=Decimal("1000.00"), key=Budget.Key.POPULATION)


@pytest.fixture
def order_fields():
    return {"titles": "Sinuhe egyptiläinen", "title_count": 1, "licence_model": "one_copy", "licences": 2,
            "price": Decimal("100.00"), "ordered_on": date(YEAR, 3, 2), "vendor_reference": "E-1"}
