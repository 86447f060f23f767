"""seed_demo: idempotent, and every demo role's front page opens."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from consortium.demo_data import DEMO_PASSWORD, DEMO_PEOPLE, demo_email
from consortium.models import Library, Municipality, ServicePoint, User
from consortium.registry import Card, _card_providers, cards_for, register_card

pytestmark = pytest.mark.django_db


def counts():
    return (Municipality.objects.count(), Library.objects.count(), ServicePoint.objects.count(),
            User.objects.count())


def test_seed_demo_is_idempotent_and_opens_each_roles_front_page(client):
    call_command("seed_demo", quiet=True)
    first = counts()
    call_command("seed_demo", quiet=True)
    assert counts() == first
    assert Library.objects.in_area("louna").count() == 5
    assert Library.objects.exclude(cooperation_areas__slug="louna").count() >= 20
    for local, _name, _role, _code in DEMO_PEOPLE:
        login = client.post(reverse("login"), {"username": demo_email(local), "password": DEMO_PASSWORD})
        assert login.status_code == 302, local
        response = client.get(reverse("home"))
        assert response.status_code == 200, local
        assert response.context["roles"].any
        client.logout()


def test_seed_demo_prints_the_logins(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert demo_email("henkilokunta") in output and DEMO_PASSWORD in output


def test_scale_builds_a_larger_set():
    call_command("seed_demo", quiet=True, scale=1)
    assert Municipality.objects.count() >= 30
    assert ServicePoint.objects.count() >= 75
    assert User.objects.count() >= 500


def test_cards_from_the_registry_reach_the_front_page(client, director):
    @register_card
    def extra(request, roles):
        return Card(title="Testikortti", order=1) if roles.is_director else None

    try:
        client.force_login(director)
        response = client.get(reverse("home"))
        assert "Testikortti" in response.content.decode()
        assert [card.title for card in cards_for(response.wsgi_request, response.context["roles"])][0] == "Testikortti"
    finally:
        _card_providers.remove(extra)  # the registry is global: leave it as the other tests expect


def test_front_page_is_kept_until_something_changes(client, staff_user, django_assert_max_num_queries):
    """The page is rendered once per person and language; a saved row shows at once."""
    from consortium.models import JobRun

    client.force_login(staff_user)
    first = client.get(reverse("home"))
    assert "Taustatyöt" in first.content.decode() and "epäonnistunut-ajo" not in first.content.decode()
    with django_assert_max_num_queries(3):  # session and user only: no card asks again
        kept = client.get(reverse("home"))
    assert not kept.templates, "a kept page is not rendered again"
    assert "Taustatyöt" in kept.content.decode()
    JobRun.objects.create(task_name="x", label="epäonnistunut-ajo", state=JobRun.State.FAILED)
    assert "epäonnistunut-ajo" in client.get(reverse("home")).content.decode()


def test_someone_logging_in_does_not_retire_the_kept_pages(client, staff_user, director):
    """A login writes the person's last_login; the front page shows nothing of it, so the
    kept pages of everyone else stay (a busy morning of logins would otherwise keep every
    page cold). A real change still shows at once."""
    from django.test import Client

    from consortium.tests.factories import PASSWORD

    client.force_login(staff_user)
    client.get(reverse("home"))
    other = Client()
    assert other.post(reverse("login"), {"username": director.email, "password": PASSWORD}).status_code == 302
    assert not client.get(reverse("home")).templates, "the kept page is served"
    director.full_name = "Hanna Uusinimi"
    director.save()
    assert client.get(reverse("home")).templates, "a saved row retires it"


@pytest.mark.django_db(transaction=True)
def test_a_page_kept_before_a_change_was_committed_is_retired_at_the_commit(client, staff_user):
    """Another worker may render the page between a write (which moves the version) and its
    commit, from the rows before the write; the commit moves the version once more."""
    from django.db import transaction

    from consortium.models import JobRun

    client.force_login(staff_user)
    with transaction.atomic():
        JobRun.objects.create(task_name="x", label="kesken-ajo", state=JobRun.State.FAILED)
        client.get(reverse("home"))  # rendered and kept before the commit
        assert not client.get(reverse("home")).templates
    assert client.get(reverse("home")).templates, "the commit retired the copy"


def test_a_kept_front_page_carries_this_requests_csrf_token(staff_user):
    """The header's forms (language, log out) work from a kept copy, in every browser the
    person uses: the token is filled in per request, never kept."""
    from django.test import Client

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(staff_user)
        browser.get(reverse("login"))  # receives its own CSRF cookie
    first.get(reverse("home"))  # renders and keeps the page
    page = second.get(reverse("home")).content.decode()
    from consortium.frontpage import csrf_placeholder

    assert csrf_placeholder() not in page
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = second.post(reverse("set_language"), {"language": "sv", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Bakgrundsjobb" in second.get(reverse("home")).content.decode()


def test_a_message_reaches_the_kept_front_page_once(client, staff_user):
    client.force_login(staff_user)
    client.get(reverse("home"))  # kept
    client.post(reverse("profile"), {"full_name": "Kaarina Uusinimi", "title": "", "phone": "", "language": "fi"})
    with_message = client.get(reverse("home")).content.decode()
    assert "Tietosi tallennettiin" in with_message and "Kaarina" in with_message
    assert "Tietosi tallennettiin" not in client.get(reverse("home")).content.decode()


def test_kept_front_pages_are_per_person(client, staff_user, director):
    client.force_login(staff_user)
    assert "Tervetuloa, Kaisa" in client.get(reverse("home")).content.decode()
    client.force_login(director)
    page = client.get(reverse("home")).content.decode()
    assert "Tervetuloa, Hanna" in page and "Kaisa" not in page and "Taustatyöt" not in page


def test_front_page_cards_follow_the_language(client, staff_user):
    client.force_login(staff_user)
    finnish = client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    swedish = client.get(reverse("home")).content.decode()
    assert "Taustatyöt" in finnish and "Bakgrundsjobb" in swedish


def test_a_job_failing_through_a_bulk_update_reaches_the_kept_cards(client, staff_user):
    """Job runs change state with QuerySet.update(), which sends no signal; the front page
    must still show the failure at once."""
    from consortium.jobs import tracked_job

    client.force_login(staff_user)
    client.get(reverse("home"))
    with pytest.raises(RuntimeError), tracked_job(job_run_id=None, task_name="t", label="rikkinäinen-ajo"):
        raise RuntimeError("levy täynnä")
    assert "rikkinäinen-ajo" in client.get(reverse("home")).content.decode()
