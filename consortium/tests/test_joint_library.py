"""A joint library organisation (yhteiskirjasto) serves other municipalities besides its host:
a municipality is served by one organisation only and a library never lists its own host;
the refusals name the municipality and the organisation, in the model and in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from consortium.models import JointMunicipality, Library
from consortium.tests.factories import LibraryFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint():
    host = MunicipalityFactory(code="901", name_fi="Isokylä")
    library = LibraryFactory(name="Isokylän yhteiskirjasto", municipality=host)
    served = MunicipalityFactory(code="902", name_fi="Pikkukylä")
    JointMunicipality.objects.create(library=library, municipality=served)
    return library, served


def _refusal(instance) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return " ".join(caught.value.message_dict["municipality"])


def test_a_library_serves_its_host_and_the_municipalities_it_lists(joint):
    library, served = joint
    assert list(library.also_serves.all()) == [served]
    assert list(served.served_by.all()) == [library]


def test_a_library_cannot_list_its_own_host(joint):
    library, _served = joint
    message = _refusal(JointMunicipality(library=library, municipality=library.municipality))
    assert message == ("Isokylä is the library's own (host) municipality; list only the other municipalities "
                       "it serves.")


def test_a_municipality_is_not_served_by_two_organisations(joint):
    _library, served = joint
    other = LibraryFactory(name="Naapurin kirjasto")
    assert _refusal(JointMunicipality(library=other, municipality=served)) == (
        "Pikkukylä is already served by Isokylän yhteiskirjasto; a municipality is served by one library "
        "organisation.")
    # The database holds the rule too, for writes that skip the checks.
    with pytest.raises(IntegrityError), transaction.atomic():
        JointMunicipality.objects.create(library=other, municipality=served)


def test_a_municipality_with_its_own_active_library_cannot_be_served(joint):
    library, _served = joint
    own = LibraryFactory(name="Kirkonkylän kirjasto", municipality=MunicipalityFactory(code="903",
                                                                                      name_fi="Kirkonkylä"))
    message = _refusal(JointMunicipality(library=library, municipality=own.municipality))
    assert message.startswith("Kirkonkylä has a library organisation of its own, Kirkonkylän kirjasto;")
    # Once its own library is inactive (it joined the joint one), the municipality can be listed.
    Library.objects.filter(pk=own.pk).update(is_active=False)
    JointMunicipality(library=library, municipality=own.municipality).full_clean()


def test_a_served_municipality_cannot_host_another_active_library(joint):
    _library, served = joint
    message = _refusal(Library(name="Pikkukylän oma kirjasto", municipality=served))
    assert message == ("Pikkukylä is already served by the joint library organisation Isokylän yhteiskirjasto; "
                       "a municipality has one library organisation.")
    Library(name="Pikkukylän vanha kirjasto", municipality=served, is_active=False).full_clean()


def test_the_admin_shows_the_refusal_and_saves_nothing(client, joint):
    library, _served = joint
    admin = UserFactory(is_staff=True, is_superuser=True, language="fi")
    client.force_login(admin)
    prefix = "joint_municipalities"
    response = client.post(reverse("admin:consortium_library_change", args=[library.pk]), {
        "name": library.name, "municipality": library.municipality_id, "is_active": "on", "email": "",
        "member_since": "", f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-municipality": library.municipality_id, f"{prefix}-0-library": library.pk,
        "service_points-TOTAL_FORMS": "0", "service_points-INITIAL_FORMS": "0"})
    assert response.status_code == 200  # the form again, with the reason
    assert ("Isokylä on kirjaston oma kunta (isäntäkunta); luettele vain muut kunnat, joita se palvelee."
            in response.content.decode())
    assert list(library.also_serves.all()) == [joint[1]]
