"""The core's write paths: validation, transactions, and mail in the recipient's language."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from django.utils import timezone

from consortium import services
from consortium.models import OutboxMessage, Role, RoleAssignment, ServicePoint, User
from consortium.outbox import messages_about
from consortium.tests.factories import ServicePointFactory, user_with_role
from testsupport import deliver_outbox

pytestmark = pytest.mark.django_db


def test_invitation_mail_is_in_the_invitees_language_and_sets_a_password(
    client, staff_user, humppila, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = services.user_invite(email="Uusi.Johtaja@Humppila.example", full_name="Uusi Johtaja",
                                      role=Role.DIRECTOR, library=humppila, language="sv", invited_by=staff_user)
    assert person.email == "uusi.johtaja@humppila.example"
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["uusi.johtaja@humppila.example"]
    assert "biblioteksportalen" in message.subject.lower()  # Swedish subject
    link = next(line for line in message.body.splitlines() if "/invitation/" in line).strip()
    path = link.split("127.0.0.1:8000", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    response = client.post(response.redirect_chain[-1][0], {
        "new_password1": "Kirjasto-Humppila-2026", "new_password2": "Kirjasto-Humppila-2026"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Kirjasto-Humppila-2026")


def test_invite_of_a_director_without_library_saves_nothing(staff_user):
    with pytest.raises(ValidationError) as caught:
        services.user_invite(email="a@b.example", full_name="A B", role=Role.DIRECTOR, library=None)
    assert "library" in caught.value.message_dict
    assert not User.objects.filter(email="a@b.example").exists()


def test_invite_form_shows_the_error_on_the_field(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("person_invite"), {
        "email": "x@y.example", "full_name": "X Y", "role": "contact", "library": "", "language": "fi"})
    assert response.status_code == 200
    assert "library" in response.context["form"].errors
    assert not User.objects.filter(email="x@y.example").exists()


def test_inviting_an_existing_address_adds_the_role(staff_user, director, tammela):
    services.user_invite(email=director.email.upper(), full_name="ignored", role=Role.CONTACT, library=tammela)
    assert RoleAssignment.objects.filter(user=director, role=Role.CONTACT, library=tammela).exists()
    assert User.objects.filter(email__iexact=director.email).count() == 1


def test_external_id_used_by_another_point_is_refused_and_nothing_saved(humppila, tammela):
    other = ServicePointFactory(library=tammela)
    other.external_ids.create(source="kirkanta", value="85000")
    point = ServicePoint(library=humppila, name="Uusi piste", kind="branch")
    with pytest.raises(ValidationError) as caught:
        services.service_point_save(service_point=point, external_ids={"kirkanta": "85000"})
    assert "id_kirkanta" in caught.value.message_dict
    assert not ServicePoint.objects.filter(name="Uusi piste").exists()


def test_service_point_closing_before_opening_is_refused_on_the_field(client, staff_user, humppila):
    client.force_login(staff_user)
    response = client.post(reverse("service_point_create", args=[humppila.pk]), {
        "name": "Väärin", "kind": "branch", "opened_on": "2025-05-01", "closed_on": "2024-01-01"})
    assert response.status_code == 200
    assert "closed_on" in response.context["form"].errors
    assert not ServicePoint.objects.filter(name="Väärin").exists()


def test_role_constraint_holds_in_the_database(director):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=director, role=Role.STAFF, library=director.role_assignments.first().library)


def test_password_reset_sends_a_working_link(client, director):
    response = client.post(reverse("password_reset"), {"email": director.email})
    assert response.status_code == 302
    deliver_outbox()  # what the worker does after the commit
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives  # an HTML part too


def test_inviting_again_someone_who_never_set_a_password_sends_a_new_link(
    staff_user, humppila, tammela, django_capture_on_commit_callbacks
):
    """An invitation link expires (and password reset ignores accounts without a password),
    so inviting the same address again is the only way back in: it must send a fresh link."""
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(email="uusi@humppila.example", full_name="Uusi", role=Role.CONTACT, library=humppila)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(email="uusi@humppila.example", full_name="Uusi", role=Role.CONTACT, library=tammela)
    assert [message.to for message in mail.outbox] == [["uusi@humppila.example"]] * 2
    assert "/invitation/" in mail.outbox[1].body


def test_inviting_someone_who_has_a_password_adds_the_role_and_says_so(client, staff_user, director, tammela):
    client.force_login(staff_user)
    response = client.post(reverse("person_invite"), {
        "email": director.email, "full_name": "X", "role": "contact", "library": tammela.pk, "language": "fi"},
        follow=True)
    assert response.status_code == 200
    assert mail.outbox == []
    shown = [str(message) for message in response.context["messages"]]
    assert not any("kutsu" in text.lower() for text in shown), shown
    assert any(director.email in text for text in shown), shown


def test_a_refused_new_service_point_page_still_offers_to_add_it(client, staff_user, humppila, tammela):
    """The refused point was saved and rolled back, keeping an id in memory: the page turned
    into "Edit …" of a point that does not exist. The clash is now found before any save."""
    other = ServicePointFactory(library=tammela)
    other.external_ids.create(source="kirkanta", value="85000")
    client.force_login(staff_user)
    response = client.post(reverse("service_point_create", args=[humppila.pk]), {
        "name": "Uusi piste", "kind": "branch", "id_kirkanta": "85000"})
    assert response.status_code == 200
    assert "id_kirkanta" in response.context["form"].errors
    assert response.context["point"].pk is None
    assert "<h1>Lisää toimipiste</h1>" in response.content.decode()
    assert not ServicePoint.objects.filter(name="Uusi piste").exists()


INVITE_FORM = {"email": "uusi.johtaja@kirjasto.example", "full_name": "Uusi Johtaja", "role": Role.DIRECTOR,
               "language": "fi"}


@pytest.mark.django_db(transaction=True)
def test_an_invitation_the_mail_server_defers_waits_in_the_outbox_and_goes_later(client, settings, humppila):
    """The mail server answers 451 (busy): the page does not wait or complain; the outbox
    keeps the message and sends it once the server takes mail again."""
    from testsupport import SmtpInbox, deliver_outbox, loopback_smtp

    client.force_login(user_with_role(Role.STAFF))
    server = SmtpInbox(busy=True)
    with loopback_smtp(server, settings):
        # Committed for real, so the send after the commit runs (eagerly, in this process).
        response = client.post(reverse("person_invite"), {**INVITE_FORM, "library": humppila.pk})
        assert response.status_code == 302
        row = messages_about(User.objects.get(email=INVITE_FORM["email"])).get()
        assert row.state == OutboxMessage.State.RETRY and row.last_error.startswith("451")
        server.busy = False
        OutboxMessage.objects.filter(pk=row.pk).update(retry_after=timezone.now())
        assert deliver_outbox() == 1
        assert server.delivered == ["uusi.johtaja@kirjasto.example"]


@pytest.mark.django_db(transaction=True)
def test_inviting_a_person_completes_while_the_mail_server_is_down(client, settings, humppila):
    from testsupport import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    client.force_login(user_with_role(Role.STAFF))
    response = client.post(reverse("person_invite"), {**INVITE_FORM, "library": humppila.pk}, follow=True)
    assert response.redirect_chain[-1][1] == 302 and response.status_code == 200
    assert any(INVITE_FORM["email"] in str(message) for message in response.context["messages"])
    row = messages_about(User.objects.get(email=INVITE_FORM["email"])).get()
    assert row.state == OutboxMessage.State.QUEUED and row.kind == "consortium.invitation"


def test_pressing_invite_twice_sends_one_invitation_and_inviting_again_later_a_new_one(client, staff_user,
                                                                                      humppila):
    client.force_login(staff_user)
    form = client.get(reverse("person_invite")).context["form"]
    submission = {**INVITE_FORM, "library": humppila.pk, "submission_id": form["submission_id"].value()}
    assert client.post(reverse("person_invite"), submission).status_code == 302
    assert client.post(reverse("person_invite"), submission).status_code == 302
    person = User.objects.get(email=INVITE_FORM["email"])
    assert messages_about(person).count() == 1
    again = client.get(reverse("person_invite")).context["form"]["submission_id"].value()
    assert again != submission["submission_id"]
    client.post(reverse("person_invite"), {**submission, "submission_id": again})
    deliver_outbox()
    assert [message.to for message in mail.outbox] == [[person.email]] * 2


@pytest.mark.django_db(transaction=True)
def test_asking_for_a_new_password_completes_while_the_mail_server_is_down(client, settings, director):
    from testsupport import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    response = client.post(reverse("password_reset"), {"email": director.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    row = messages_about(director).get()
    assert row.kind == "consortium.password_reset" and row.state == OutboxMessage.State.QUEUED
    assert "/password-reset/" in row.body_text and row.body_html
