import pytest

from procurement.tests.factories import OpenProcurementFactory


@pytest.fixture
def open_procurement(db):
    return OpenProcurementFactory(title="Aikakauslehdet 2027–2030")


COMMITMENT = {
    "answer": "committed", "yearly_estimate": "12 500,50", "contact_name": "Heikki Yhteyshenkilö",
    "contact_email": "heikki@humppila.example", "contact_phone": "", "decision_maker": "Sivistyslautakunta",
    "decision_date": "2026-11-02", "decision_number": "§ 42", "decline_reason": "",
}


@pytest.fixture
def commitment():
    return dict(COMMITMENT)


@pytest.fixture
def english():
    """Service messages are matched in English (the source language) in service tests;
    the pages' tests read the Finnish the users see."""
    from django.utils import translation

    with translation.override("en"):
        yield
