import pytest

from louna.tests.factories import AgreementFactory, ServiceAreaFactory, TaskFactory


@pytest.fixture
def agreement(humppila, tammela):
    agreement = AgreementFactory(year=2024)
    agreement.libraries.set([humppila, tammela])
    return agreement


@pytest.fixture
def area(agreement):
    return ServiceAreaFactory(agreement=agreement, number=1, title="Yhteinen kirjastojärjestelmä")


@pytest.fixture
def task(area):
    return TaskFactory(area=area, number=1, text="Mikromarc-tietokannan yhtenäisyys")
