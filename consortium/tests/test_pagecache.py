"""Kept pages (consortium.pagecache): the busy pages are rendered once and kept until any
data changes. What a person would notice if the cache were wrong: a change they or someone
else made missing on the next page load, another person's page, a form whose token does not
work, a page still shown after their access was taken away."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from consortium.models import JobRun, Role, RoleAssignment
from consortium.pagecache import csrf_placeholder
from consortium.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def kept(response) -> bool:
    """Served from the cache: no template was rendered for it."""
    assert response.status_code == 200
    return not response.templates


def test_a_page_is_kept_until_a_row_changes(client, staff_user):
    client.force_login(staff_user)
    url = reverse("people_list")
    assert not kept(client.get(url))
    assert kept(client.get(url))
    user_with_role(Role.STAFF, full_name="Uusi Työntekijä")
    page = client.get(url)
    assert not kept(page) and "Uusi Työntekijä" in page.content.decode()


def test_a_bulk_update_without_signals_retires_kept_pages(client, staff_user):
    """QuerySet.update() sends no model signal; the next load must show it all the same."""
    JobRun.objects.create(task_name="x", label="Ensimmäinen ajo")
    client.force_login(staff_user)
    url = reverse("job_list")
    client.get(url)
    assert kept(client.get(url))
    JobRun.objects.filter(label="Ensimmäinen ajo").update(label="Uudelleen nimetty ajo")
    page = client.get(url).content.decode()
    assert "Uudelleen nimetty ajo" in page and "Ensimmäinen ajo" not in page


def test_raw_sql_retires_kept_pages(client, staff_user):
    run = JobRun.objects.create(task_name="x", label="Raaka ajo")
    client.force_login(staff_user)
    url = reverse("job_list")
    client.get(url)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {JobRun._meta.db_table} SET label = %s WHERE id = %s", ["SQL:llä muutettu", run.pk])
    assert "SQL:llä muutettu" in client.get(url).content.decode()


def test_reading_and_writes_that_change_nothing_keep_the_pages(client, staff_user):
    """Reads of every shape (a UNION, a row lock) and a sweep's UPDATE that matches no row
    change nothing: were they counted, kept pages would be retired all the time."""
    from django.db import transaction

    client.force_login(staff_user)
    url = reverse("job_list")
    client.get(url)
    runs = JobRun.objects.filter(state=JobRun.State.FAILED)
    assert list(runs.order_by().union(JobRun.objects.filter(state=JobRun.State.QUEUED).order_by())) == []
    with transaction.atomic():
        list(JobRun.objects.select_for_update().filter(state=JobRun.State.RUNNING))
    assert runs.update(label="ei yhtään") == 0
    assert kept(client.get(url))


def test_logging_in_and_sessions_do_not_retire_kept_pages(staff_user, director):
    """A login writes the session and last_login on every visit: were those counted as
    changes, every login would throw away everybody's kept pages."""
    from consortium.tests.factories import PASSWORD

    staff = Client()
    staff.force_login(staff_user)
    url = reverse("people_list")
    staff.get(url)
    other = Client()
    assert other.post(reverse("login"), {"username": director.email, "password": PASSWORD}).status_code == 302
    assert kept(staff.get(url))


def test_kept_pages_are_per_person(client, staff_user):
    other_staff = user_with_role(Role.STAFF, full_name="Toinen Työntekijä")
    url = reverse("people_list")
    client.force_login(staff_user)
    client.get(url)
    client.force_login(other_staff)
    page = client.get(url)
    assert not kept(page), "another person's copy is never served"
    assert "Toinen Työntekijä" in page.content.decode()


def test_each_address_and_language_is_kept_apart(client, staff_user):
    user_with_role(Role.STAFF, full_name="Haettava Henkilö")
    client.force_login(staff_user)
    url = reverse("people_list")
    client.get(url)
    searched = client.get(url + "?q=Haettava").content.decode()
    assert "Haettava Henkilö" in searched and "Kaisa Konsortio" not in searched
    assert "Kaisa Konsortio" in client.get(url).content.decode()


def test_anonymous_visitors_get_the_page_in_their_own_language():
    """Public pages are kept once for every anonymous visitor, per language (a visitor's
    language is a cookie: no row changes)."""
    url = reverse("newsletters:archive")
    finnish, swedish = Client(), Client()
    swedish.cookies["django_language"] = "sv"
    assert '<html lang="fi">' in finnish.get(url).content.decode()
    assert '<html lang="sv">' in swedish.get(url).content.decode()
    assert kept(finnish.get(url)) and kept(swedish.get(url))


def test_access_taken_away_is_refused_even_with_a_kept_page(client, director):
    """The permission checks run on every request; only the rendering is kept."""
    client.force_login(director)
    url = reverse("people_list")
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=director).delete()
    assert client.get(url).status_code == 403


def test_a_kept_page_carries_this_requests_csrf_token(staff_user):
    """The header's forms (language, log out) work from a kept copy, in every browser the
    person uses: the token is filled in per request, never kept."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(staff_user)
        browser.get(reverse("login"))  # receives its own CSRF cookie
    url = reverse("people_list")
    first.get(url)  # renders and keeps the page
    response = second.get(url)
    assert kept(response)
    page = response.content.decode()
    assert csrf_placeholder() not in page
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = second.post(reverse("set_language"), {"language": "sv", "next": url, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Bakgrundsjobb" in second.get(url).content.decode()


def test_a_message_reaches_a_kept_page_once(client, staff_user):
    client.force_login(staff_user)
    url = reverse("job_list")
    client.get(url)
    client.get(url)  # kept
    client.post(reverse("profile"), {"full_name": "Kaisa Uusinimi", "title": "", "phone": "", "language": "fi"})
    assert "Tietosi tallennettiin" in client.get(url).content.decode()
    assert "Tietosi tallennettiin" not in client.get(url).content.decode()


def test_only_get_pages_are_kept(client, staff_user):
    """A POST to a kept view is handled by the view itself (the statistics years list
    takes a new year by POST)."""
    coordinator = user_with_role(Role.COORDINATOR)
    client.force_login(coordinator)
    url = reverse("stats:year_list")
    client.get(url)
    response = client.post(url, {"year": "2011"})
    assert response.status_code == 302 and "2011" in response["Location"]
    assert "2011" in client.get(url).content.decode()


def test_a_long_transaction_calls_redis_once_or_twice_not_per_statement(client, staff_user, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    """Fifty writes in one transaction move the version at most twice (now and at commit):
    a Redis that hangs then costs its timeout once or twice, not fifty times. The next load
    still shows the change."""
    from django.core.cache import cache
    from django.db import transaction

    from consortium import pagecache

    client.force_login(staff_user)
    url = reverse("job_list")
    client.get(url)
    moves = []
    real_incr = cache.incr
    monkeypatch.setattr(cache, "incr", lambda *args, **kwargs: moves.append(args) or real_incr(*args, **kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for number in range(50):
                JobRun.objects.create(task_name="x", label=f"Erä {number}")
    assert 1 <= len(moves) <= 2
    assert all(args[0] == pagecache.VERSION_KEY for args in moves)
    page = client.get(url)
    assert not kept(page) and "Erä 49" in page.content.decode()
