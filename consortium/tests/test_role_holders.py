"""role_holders: the people holding a role, the one way every app finds whom to write to."""

import pytest

from consortium.models import Library, Role, RoleAssignment
from consortium.permissions import LOUNA_AREA
from consortium.selectors import role_holders
from consortium.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def emails(users):
    return [user.email for user in users]


def test_one_library_role_in_some_libraries(director, other_director, contact, tampere_contact, humppila):
    assert emails(role_holders(roles=Role.DIRECTOR, libraries=[humppila])) == [director.email]
    assert emails(role_holders(roles=Role.CONTACT, libraries=[humppila.pk])) == [contact.email]


def test_libraries_given_as_a_queryset(director, other_director, tampere_contact):
    louna = Library.objects.in_area(LOUNA_AREA)
    assert set(emails(role_holders(roles=[Role.DIRECTOR, Role.CONTACT], libraries=louna))) == {
        director.email, other_director.email}


def test_without_libraries_a_library_role_counts_anywhere(director, other_director, contact, tampere_contact):
    assert set(emails(role_holders(roles=Role.CONTACT))) == {contact.email, tampere_contact.email}


def test_roles_held_without_a_library_do_not_depend_on_libraries(staff_user, coordinator, director, tampere):
    # The agenda's recipients: the directors of the given libraries and every coordinator.
    assert emails(role_holders(roles=[Role.DIRECTOR, Role.COORDINATOR], libraries=[tampere])) == [coordinator.email]
    assert emails(role_holders(roles=Role.STAFF, libraries=[])) == [staff_user.email]


def test_an_empty_library_list_finds_no_library_role(director):
    assert list(role_holders(roles=Role.DIRECTOR, libraries=[])) == []
    assert list(role_holders(roles=Role.DIRECTOR, libraries=Library.objects.none())) == []


def test_each_person_once_even_with_several_matching_roles(humppila, tammela):
    both = user_with_role(Role.DIRECTOR, library=humppila, email="both@testi.example")
    RoleAssignment.objects.create(user=both, role=Role.CONTACT, library=tammela)
    RoleAssignment.objects.create(user=both, role=Role.COORDINATOR)
    found = role_holders(roles=[Role.DIRECTOR, Role.CONTACT, Role.COORDINATOR])
    assert emails(found) == ["both@testi.example"]
    assert found.count() == 1


def test_inactive_people_and_people_without_an_address_are_left_out(humppila, director):
    gone = user_with_role(Role.DIRECTOR, library=humppila)
    gone.is_active = False
    gone.save()
    no_address = UserFactory()
    RoleAssignment.objects.create(user=no_address, role=Role.DIRECTOR, library=humppila)
    type(no_address).objects.filter(pk=no_address.pk).update(email="")
    assert emails(role_holders(roles=Role.DIRECTOR)) == [director.email]


def test_people_without_the_role_are_left_out(nobody, contact, humppila):
    assert list(role_holders(roles=Role.DIRECTOR, libraries=[humppila])) == []


def test_ordered_by_address(humppila):
    for local in ("c", "a", "b"):
        user_with_role(Role.CONTACT, library=humppila, email=f"{local}@testi.example")
    assert emails(role_holders(roles=Role.CONTACT)) == ["a@testi.example", "b@testi.example", "c@testi.example"]


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="rector"):
        role_holders(roles=["rector"])


def test_one_query_however_many_libraries_and_people(django_assert_num_queries, humppila, tammela):
    for n in range(5):
        user_with_role(Role.DIRECTOR, library=humppila if n % 2 else tammela)
    with django_assert_num_queries(1):
        assert len(list(role_holders(roles=Role.DIRECTOR, libraries=Library.objects.in_area(LOUNA_AREA)))) == 5


# ---------------------------------------------------------------- the areas a person works in


def test_a_persons_areas_are_those_of_their_libraries(director, tampere_contact, nobody, staff_user):
    from consortium.selectors import cooperation_areas_of

    assert [area.slug for area in cooperation_areas_of(director)] == [LOUNA_AREA]
    assert list(cooperation_areas_of(tampere_contact)) == []  # Tampere is in no area
    assert list(cooperation_areas_of(nobody)) == [] and list(cooperation_areas_of(staff_user)) == []


def test_the_coordinator_works_in_the_area_they_serve(coordinator, humppila):
    from consortium.selectors import cooperation_areas_of

    assert [area.slug for area in cooperation_areas_of(coordinator)] == [LOUNA_AREA]


def test_each_area_once_for_several_libraries_in_it(humppila, tammela):
    from consortium.selectors import cooperation_areas_of

    person = user_with_role(Role.DIRECTOR, library=humppila)
    RoleAssignment.objects.create(user=person, role=Role.CONTACT, library=tammela)
    assert [area.slug for area in cooperation_areas_of(person)] == [LOUNA_AREA]
