import pytest

from consortium.models import Role
from consortium.tests.factories import user_with_role

from .factories import GroupFactory, OfferingFactory, ParticipationFactory


@pytest.fixture
def offering(db):
    return OfferingFactory(name_fi="Ellibs e-kirjat", vendor="Ellibs Oy")


@pytest.fixture
def group(db):
    """A trial from 1.9. to 30.11.2026."""
    return GroupFactory(name="Viddla-arviointi")


@pytest.fixture
def humppila_in_group(group, humppila):
    return ParticipationFactory(group=group, library=humppila)


@pytest.fixture
def tampere_in_group(group, tampere):
    return ParticipationFactory(group=group, library=tampere)


@pytest.fixture
def humppila_evaluator(humppila):
    return user_with_role(Role.CONTACT, library=humppila, full_name="Eeva Arvioija")


@pytest.fixture
def english():
    """The services' messages as written (English msgids), whatever the test's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
