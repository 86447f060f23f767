"""Logging in by e-mail, and throttling of failed attempts."""

import pytest
from django.urls import reverse

from consortium.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_by_email_is_case_insensitive(client, director):
    response = client.post(reverse("login"), {"username": director.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_gives_a_clear_message(client, director):
    response = client.post(reverse("login"), {"username": director.email, "password": "wrong"})
    assert response.status_code == 200
    assert "salasana" in response.content.decode().lower()


def test_five_failures_lock_the_address_out(client, director, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": director.email, "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post(reverse("login"), {"username": director.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
