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


def test_changing_the_case_of_the_address_does_not_escape_the_lockout(client, director, settings):
    """Login ignores the case of the address, so the throttle must too: otherwise each
    spelling (Director@…, DIRECTOR@…, a leading space) would get five fresh tries."""
    spellings = [director.email, director.email.upper(), director.email.title(), f" {director.email} ",
                 director.email.capitalize()]
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        client.post(reverse("login"), {"username": spelling, "password": "wrong"})
    response = client.post(reverse("login"), {"username": director.email.swapcase(), "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_mail_goes_out_in_the_recipients_language(client, director, mailoutbox):
    """Asked for from the Finnish login page, the mail still follows the person's own language."""
    director.language = "sv"
    director.save(update_fields=["language"])
    response = client.post(reverse("password_reset"), {"email": director.email}, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Ett nytt lösenord till biblioteksportalen"
    assert mailoutbox[0].to == [director.email]
