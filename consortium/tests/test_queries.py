"""Pages keep a constant number of SQL queries as the data grows."""

import pytest
from django.urls import reverse

from consortium.models import JobRun, Role, RoleAssignment
from consortium.tests.factories import LibraryFactory, LounaLibraryFactory, ServicePointFactory, user_with_role

pytestmark = pytest.mark.django_db


def grow(size):
    for _ in range(size):
        library = LounaLibraryFactory() if size % 2 else LibraryFactory()
        ServicePointFactory.create_batch(2, library=library)
        director = user_with_role(Role.DIRECTOR, library=library)
        user_with_role(Role.CONTACT, library=library)
        # Job runs of every state, so the job list and the front page's job card grow too.
        for state in JobRun.State.values:
            JobRun.objects.create(task_name="consortium.tasks.check", label=library.name, state=state,
                                  created_by=director)


@pytest.mark.parametrize("url_name", ["home", "library_list", "people_list", "job_list"])
@pytest.mark.parametrize("size", [3, 40])
def test_staff_pages_query_count_is_constant(client, staff_user, django_assert_max_num_queries, url_name, size):
    grow(size)
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_library_detail_query_count_is_constant(client, staff_user, django_assert_max_num_queries, size):
    library = LibraryFactory()
    for _ in range(size):
        point = ServicePointFactory(library=library)
        point.external_ids.create(source="kirkanta", value=f"k-{point.pk}")
        user_with_role(Role.CONTACT, library=library)
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("library_detail", args=[library.pk])).status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "director"])
@pytest.mark.parametrize("url_name", ["home", "library_list", "people_list"])
@pytest.mark.parametrize("size", [3, 41])
def test_pages_of_other_roles_keep_their_query_count(client, request, django_assert_max_num_queries, who,
                                                    url_name, size):
    """The scoped querysets (a coordinator's Louna, a director's own library) grow no queries.
    The front page asks every app for its cards (trainings, e-services, Louna, procurement,
    newsletters…): a few queries each, the same at both sizes."""
    user = request.getfixturevalue(who)
    grow(size)
    client.force_login(user)
    with django_assert_max_num_queries(18 if url_name == "home" else 12):
        assert client.get(reverse(url_name)).status_code == 200


def test_people_list_shows_each_persons_roles_with_their_library(client, staff_user, director, humppila, tammela):
    RoleAssignment.objects.create(user=director, role=Role.CONTACT, library=tammela)
    client.force_login(staff_user)
    page = client.get(reverse("people_list")).content.decode()
    row = page.split("Hanna Humppilainen", 1)[1].split("</tr>", 1)[0]
    assert "Humppilan kunnankirjasto" in row and "Tammelan kunnankirjasto" in row
    assert f'href="{reverse("person_detail", args=[director.pk])}"' in page
