"""Reminders a week and a day before the deadline (once per library and kind), award and
expiry e-mails; the beat schedule."""

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from consortium.models import Role
from testsupport import SmtpInbox, loopback_smtp
from consortium.tests.factories import user_with_role
from procurement import services
from procurement.models import Notification, State
from procurement.tasks import notify_award, send_agreement_expiry_notices, send_opt_in_reminders
from procurement.tests.factories import (
    AgreementFactory,
    AwardFactory,
    OpenProcurementFactory,
    OptInFactory,
    working_day_deadline,
)

pytestmark = pytest.mark.django_db


def test_beat_runs_the_reminders_and_expiry_notices():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"procurement.tasks.send_opt_in_reminders", "procurement.tasks.send_agreement_expiry_notices"} <= tasks


def test_reminders_go_to_unanswered_libraries_once_a_week_and_once_a_day_before(humppila, tammela, contact,
                                                                                  director, other_director):
    now = timezone.now()
    procurement = OpenProcurementFactory(opt_in_deadline=now + timedelta(days=6, hours=1), title="Lehdet")
    OptInFactory(procurement=procurement, library=tammela)
    assert send_opt_in_reminders.apply().get() == 1  # Humppila only: Tammela answered
    assert sorted(m.to[0] for m in mail.outbox) == sorted([contact.email, director.email])
    assert "Lehdet" in mail.outbox[0].subject
    assert f"/procurement/{procurement.pk}/opt-in/{humppila.pk}/" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Muistutus")  # in the recipient's language (Finnish)

    # Running again (the beat, a retry, a second worker) sends nothing more.
    assert send_opt_in_reminders.apply().get() == 0
    assert services.opt_in_reminders_send(now=now + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 2

    # A day before: the second reminder, once.
    day_before = procurement.opt_in_deadline - timedelta(hours=20)
    assert services.opt_in_reminders_send(now=day_before) == 1
    assert services.opt_in_reminders_send(now=day_before) == 0
    assert len(mail.outbox) == 4
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {Notification.Kind.REMINDER_WEEK, Notification.Kind.REMINDER_DAY}


def test_no_reminder_while_more_than_a_week_is_left_or_after_the_deadline(humppila, contact):
    now = timezone.now()
    OpenProcurementFactory(opt_in_deadline=now + timedelta(days=12))
    assert services.opt_in_reminders_send(now=now) == 0
    assert services.opt_in_reminders_send(now=now + timedelta(days=13)) == 0
    assert not mail.outbox


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
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.procurement_move(procurement=procurement, to_state=State.AWARDED, by=staff_user, reason="Päätös")
    from consortium.frontpage import invalidate_front_pages

    # The mail task is queued only after the move commits (beside the front page's refresh).
    assert len([callback for callback in callbacks if callback is not invalidate_front_pages]) == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([contact.email, other_director.email, sv_reader.email])
    assert all("Ellibs Oy" in message.body for message in mail.outbox)
    swedish = next(m for m in mail.outbox if m.to == [sv_reader.email])
    assert swedish.subject.startswith("Upphandlingen")
    assert notify_award.apply(args=[procurement.pk]).get() == 0
    assert len(mail.outbox) == 3


def test_expiry_notices_within_six_months_once(humppila, contact):
    soon = AgreementFactory(ends_on=date.today() + timedelta(days=150))
    later = AgreementFactory(ends_on=date.today() + timedelta(days=400))
    soon.libraries.add(humppila)
    later.libraries.add(humppila)
    assert send_agreement_expiry_notices.apply().get() == 1
    assert send_agreement_expiry_notices.apply().get() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact.email]
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
    assert len(mail.outbox) == 2
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
    assert len(mail.outbox) == 2


def at_eight(day: date) -> datetime:
    """The beat runs the reminders every day at 08:00 Helsinki time."""
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


def reminders_by_day(days, procurement) -> dict:
    sent = {}
    for day in days:
        services.opt_in_reminders_send(now=at_eight(day))
        sent[day] = sorted(Notification.objects.filter(procurement=procurement, sent_at__isnull=False)
                           .values_list("kind", flat=True))
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
    assert len(mail.outbox) == 2


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


def test_one_refused_address_does_not_stop_the_other_libraries_reminders(settings, humppila, tammela, contact,
                                                                          director, other_director):
    first, second = sorted([humppila, tammela], key=lambda library: library.pk)
    refused = services.library_recipients(first.pk)[0].email  # the first library's first recipient
    inbox = SmtpInbox(refused=refused)
    with loopback_smtp(inbox, settings):
        procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
        with pytest.raises(Exception):  # the run is marked failed ...
            services.opt_in_reminders_send()
        # ... but the library after the refused address got its reminder all the same.
        sent = Notification.objects.filter(procurement=procurement, sent_at__isnull=False)
        assert list(sent.values_list("library_id", flat=True)) == [second.pk]
        everyone_else = {contact.email, director.email, other_director.email} - {refused}
        assert sorted(inbox.delivered) == sorted(everyone_else)
        # The next run tries the refused address again and repeats nobody else's.
        with pytest.raises(Exception):
            services.opt_in_reminders_send()
        assert sorted(inbox.delivered) == sorted(everyone_else)


def test_a_refused_recipient_neither_stops_nor_repeats_the_others(settings, humppila, contact, director):
    """A library has several recipients and the mail server refuses one: the others get the
    message all the same, and later runs try only the refused one, never the others again."""
    first, second = services.library_recipients(humppila.pk)
    inbox = SmtpInbox(refused=first.email)
    with loopback_smtp(inbox, settings):
        procurement = OpenProcurementFactory(opt_in_deadline=timezone.now() + timedelta(days=5))
        for _run in range(3):
            with pytest.raises(Exception):
                services.opt_in_reminders_send()
        assert inbox.delivered == [second.email]  # the refused first one does not stop the second
        inbox.refused = None  # the address works again
        assert services.opt_in_reminders_send() == 1
        assert inbox.delivered == [second.email, first.email]
        notification = Notification.objects.get(procurement=procurement, library=humppila)
        assert notification.sent_at is not None and notification.recipients == 2
