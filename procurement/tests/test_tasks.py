"""Reminders a week and a day before the deadline (once per library and kind), award and
expiry e-mails, all queued in the outbox; the beat schedule."""

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consortium.models import OutboxMessage, Role
from consortium.outbox import messages_about
from consortium.tests.factories import user_with_role
from procurement import services
from procurement.models import State
from procurement.tasks import notify_award, send_agreement_expiry_notices, send_opt_in_reminders
from procurement.tests.factories import (
    AgreementFactory,
    AwardFactory,
    OpenProcurementFactory,
    OptInFactory,
    working_day_deadline,
)
from testsupport import SmtpInbox, deliver_outbox, free_port, loopback_smtp

pytestmark = pytest.mark.django_db


def sent_mail():
    """What a worker sends after the commit (a test's transaction never commits)."""
    deliver_outbox()
    return mail.outbox


def test_beat_runs_the_reminders_and_expiry_notices():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"procurement.tasks.send_opt_in_reminders", "procurement.tasks.send_agreement_expiry_notices"} <= tasks


def test_reminders_go_to_unanswered_libraries_once_a_week_and_once_a_day_before(humppila, tammela, contact,
                                                                                  director, other_director):
    now = timezone.now()
    procurement = OpenProcurementFactory(opt_in_deadline=now + timedelta(days=6, hours=1), title="Lehdet")
    OptInFactory(procurement=procurement, library=tammela)
    assert send_opt_in_reminders.apply().get() == 1  # Humppila only: Tammela answered
    assert sorted(m.to[0] for m in sent_mail()) == sorted([contact.email, director.email])
    assert "Lehdet" in mail.outbox[0].subject
    assert f"/procurement/{procurement.pk}/opt-in/{humppila.pk}/" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Muistutus")  # in the recipient's language (Finnish)

    # Running again (the beat, a retry, a second worker) sends nothing more.
    assert send_opt_in_reminders.apply().get() == 0
    assert services.opt_in_reminders_send(now=now + timedelta(hours=3)) == 0
    assert len(sent_mail()) == 2

    # A day before: the second reminder, once.
    day_before = procurement.opt_in_deadline - timedelta(hours=20)
    assert services.opt_in_reminders_send(now=day_before) == 1
    assert services.opt_in_reminders_send(now=day_before) == 0
    assert len(sent_mail()) == 4
    kinds = set(messages_about(procurement).values_list("kind", flat=True))
    assert kinds == {"procurement.reminder_week", "procurement.reminder_day"}


def test_no_reminder_while_more_than_a_week_is_left_or_after_the_deadline(humppila, contact):
    now = timezone.now()
    OpenProcurementFactory(opt_in_deadline=now + timedelta(days=12))
    assert services.opt_in_reminders_send(now=now) == 0
    assert services.opt_in_reminders_send(now=now + timedelta(days=13)) == 0
    assert not OutboxMessage.objects.exists()


def test_a_withdrawn_answer_counts_as_no_answer(humppila, contact):
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=3))
    OptInFactory(procurement=procurement, library=humppila, answer="withdrawn")
    assert services.opt_in_reminders_send() == 1


def test_participants_are_told_of_the_award_once(humppila, tammela, tampere, contact, other_director,
                                                 tampere_contact, staff_user, django_capture_on_commit_callbacks):
    award = AwardFactory(supplier__name="Ellibs Oy")
    procurement = award.procurement
    OptInFactory(procurement=procurement, library=humppila)
    OptInFactory(procurement=procurement, library=tammela, answer="interested")
    OptInFactory(procurement=procurement, library=tampere, answer="declined", yearly_estimate=None)
    sv_reader = user_with_role(Role.CONTACT, library=tammela, language="sv")
    with django_capture_on_commit_callbacks() as callbacks:
        services.procurement_move(procurement=procurement, to_state=State.AWARDED, by=staff_user, reason="Päätös")
    from consortium.frontpage import invalidate_front_pages

    # The mail task is queued only after the move commits (beside the front page's refresh),
    # and the task queues the messages.
    assert not OutboxMessage.objects.exists()
    assert len([callback for callback in callbacks if callback is not invalidate_front_pages]) == 1
    for callback in callbacks:
        callback()
    recipients = sorted(address for message in sent_mail() for address in message.to)
    assert recipients == sorted([contact.email, other_director.email, sv_reader.email])
    assert all("Ellibs Oy" in message.body for message in mail.outbox)
    swedish = next(m for m in mail.outbox if m.to == [sv_reader.email])
    assert swedish.subject.startswith("Upphandlingen")
    assert notify_award.apply(args=[procurement.pk]).get() == 0
    assert len(sent_mail()) == 3


def test_expiry_notices_within_six_months_once(humppila, contact):
    soon = AgreementFactory(ends_on=date.today() + timedelta(days=150))
    later = AgreementFactory(ends_on=date.today() + timedelta(days=400))
    soon.libraries.add(humppila)
    later.libraries.add(humppila)
    assert send_agreement_expiry_notices.apply().get() == 1
    assert send_agreement_expiry_notices.apply().get() == 0
    assert len(sent_mail()) == 1 and mail.outbox[0].to == [contact.email]
    assert f"{soon.ends_on.day}.{soon.ends_on.month}.{soon.ends_on.year}" in mail.outbox[0].subject


def test_an_extended_agreement_gets_a_new_expiry_notice_for_its_new_end(humppila, contact, staff_user):
    from procurement.models import ContractNote

    agreement = AgreementFactory(ends_on=date.today() + timedelta(days=150), extension_options=1,
                                 extension_months=12)
    agreement.libraries.add(humppila)
    assert services.agreement_expiry_notices_send() == 1
    services.contract_note_add(agreement=agreement, kind=ContractNote.Kind.OPTION, text="Optio käytetty",
                               by=staff_user)
    agreement.refresh_from_db()
    # Nothing new while the new end is far; six months before it the libraries are told again.
    assert services.agreement_expiry_notices_send() == 0
    later = agreement.ends_on - timedelta(days=150)
    assert services.agreement_expiry_notices_send(today=later) == 1
    assert services.agreement_expiry_notices_send(today=later) == 0
    assert len(sent_mail()) == 2
    assert f"{agreement.ends_on.day}.{agreement.ends_on.month}.{agreement.ends_on.year}" in mail.outbox[1].subject


def test_a_moved_deadline_gets_its_own_reminders(humppila, contact, staff_user):
    now = timezone.now()
    procurement = OpenProcurementFactory(opt_in_deadline=now + timedelta(days=6, hours=1))
    assert services.opt_in_reminders_send(now=now) == 1
    new_deadline = working_day_deadline(20)
    services.procurement_save(procurement=procurement, by=staff_user, opt_in_deadline=new_deadline)
    assert services.opt_in_reminders_send(now=now) == 0  # the new deadline is more than a week away
    week_day, _day_day = services.reminder_days(timezone.localtime(new_deadline).date())
    week_before = timezone.make_aware(datetime.combine(week_day, time(8, 0)))
    assert services.opt_in_reminders_send(now=week_before) == 1
    assert services.opt_in_reminders_send(now=week_before) == 0
    assert len(sent_mail()) == 2


def at_eight(day: date) -> datetime:
    """The beat runs the reminders every day at 08:00 Helsinki time."""
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


def reminders_by_day(days, procurement) -> dict:
    sent = {}
    for day in days:
        services.opt_in_reminders_send(now=at_eight(day))
        sent[day] = sorted(kind.removeprefix("procurement.")
                           for kind in messages_about(procurement).values_list("kind", flat=True))
    return sent


def test_a_day_reminder_that_would_fall_on_christmas_goes_out_on_the_last_working_day_before(humppila, contact):
    # Deadline Monday 28.12.2026: the day before is a Sunday, and 24.-26.12. are holidays.
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.make_aware(datetime(2026, 12, 28, 16, 0)))
    sent = reminders_by_day([date(2026, 12, 20), date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23)],
                            procurement)
    assert sent[date(2026, 12, 20)] == []
    assert sent[date(2026, 12, 21)] == ["reminder_week"]  # Monday, a week before
    assert sent[date(2026, 12, 22)] == ["reminder_week"]
    assert sent[date(2026, 12, 23)] == ["reminder_day", "reminder_week"]  # Wednesday before Christmas Eve
    # Over the holidays and on the Sunday nothing more goes out: each kind once per library.
    assert services.opt_in_reminders_send(now=at_eight(date(2026, 12, 27))) == 0
    assert len(sent_mail()) == 2


def test_a_week_reminder_that_would_fall_on_christmas_eve_goes_out_the_day_before(humppila, contact):
    # Deadline Thursday 31.12.2026: a week before is Christmas Eve, a holiday in Finland.
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.make_aware(datetime(2026, 12, 31, 16, 0)))
    sent = reminders_by_day([date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 29), date(2026, 12, 30)],
                            procurement)
    assert sent[date(2026, 12, 22)] == []
    assert sent[date(2026, 12, 23)] == ["reminder_week"]
    assert sent[date(2026, 12, 29)] == ["reminder_week"]
    assert sent[date(2026, 12, 30)] == ["reminder_day", "reminder_week"]  # a working day: not moved


def test_reminders_on_working_days_stay_a_week_and_a_day_before(humppila, contact):
    # Deadline Tuesday 29.12.2026: the 22nd and the 28th are working days.
    assert services.reminder_days(date(2026, 12, 29)) == (date(2026, 12, 22), date(2026, 12, 28))
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.make_aware(datetime(2026, 12, 29, 23, 59)))
    sent = reminders_by_day([date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 27),
                             date(2026, 12, 28)], procurement)
    assert sent[date(2026, 12, 21)] == []
    assert sent[date(2026, 12, 27)] == ["reminder_week"]
    assert sent[date(2026, 12, 28)] == ["reminder_day", "reminder_week"]


def test_one_refused_address_stops_neither_the_other_libraries_nor_its_own_library(settings, humppila, tammela,
                                                                                   contact, director,
                                                                                   other_director):
    """The mail server refuses one address: everyone else gets the reminder, the refused
    message is failed for good with the server's reply (staff see it at /outbox/), and the
    next runs neither try it again nor repeat anyone else's."""
    first, _second = sorted([humppila, tammela], key=lambda library: library.pk)
    refused = services.library_recipients(first.pk)[0].email  # the first library's first recipient
    everyone_else = {contact.email, director.email, other_director.email} - {refused}
    inbox = SmtpInbox(refused=refused)
    with loopback_smtp(inbox, settings):
        procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
        assert services.opt_in_reminders_send() == 2
        assert deliver_outbox() == 2
        assert sorted(inbox.delivered) == sorted(everyone_else)
        for _run in range(2):
            assert services.opt_in_reminders_send() == 0
            deliver_outbox()
        assert sorted(inbox.delivered) == sorted(everyone_else)
    failed = messages_about(procurement).get(state=OutboxMessage.State.FAILED)
    assert failed.to == refused and failed.last_error == "550 5.1.1 No such user"


def test_a_busy_mail_server_delays_a_reminder_without_repeating_it(settings, humppila, contact, director):
    """A 451 for one recipient: the outbox tries that one again later; the others are not
    sent twice, and a second run of the task queues nothing new."""
    first, second = services.library_recipients(humppila.pk)
    inbox = SmtpInbox(deferred_once=first.email)
    with loopback_smtp(inbox, settings):
        procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
        assert services.opt_in_reminders_send() == 1
        assert deliver_outbox() == 1
        assert inbox.delivered == [second.email]
        assert services.opt_in_reminders_send() == 0
        waiting = messages_about(procurement).get(state=OutboxMessage.State.RETRY)
        OutboxMessage.objects.filter(pk=waiting.pk).update(retry_after=timezone.now())
        assert deliver_outbox() == 1
        assert inbox.delivered == [second.email, first.email]


def test_the_same_reminder_task_run_twice_queues_one_message_per_recipient(humppila, tammela, contact, director,
                                                                           other_director):
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
    send_opt_in_reminders.apply()
    send_opt_in_reminders.apply()  # the beat fires again, or the broker re-delivers the task
    rows = messages_about(procurement, kind="procurement.reminder_week")
    assert sorted(rows.values_list("to", flat=True)) == sorted([contact.email, director.email, other_director.email])


def test_a_person_added_after_the_reminder_gets_it_at_the_next_run_and_nobody_else_again(humppila, contact):
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
    assert services.opt_in_reminders_send() == 1
    newcomer = user_with_role(Role.DIRECTOR, library=humppila)
    assert services.opt_in_reminders_send() == 1
    assert services.opt_in_reminders_send() == 0
    assert sorted(m.to[0] for m in sent_mail()) == sorted([contact.email, newcomer.email])
    assert messages_about(procurement).count() == 2


def test_the_reminders_are_queued_while_the_mail_server_is_down(settings, humppila, contact):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
    assert send_opt_in_reminders.apply().get() == 1
    assert deliver_outbox() == 0
    assert messages_about(procurement).get().state == OutboxMessage.State.QUEUED


@pytest.mark.django_db(transaction=True)
def test_moving_to_awarded_completes_while_the_mail_server_is_down_and_the_award_mail_waits(
        client, settings, humppila, contact, staff_user):
    """The move commits, the award task queues the mail (eager here, as a worker would after
    the commit), the sender finds no server: the page still answers, the messages wait."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    award = AwardFactory(supplier__name="Ellibs Oy")
    OptInFactory(procurement=award.procurement, library=humppila)
    client.force_login(staff_user)
    response = client.post(reverse("procurement:move", args=[award.procurement.pk]),
                           {"to_state": State.AWARDED, "reason": "Hankintapäätös"})
    assert response.status_code == 302
    row = messages_about(award.procurement, kind="procurement.award").get()
    assert row.to == contact.email and row.state == OutboxMessage.State.QUEUED and "Ellibs Oy" in row.body_text
