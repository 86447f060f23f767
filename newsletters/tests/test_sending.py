"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1), tasks run in-process."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from consortium.models import JobRun
from consortium.tests.factories import CooperationAreaFactory
from newsletters import services
from newsletters.models import Delivery, Issue
from newsletters.sending import deliveries_send_batch, deliveries_sweep, issue_progress, issue_start_sending
from newsletters.tasks import newsletters_send_batch

from .factories import BlockFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(staff_user, area):
    issue = IssueFactory(subject="Uutiskirje marraskuu", subject_sv="Nyhetsbrev november")
    BlockFactory(issue=issue, title="Kaikille", title_sv="För alla", body="Teksti kaikille")
    BlockFactory(issue=issue, title="Vain Lounalle", body="Louna-asia", area=area)
    return issue


def approve(issue, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now())


def headers_of(message) -> dict:
    return {key.lower(): str(value).strip() for key, value in message.items()}


def test_every_subscriber_gets_exactly_one_message_with_both_parts_and_unsubscribe_headers(
        issue, staff_user, smtp_settings, settings, django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 0
    settings.NEWSLETTER_BATCH_SIZE = 4
    subscribers = SubscriberFactory.create_batch(9)
    SubscriberFactory(status="unsubscribed", email="lahtenyt@kirjasto.example")
    SubscriberFactory(status="pending", email="vahvistamaton@kirjasto.example")
    approve(issue, staff_user, django_capture_on_commit_callbacks)

    assert smtp_settings.by_recipient() == {s.email: 1 for s in subscribers}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.sent_at
    for recipients, message in smtp_settings.messages:
        headers = headers_of(message)
        assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
        assert headers["list-unsubscribe"].startswith("<http") and "/newsletters/s/" in headers["list-unsubscribe"]
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        text = message.get_body(("plain",)).get_content()
        assert "/newsletters/archive/" in text and "/newsletters/s/" in text
    deliveries = Delivery.objects.filter(issue=issue)
    assert deliveries.count() == 9 and set(deliveries.values_list("status", flat=True)) == {"sent"}
    assert all("queued as Q" in d.smtp_response and d.message_id for d in deliveries)
    run = JobRun.objects.get(pk=issue.job_run_id)
    assert run.state == "done" and run.progress_total == run.progress_done == 9
    assert "9" in run.message


def test_language_and_audience_follow_the_recipient(issue, area, staff_user, smtp_settings, settings,
                                                    django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 0
    SubscriberFactory(email="svensk@kirjasto.example", language="sv")
    SubscriberFactory(email="english@kirjasto.example", language="en")  # no English translation
    SubscriberFactory(email="louna@kirjasto.example", areas=[area])
    # Another area's reader gets only the parts for every member.
    SubscriberFactory(email="toinen@kirjasto.example", areas=[CooperationAreaFactory(slug="muu", name="Muu alue")])
    approve(issue, staff_user, django_capture_on_commit_callbacks)
    got = {recipients[0]: message for recipients, message in smtp_settings.messages}
    assert got["svensk@kirjasto.example"]["Subject"] == "Nyhetsbrev november"
    assert "För alla" in got["svensk@kirjasto.example"].get_body(("html",)).get_content()
    assert got["english@kirjasto.example"]["Subject"] == "Uutiskirje marraskuu"
    assert "Vain Lounalle" in got["louna@kirjasto.example"].get_body(("plain",)).get_content()
    assert "Vain Lounalle" not in got["svensk@kirjasto.example"].get_body(("plain",)).get_content()
    assert "Vain Lounalle" not in got["toinen@kirjasto.example"].get_body(("plain",)).get_content()
    assert "Kaikille" in got["toinen@kirjasto.example"].get_body(("plain",)).get_content()
    # The area's part says whom it is for, in the reader's language.
    assert "Alueen kirjastoille: Louna" in got["louna@kirjasto.example"].get_body(("html",)).get_content()
    assert "[Alueen kirjastoille: Louna]" in got["louna@kirjasto.example"].get_body(("plain",)).get_content()


def test_sending_again_or_twice_at_once_sends_nobody_a_second_message(issue, staff_user, smtp_settings, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 0
    SubscriberFactory.create_batch(5)
    approve(issue, staff_user, django_capture_on_commit_callbacks)
    assert issue_start_sending(issue_id=issue.pk) == 0  # a repeated fan-out does nothing
    newsletters_send_batch.apply(kwargs={"issue_id": issue.pk})  # a redelivered task: nothing to claim
    deliveries_sweep()
    assert len(smtp_settings.messages) == 5 and set(smtp_settings.by_recipient().values()) == {1}


def test_permanent_refusal_fails_and_temporary_one_retries_with_back_off(issue, staff_user, smtp_settings, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 0
    settings.NEWSLETTER_RETRY_DELAYS = [60, 600]
    SubscriberFactory(email="ok@kirjasto.example")
    SubscriberFactory(email="eiole@kirjasto.example")
    SubscriberFactory(email="taynna@kirjasto.example")
    smtp_settings.refuse = {"eiole@kirjasto.example": "550 5.1.1 No such user",
                            "taynna@kirjasto.example": "452 4.2.2 Mailbox full"}
    approve(issue, staff_user, django_capture_on_commit_callbacks)

    by_email = {d.email: d for d in Delivery.objects.all()}
    assert by_email["ok@kirjasto.example"].status == "sent"
    assert by_email["eiole@kirjasto.example"].status == "failed"
    assert "550" in by_email["eiole@kirjasto.example"].error
    waiting = by_email["taynna@kirjasto.example"]
    assert waiting.status == "retry" and "452" in waiting.error
    assert timedelta(seconds=55) < waiting.retry_after - timezone.now() < timedelta(seconds=65)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING
    assert issue_progress(issue) == {"sent": 1, "failed": 1, "waiting": 1, "retrying": 1, "total": 3, "percent": 67}

    # Not due yet: a batch now sends nothing.
    assert deliveries_send_batch(issue_id=issue.pk).sent == 0
    # The mailbox is emptied; once the back-off has passed the message goes.
    smtp_settings.refuse = {}
    later = timezone.now() + timedelta(seconds=61)
    result = deliveries_send_batch(issue_id=issue.pk, now=lambda: later)
    assert result.sent == 1 and result.finished
    assert smtp_settings.by_recipient() == {"ok@kirjasto.example": 1, "taynna@kirjasto.example": 1}
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_a_delivery_left_in_flight_by_a_crash_is_sent_once_after_its_lease(issue, staff_user, smtp_settings,
                                                                          settings, django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 0
    SubscriberFactory.create_batch(3)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.APPROVED, send_at=timezone.now())
    issue_start_sending(issue_id=issue.pk)  # outside on_commit capture: the chain is not started
    # A worker claimed one row and died before the server accepted it.
    crashed = Delivery.objects.order_by("pk").first()
    Delivery.objects.filter(pk=crashed.pk).update(status="inflight", attempts=1, claimed_at=timezone.now(),
                                                  lease_until=timezone.now() + timedelta(seconds=300))
    deliveries_send_batch(issue_id=issue.pk)
    assert crashed.email not in smtp_settings.by_recipient()  # still claimed: nobody else touches it
    assert deliveries_sweep()["requeued"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = deliveries_sweep(now=timezone.now() + timedelta(seconds=301))
    assert report["requeued"] == 1 and report["restarted"] == [issue.pk]
    assert smtp_settings.by_recipient() == {d.email: 1 for d in Delivery.objects.all()}
    crashed.refresh_from_db()
    assert crashed.status == "sent" and crashed.attempts == 2
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_mail_server_down_nothing_is_marked_sent(issue, staff_user, settings, django_capture_on_commit_callbacks):
    from testsupport import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    SubscriberFactory.create_batch(3)
    approve(issue, staff_user, django_capture_on_commit_callbacks)
    statuses = list(Delivery.objects.values_list("status", "attempts"))
    assert statuses == [("queued", 0)] * 3
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING


def test_one_connection_per_batch_and_the_rate_limit_holds(issue, staff_user, smtp_settings, settings,
                                                         django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 20
    settings.NEWSLETTER_BATCH_SIZE = 5
    SubscriberFactory.create_batch(12)
    started = time.monotonic()
    approve(issue, staff_user, django_capture_on_commit_callbacks)
    elapsed = time.monotonic() - started
    assert len(smtp_settings.messages) == 12
    assert smtp_settings.connections == 3  # 5 + 5 + 2 messages, one connection each
    assert elapsed >= 11 / 20 * 0.9  # 20 messages a second at most


def _fanned_out(issue, subscribers=3):
    SubscriberFactory.create_batch(subscribers)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.APPROVED, send_at=timezone.now())
    issue_start_sending(issue_id=issue.pk)  # outside on_commit capture: the chain is not started
    return list(Delivery.objects.filter(issue=issue).order_by("pk"))


def test_a_row_the_sweeper_put_back_after_the_server_accepted_it_is_not_sent_again(issue, smtp_settings, settings):
    settings.NEWSLETTER_RATE_LIMIT = 0
    deliveries = _fanned_out(issue)
    calls = []

    def stalled_now():
        # Call 1 claims; call 2 stamps the first "sent". Between the server's 250 and that
        # mark the worker stalled past its lease, and the sweeper put the batch back.
        calls.append(1)
        if len(calls) == 2:
            Delivery.objects.filter(issue=issue, status="inflight").update(status="queued", lease_until=None)
        return timezone.now()

    deliveries_send_batch(issue_id=issue.pk, now=stalled_now)
    deliveries_send_batch(issue_id=issue.pk)  # the chain (or the sweeper's restart) goes on
    assert smtp_settings.by_recipient() == {d.email: 1 for d in deliveries}
    first = Delivery.objects.get(pk=deliveries[0].pk)
    assert first.status == "sent" and first.smtp_response


def test_a_stalled_worker_does_not_send_rows_another_worker_has_taken_over(issue, smtp_settings, settings):
    settings.NEWSLETTER_RATE_LIMIT = 0
    settings.NEWSLETTER_INFLIGHT_LEASE = 3  # renewed every second
    smtp_settings.delay = 1.2  # a slow server: the first message takes longer than a renewal period
    deliveries = _fanned_out(issue)
    other = timezone.now() + timedelta(seconds=1)
    calls = []

    def stalled_now():
        calls.append(1)
        if len(calls) == 2:  # the first message was accepted; meanwhile another worker took the rest
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries[1:]]).update(
                claimed_at=other, lease_until=other + timedelta(seconds=300))
        return timezone.now()

    result = deliveries_send_batch(issue_id=issue.pk, now=stalled_now)
    assert result.sent == 1
    assert smtp_settings.by_recipient() == {deliveries[0].email: 1}
    assert list(Delivery.objects.filter(pk__in=[d.pk for d in deliveries[1:]]).values_list("status", "claimed_at")) \
        == [("inflight", other)] * 2  # left to the worker that owns them


def test_a_message_that_cannot_be_built_fails_alone_and_the_rest_go_out(issue, staff_user, smtp_settings, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.NEWSLETTER_RATE_LIMIT = 0
    settings.NEWSLETTER_BATCH_SIZE = 10
    # A Swedish subject with a line break (approved before that was refused) cannot be a header.
    Issue.objects.filter(pk=issue.pk).update(subject_sv="Nyhetsbrev\nBcc: alla@evil.example",
                                             status=Issue.Status.APPROVED, send_at=timezone.now())
    swede = SubscriberFactory(email="svensk@kirjasto.example", language="sv")
    finns = SubscriberFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        issue_start_sending(issue_id=issue.pk)

    assert smtp_settings.by_recipient() == {s.email: 1 for s in finns}
    failed = Delivery.objects.get(email=swede.email)
    assert failed.status == "failed" and "BadHeaderError" in failed.error
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_sent_marks_are_durable_commits(issue, smtp_settings, settings):
    """A "sent" mark that PostgreSQL could forget in a crash means a second message to that
    person: the batch keeps the default synchronous_commit."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    settings.NEWSLETTER_RATE_LIMIT = 0
    _fanned_out(issue, subscribers=2)
    seen = []

    def now_and_look():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return timezone.now()

    assert deliveries_send_batch(issue_id=issue.pk, now=now_and_look).sent == 2
    assert len(seen) >= 3 and set(seen) == {"on"}


def test_a_refused_sender_fails_nobody_for_good(issue, staff_user, smtp_settings, settings,
                                               django_capture_on_commit_callbacks):
    """A relay that refuses our From address (say, after a settings change) refuses everyone
    alike: the issue waits and retries instead of marking the whole list failed."""
    settings.NEWSLETTER_RATE_LIMIT = 0
    subscribers = SubscriberFactory.create_batch(4)

    async def handle_MAIL(server, session, envelope, address, mail_options):
        return "550 5.7.1 Sender not authorized"

    smtp_settings.handle_MAIL = handle_MAIL
    approve(issue, staff_user, django_capture_on_commit_callbacks)
    statuses = dict(Delivery.objects.values_list("email", "status"))
    assert "failed" not in statuses.values() and not smtp_settings.messages
    assert sorted(statuses.values()) == ["queued", "queued", "queued", "retry"]
    assert "550" in Delivery.objects.get(status="retry").error

    del smtp_settings.handle_MAIL  # the relay is fixed; the retry falls due
    later = timezone.now() + timedelta(seconds=61)
    for _batch in range(3):
        if deliveries_send_batch(issue_id=issue.pk, now=lambda: later).next_in is None:
            break
    assert smtp_settings.by_recipient() == {s.email: 1 for s in subscribers}
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_someone_who_leaves_while_their_message_waits_in_a_batch_gets_nothing_more(issue, smtp_settings, settings):
    settings.NEWSLETTER_RATE_LIMIT = 0
    smtp_settings.delay = 1.1  # a slow server: a second passes before the next message
    deliveries = _fanned_out(issue)
    calls = []

    def leaving_now():
        calls.append(1)
        if len(calls) == 2:  # the first message is out; the third person clicks "leave"
            services.subscriber_unsubscribe(subscriber=deliveries[2].subscriber)
        return timezone.now()

    deliveries_send_batch(issue_id=issue.pk, now=leaving_now)
    assert smtp_settings.by_recipient() == {deliveries[0].email: 1, deliveries[1].email: 1}
    assert Delivery.objects.get(pk=deliveries[2].pk).status == "failed"
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_an_issue_waiting_hours_for_retries_is_not_taken_for_a_stalled_job(issue, settings):
    """While deliveries wait for their retry the newsletter sweep reports progress each
    minute, so consortium's job-run sweeper does not fail the sending run however long
    the wait."""
    from consortium.jobs import sweep_stalled_job_runs

    settings.JOB_RUN_STALL_AFTER = 2 * 60 * 60
    deliveries = _fanned_out(issue)
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        status=Delivery.Status.AWAITING_RETRY, attempts=3, retry_after=timezone.now() + timedelta(hours=2))
    run_id = Issue.objects.get(pk=issue.pk).job_run_id
    long_ago = timezone.now() - timedelta(hours=4)
    JobRun.objects.filter(pk=run_id).update(created_at=long_ago, started_at=long_ago, progress_at=long_ago)

    deliveries_sweep()
    assert sweep_stalled_job_runs() == {"stalled": 0, "never_started": 0}
    assert JobRun.objects.get(pk=run_id).state == JobRun.State.RUNNING
