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
