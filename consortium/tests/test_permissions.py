"""Who may see and change what, role by role, with tampered ids for other libraries."""

import pytest
from django.urls import reverse

from consortium.models import Library, RoleAssignment, ServicePoint
from consortium.permissions import roles_of, visible_libraries, visible_people
from consortium.tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    "who, url_name, expected",
    [
        ("staff_user", "library_list", 200),
        ("coordinator", "library_list", 200),
        ("director", "library_list", 200),
        ("contact", "library_list", 200),
        ("nobody", "library_list", 403),
        ("staff_user", "library_create", 200),
        ("coordinator", "library_create", 403),
        ("director", "library_create", 403),
        ("contact", "library_create", 403),
        ("staff_user", "person_invite", 200),
        ("coordinator", "person_invite", 403),
        ("director", "person_invite", 403),
        ("staff_user", "job_list", 200),
        ("coordinator", "job_list", 200),
        ("director", "job_list", 403),
        ("contact", "job_list", 403),
        ("nobody", "home", 200),
    ],
)
def test_page_access_by_role(client, request, who, url_name, expected):
    user = request.getfixturevalue(who)
    assert get(client, user, reverse(url_name)).status_code == expected


@pytest.mark.parametrize("url_name", ["home", "library_list", "people_list", "job_list", "profile"])
def test_anonymous_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_director_sees_only_own_library(client, director, humppila, tammela, tampere):
    response = get(client, director, reverse("library_list"))
    names = [library.name for library in response.context["page"]]
    assert names == [humppila.name]
    assert get(client, director, reverse("library_detail", args=[humppila.pk])).status_code == 200


@pytest.mark.parametrize("url_name", ["library_detail", "library_edit"])
def test_tampered_library_id_is_not_found(client, director, tammela, url_name):
    """Tammela's library exists, but for Humppila's director it does not: 404, no leak."""
    response = get(client, director, reverse(url_name, args=[tammela.pk]))
    # The edit page is closed to directors whatever the id (403 alike for their own, another's
    # or a missing library), so the answer tells nothing about Tammela; the detail page is 404.
    expected = 404 if url_name == "library_detail" else 403
    assert response.status_code == expected
    assert get(client, director, reverse(url_name, args=[tammela.pk + 1000])).status_code == expected
    assert tammela.name.encode() not in response.content


def test_tampered_person_id_is_not_found(client, director, other_director):
    assert get(client, director, reverse("person_detail", args=[other_director.pk])).status_code == 404


def test_coordinator_sees_louna_libraries_only(client, coordinator, humppila, tammela, tampere):
    assert set(visible_libraries(coordinator)) == {humppila, tammela}
    assert get(client, coordinator, reverse("library_detail", args=[tampere.pk])).status_code == 404


def test_staff_sees_every_library(staff_user, humppila, tammela, tampere):
    assert set(visible_libraries(staff_user)) == {humppila, tammela, tampere}


def test_people_are_visible_within_own_libraries(director, contact, other_director, tampere_contact):
    assert set(visible_people(director)) == {director, contact}
    assert other_director not in visible_people(director)


def test_director_cannot_change_a_person_by_post(client, director, contact):
    client.force_login(director)
    response = client.post(reverse("person_detail", args=[contact.pk]),
                           {"action": "update", "person-full_name": "Hijacked", "person-language": "fi"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.full_name != "Hijacked"


def test_director_cannot_add_role_to_self(client, director, tammela):
    client.force_login(director)
    response = client.post(reverse("person_detail", args=[director.pk]),
                           {"action": "add_role", "role-role": "director", "role-library": tammela.pk})
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=director, library=tammela).exists()


def test_staff_cannot_edit_a_service_point_through_another_library(client, staff_user, humppila, tammela):
    point = ServicePointFactory(library=tammela)
    client.force_login(staff_user)
    response = client.get(reverse("service_point_edit", args=[humppila.pk, point.pk]))
    assert response.status_code == 404


def test_inactive_user_has_no_roles(director):
    director.is_active = False
    director.save()
    assert not roles_of(director).any


def test_person_with_several_roles(db, humppila, tammela):
    from consortium.models import Role
    from consortium.tests.factories import user_with_role

    person = user_with_role(Role.DIRECTOR, library=humppila)
    RoleAssignment.objects.create(user=person, role=Role.CONTACT, library=tammela)
    roles = roles_of(person)
    assert roles.director_of == {humppila.pk} and roles.contact_of == {tammela.pk}
    assert set(visible_libraries(person)) == {humppila, tammela}


def test_staff_edits_library_and_service_point(client, staff_user, humppila):
    client.force_login(staff_user)
    response = client.post(reverse("library_edit", args=[humppila.pk]), {
        "name": "Humppilan kirjasto", "municipality": humppila.municipality_id, "member_since": "2015-01-01",
        "is_active": "on", "email": "", "cooperation_areas": list(humppila.cooperation_areas.values_list("pk", flat=True)),
    })
    assert response.status_code == 302
    assert Library.objects.get(pk=humppila.pk).name == "Humppilan kirjasto"
    response = client.post(reverse("service_point_create", args=[humppila.pk]), {
        "name": "Kirjastoauto", "kind": "mobile", "address": "", "opened_on": "", "closed_on": "",
        "id_kirkanta": "85123", "id_mikromarc": "", "id_quria": "Q-1",
    })
    assert response.status_code == 302
    point = ServicePoint.objects.get(name="Kirjastoauto")
    assert {(e.source, e.value) for e in point.external_ids.all()} == {("kirkanta", "85123"), ("quria", "Q-1")}


@pytest.mark.parametrize("who", ["staff_user", "coordinator", "director", "contact", "nobody"])
def test_roles_come_with_the_user_in_one_query(client, request, who, humppila, tammela):
    """The request's user brings their roles: no query of its own for them, same answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consortium.models import Role, User

    user = request.getfixturevalue(who)
    if who == "director":  # several roles, one of them without a library
        RoleAssignment.objects.create(user=user, role=Role.COORDINATOR)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if q["sql"].startswith('SELECT "consortium_roleassignment"')]
    assert hasattr(response.wsgi_request.user, "portal_role_rows")
    expected = roles_of(User.objects.get(pk=user.pk))  # read the plain way
    assert response.context["roles"] == expected
    if who == "director":
        assert expected.coordinator and expected.director_of == {humppila.pk}


def test_a_removed_role_stops_working_on_the_next_request(client, staff_user, director, humppila):
    """Roles are read afresh on every request: the director loses Humppila at once."""
    client.force_login(director)
    assert client.get(reverse("library_detail", args=[humppila.pk])).status_code == 200
    assignment = RoleAssignment.objects.get(user=director, library=humppila)

    staff = client.__class__()
    staff.force_login(staff_user)
    response = staff.post(reverse("person_detail", args=[director.pk]),
                          {"action": "remove_role", "assignment": assignment.pk})
    assert response.status_code == 302

    # With no role left the person may use no library page at all.
    assert client.get(reverse("library_detail", args=[humppila.pk])).status_code == 403
    assert client.get(reverse("library_list")).status_code == 403


def test_a_new_role_works_on_the_next_request(client, director, tammela):
    from consortium.models import Role
    from consortium.services import role_assign

    client.force_login(director)
    assert client.get(reverse("library_detail", args=[tammela.pk])).status_code == 404
    role_assign(user=director, role=Role.CONTACT, library=tammela)
    assert client.get(reverse("library_detail", args=[tammela.pk])).status_code == 200


@pytest.mark.parametrize("assignment", ["", "abc", "1.5"])
def test_removing_a_role_with_a_malformed_id_is_not_found(client, staff_user, director, assignment):
    """A tampered or empty assignment id is simply not found (it was a server error)."""
    client.force_login(staff_user)
    response = client.post(reverse("person_detail", args=[director.pk]),
                           {"action": "remove_role", "assignment": assignment})
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(user=director).exists()


def test_removing_another_persons_role_through_this_person_is_not_found(client, staff_user, director,
                                                                         other_director):
    client.force_login(staff_user)
    theirs = RoleAssignment.objects.get(user=other_director)
    response = client.post(reverse("person_detail", args=[director.pk]),
                           {"action": "remove_role", "assignment": theirs.pk})
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=theirs.pk).exists()


def test_roles_read_with_the_user_survive_a_deleted_library(client, director, humppila, tammela, tampere):
    """The hand-written role query (STRING_AGG / GROUP_CONCAT) on the request's user: a director
    of two libraries and contact of a third keeps exactly the roles left after one is deleted."""
    from consortium.models import Role

    RoleAssignment.objects.create(user=director, role=Role.DIRECTOR, library=tammela)
    RoleAssignment.objects.create(user=director, role=Role.CONTACT, library=tampere)
    client.force_login(director)
    roles = client.get(reverse("profile")).context["roles"]
    assert roles.director_of == {humppila.pk, tammela.pk} and roles.contact_of == {tampere.pk}

    tammela.delete()
    roles = client.get(reverse("profile")).context["roles"]
    assert roles.director_of == {humppila.pk} and roles.contact_of == {tampere.pk}
    assert not roles.staff and not roles.coordinator
    assert client.get(reverse("library_detail", args=[tampere.pk])).status_code == 200
