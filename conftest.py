"""Fixtures shared by every app's tests. App-specific fixtures live in <app>/tests/conftest.py."""

import pytest

from consortium.models import Role
from consortium.tests.factories import LibraryFactory, LounaLibraryFactory, MunicipalityFactory, user_with_role

pytest_plugins = ["testsupport"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def humppila(db):
    return LounaLibraryFactory(name="Humppilan kunnankirjasto",
                               municipality=MunicipalityFactory(code="103", name_fi="Humppila", name_sv="Humppila"))


@pytest.fixture
def tammela(db):
    return LounaLibraryFactory(name="Tammelan kunnankirjasto",
                               municipality=MunicipalityFactory(code="834", name_fi="Tammela", name_sv="Tammela"))


@pytest.fixture
def tampere(db):
    """A member library outside Louna."""
    return LibraryFactory(name="Tampereen kaupunginkirjasto",
                          municipality=MunicipalityFactory(code="837", name_fi="Tampere", name_sv="Tammerfors"))


@pytest.fixture
def staff_user(db):
    return user_with_role(Role.STAFF, full_name="Kaisa Konsortio")


@pytest.fixture
def coordinator(db):
    return user_with_role(Role.COORDINATOR, full_name="Kalle Koordinaattori")


@pytest.fixture
def director(humppila):
    """The director of Humppila (a Louna library)."""
    return user_with_role(Role.DIRECTOR, library=humppila, full_name="Hanna Humppilainen")


@pytest.fixture
def other_director(tammela):
    """The director of Tammela: must never reach Humppila's objects."""
    return user_with_role(Role.DIRECTOR, library=tammela, full_name="Tuomas Tammelainen")


@pytest.fixture
def contact(humppila):
    return user_with_role(Role.CONTACT, library=humppila, full_name="Heikki Yhteyshenkilö")


@pytest.fixture
def tampere_contact(tampere):
    return user_with_role(Role.CONTACT, library=tampere, full_name="Tiina Tamperelainen")


@pytest.fixture
def nobody(db):
    """Logged in, but holds no role."""
    from consortium.tests.factories import UserFactory

    return UserFactory(full_name="Rooliton Henkilö")
