"""Logging in by e-mail, and throttling of failed attempts."""

import pytest
from django.urls import reverse

from consortium.tests.factories import PASSWORD
from testsupport import deliver_outbox

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
    deliver_outbox()  # what the worker does after the commit
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Ett nytt lösenord till biblioteksportalen"
    assert mailoutbox[0].to == [director.email]


def test_setting_a_new_password_lifts_the_lockout(client, director, settings, mailoutbox):
    """The lock-out page tells the person to reset their password; doing so must let them in
    at once, not after the fifteen minutes anyway."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": director.email, "password": "wrong"})
    assert client.post(reverse("login"), {"username": director.email, "password": PASSWORD}).status_code == 429

    client.post(reverse("password_reset"), {"email": director.email})
    deliver_outbox()
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line).strip()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True).redirect_chain[-1][0]
    new_password = "Uusi-Salasana-2026"
    response = client.post(form_page, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302

    response = client.post(reverse("login"), {"username": director.email, "password": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_an_invited_person_who_lost_the_invitation_can_use_password_reset(client, humppila, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    """Django's reset form skips accounts without a password; here those are invited people
    whose link was lost or expired, and the reset link is their way in."""
    from consortium import services
    from consortium.models import Role

    with django_capture_on_commit_callbacks(execute=True):
        person = services.user_invite(email="kutsuttu@humppila.example", full_name="Kutsuttu",
                                      role=Role.CONTACT, library=humppila)
    mailoutbox.clear()
    client.post(reverse("password_reset"), {"email": "Kutsuttu@Humppila.example"})
    deliver_outbox()
    assert [message.to for message in mailoutbox] == [[person.email]]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line).strip()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(form_page, {"new_password1": "Kutsu-Humppila-2026", "new_password2": "Kutsu-Humppila-2026"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Kutsu-Humppila-2026")


def test_password_reset_sends_nothing_to_an_inactive_account(client, director, mailoutbox):
    director.is_active = False
    director.save(update_fields=["is_active"])
    client.post(reverse("password_reset"), {"email": director.email})
    deliver_outbox()
    assert mailoutbox == []
