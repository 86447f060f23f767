import pytest

from consortium.models import Role
from consortium.tests.factories import LounaLibraryFactory, MunicipalityFactory, user_with_role


@pytest.fixture
def forssa(db):
    return LounaLibraryFactory(name="Forssan kaupunginkirjasto",
                               municipality=MunicipalityFactory(code="061", name_fi="Forssa", name_sv="Forssa"))


@pytest.fixture
def tammela_contact(tammela):
    """A library contact of Tammela: must never reach Humppila's items."""
    return user_with_role(Role.CONTACT, library=tammela, full_name="Taina Tammelan Yhteys")
