"""The language a person chooses on the login page is the one they get after logging in,
and it is saved to their profile (mail follows it too)."""

import pytest
from django.conf import settings
from django.urls import reverse

from consortium.models import User
from consortium.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_language_chosen_before_login_wins_and_is_saved(client, director):
    assert director.language == "fi"
    client.post(reverse("set_language"), {"language": "sv", "next": reverse("login")})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    response = client.post(reverse("login"), {"username": director.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert '<html lang="sv"' in response.content.decode()
    assert User.objects.get(pk=director.pk).language == "sv"


def test_without_a_choice_the_profile_language_stays(client, director):
    User.objects.filter(pk=director.pk).update(language="en")
    response = client.post(reverse("login"), {"username": director.email, "password": PASSWORD}, follow=True)
    assert '<html lang="en"' in response.content.decode()
    assert User.objects.get(pk=director.pk).language == "en"
