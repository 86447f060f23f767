"""The mail outbox: queued in the caller's transaction, sent once per key after commit,
retried on a temporary failure, failed for good on a permanent one — against a real SMTP
server on 127.0.0.1 — and never waited on by a web request."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from consortium import outbox
from consortium.models import OutboxMessage, Role
from testsupport import SmtpInbox, deliver_outbox, free_port, loopback_smtp
from consortium.tests.factories import LibraryFactory, UserFactory, user_with_role

TEMPLATE = "consortium/mail/invitation"  # any core mail template renders the same way


def queue(user, key="test:1", **extra):
    return outbox.enqueue_mail_to_user(user=user, key=key, kind="test.note", template=TEMPLATE,
                                       context={"invite_url": "http://127.0.0.1:8000/x/", "role_lines": []}, **extra)


@pytest.fixture
def person(db):
    return UserFactory(email="liisa@kirjasto.example", language="sv", full_name="Liisa Lukija")


def test_the_same_message_queued_twice_is_sent_once(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(person)
        second = queue(person)
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["liisa@kirjasto.example"]
    row = OutboxMessage.objects.get()
    assert row.state == OutboxMessage.State.SENT and row.attempts == 1
    assert row.message_id == mail.outbox[0].extra_headers["Message-ID"]
    # Queued again after it went out: still nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        queue(person)
    assert len(mail.outbox) == 1


def test_the_message_is_rendered_in_the_recipients_language_and_keeps_what_it_is_about(person):
    library = LibraryFactory()
    row = queue(person, about=library)
    assert row.language == "sv"
    assert row.subject and row.body_text
    assert list(outbox.messages_about(library)) == [row]
    assert not outbox.messages_about(LibraryFactory()).exists()


def test_nothing_is_sent_for_a_transaction_that_rolled_back(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue(person)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_a_message_waits_until_its_time(person):
    queue(person, not_before=timezone.now() + timedelta(hours=1))
    assert deliver_outbox() == 0
    assert OutboxMessage.objects.get().state == OutboxMessage.State.QUEUED


def test_a_temporary_failure_is_retried_with_back_off(settings, db):
    busy, fine = UserFactory(email="busy@kirjasto.example"), UserFactory(email="fine@kirjasto.example")
    inbox = SmtpInbox(deferred_once="busy@kirjasto.example")
    with loopback_smtp(inbox, settings):
        queue(busy, key="a")
        queue(fine, key="b")
        assert deliver_outbox() == 1
        deferred = OutboxMessage.objects.get(key="a")
        assert deferred.state == OutboxMessage.State.RETRY
        assert deferred.last_error.startswith("451")
        assert deferred.retry_after > timezone.now() + timedelta(seconds=30)
        assert deliver_outbox() == 0  # not due yet
        OutboxMessage.objects.filter(pk=deferred.pk).update(retry_after=timezone.now() - timedelta(seconds=1))
        assert deliver_outbox() == 1
    assert sorted(inbox.delivered) == ["busy@kirjasto.example", "fine@kirjasto.example"]
    deferred.refresh_from_db()
    assert deferred.state == OutboxMessage.State.SENT and deferred.attempts == 2
    assert deferred.smtp_reply.startswith("Message accepted")


def test_a_permanent_failure_is_marked_failed_with_the_servers_reply(settings, db):
    gone, fine = UserFactory(email="gone@kirjasto.example"), UserFactory(email="fine@kirjasto.example")
    inbox = SmtpInbox(refused="gone@kirjasto.example")
    with loopback_smtp(inbox, settings):
        queue(gone, key="a")
        queue(fine, key="b")
        deliver_outbox()
    failed = OutboxMessage.objects.get(key="a")
    assert failed.state == OutboxMessage.State.FAILED
    assert failed.last_error == "550 5.1.1 No such user"
    assert inbox.delivered == ["fine@kirjasto.example"]  # the refusal stopped nobody after it
    assert list(outbox.failed_messages()) == [failed]


def test_a_mail_server_that_is_down_leaves_every_message_waiting(settings, person):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    queue(person)
    assert deliver_outbox() == 0
    row = OutboxMessage.objects.get()
    assert row.state == OutboxMessage.State.QUEUED and row.attempts == 0


def test_the_sweeper_takes_back_what_a_dead_worker_left_claimed(person):
    now = timezone.now()
    row = queue(person)
    OutboxMessage.objects.filter(pk=row.pk).update(state="sending", attempts=1, lease_until=now - timedelta(seconds=1))
    report = outbox.outbox_sweep(now=now)
    assert report == {"requeued": 1, "failed": 0, "started": True}
    row.refresh_from_db()  # the sweep started a sender (eager here), which sent it again
    assert row.state == OutboxMessage.State.SENT and row.attempts == 2
    assert len(mail.outbox) == 1
    OutboxMessage.objects.filter(pk=row.pk).update(state="sending", attempts=6, lease_until=now - timedelta(seconds=1))
    assert outbox.outbox_sweep(now=now)["failed"] == 1
    assert OutboxMessage.objects.get(pk=row.pk).state == OutboxMessage.State.FAILED


# ---------------------------------------------------------------- the failed-mail page


@pytest.fixture
def failed_row(person):
    row = queue(person)
    OutboxMessage.objects.filter(pk=row.pk).update(state="failed", attempts=6, last_error="550 5.1.1 No such user")
    return row


def test_staff_see_failed_mail_with_the_reason_and_send_it_again(client, staff_user, failed_row):
    client.force_login(staff_user)
    page = client.get(reverse("outbox_failed"))
    assert page.status_code == 200
    assert "550 5.1.1 No such user" in page.content.decode()
    assert "liisa@kirjasto.example" in page.content.decode()
    response = client.post(reverse("outbox_resend", args=[failed_row.pk]))
    assert response.status_code == 302
    failed_row.refresh_from_db()
    assert failed_row.attempts in (0, 1) and failed_row.state in ("queued", "sent")  # eager: sent right after commit
    again = client.post(reverse("outbox_resend", args=[failed_row.pk]), follow=True)
    assert "Vain epäonnistuneen viestin voi lähettää uudelleen (tämän tila: odottaa)" in " ".join(str(m) for m in again.context["messages"])


@pytest.mark.parametrize("role", [Role.CONTACT, Role.DIRECTOR])
def test_library_people_cannot_see_or_resend_mail(client, failed_row, role):
    client.force_login(user_with_role(role, library=LibraryFactory()))
    assert client.get(reverse("outbox_failed")).status_code == 403
    assert client.post(reverse("outbox_resend", args=[failed_row.pk])).status_code == 403
    assert OutboxMessage.objects.get(pk=failed_row.pk).state == "failed"


def test_a_request_that_queues_mail_completes_while_the_mail_server_is_down(client, settings, staff_user, failed_row):
    """The request only writes the row; the send after commit finds no server, and the
    message waits for the next sweep instead of failing the request."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    client.force_login(staff_user)
    response = client.post(reverse("outbox_resend", args=[failed_row.pk]))
    assert response.status_code == 302
    row = OutboxMessage.objects.get(pk=failed_row.pk)
    assert row.state == OutboxMessage.State.QUEUED


def test_the_failed_mail_page_keeps_its_queries_as_failures_grow(client, staff_user, person,
                                                                 django_assert_max_num_queries):
    def fail(count, start):
        for number in range(start, start + count):
            row = queue(person, key=f"k{number}")
            OutboxMessage.objects.filter(pk=row.pk).update(state="failed", last_error="550 no")

    client.force_login(staff_user)
    fail(3, 0)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("outbox_failed")).status_code == 200
    fail(40, 100)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("outbox_failed")).status_code == 200


def test_a_key_longer_than_the_column_still_makes_one_message(person):
    long_key = "test:" + "x" * 300
    first, second = queue(person, key=long_key), queue(person, key=long_key)
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1
