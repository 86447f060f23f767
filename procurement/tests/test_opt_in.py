"""Opt-in answers: the rules, the frozen answer after the deadline, the audit trail, and
two contacts answering at the same moment."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.db import connection, connections
from django.utils import timezone

from consortium.models import Role
from consortium.tests.factories import user_with_role
from procurement import services
from procurement.models import Answer, AppendOnlyError, OptIn, OptInEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def answer(procurement, library, by, version=0, **overrides):
    data = {"answer": "committed", "yearly_estimate": "12 500,50", "contact_name": "Heikki",
            "decision_maker": "Sivistyslautakunta", "decision_date": date.today() - timedelta(days=3),
            "decision_number": "§ 42"}
    data.update(overrides)
    return services.opt_in_answer(procurement=procurement, library=library, by=by, expected_version=version, **data)


def test_contact_commits_changes_and_withdraws_with_an_audit_entry_each(open_procurement, humppila, contact):
    opt_in = answer(open_procurement, humppila, contact)
    assert opt_in.answer == Answer.COMMITTED
    assert opt_in.yearly_estimate == Decimal("12500.50")
    assert opt_in.decision_reference.endswith("§ 42")

    opt_in = answer(open_procurement, humppila, contact, version=1, yearly_estimate="14000")
    assert opt_in.version == 2
    opt_in = services.opt_in_withdraw(procurement=open_procurement, library=humppila, by=contact, expected_version=2)
    assert opt_in.answer == Answer.WITHDRAWN

    events = list(OptInEvent.objects.filter(procurement=open_procurement).order_by("pk"))
    assert [e.action for e in events] == ["created", "changed", "withdrawn"]
    assert events[0].old_values == {} and events[0].new_values["yearly_estimate"] == "12500.50"
    assert events[1].old_values["yearly_estimate"] == "12500.50"
    assert events[1].new_values["yearly_estimate"] == "14000.00"
    assert all(e.by == contact for e in events)
    assert events[2].old_values["answer"] == "committed" and events[2].new_values["answer"] == "withdrawn"
    labels = [label for label, _old, _new in events[1].changes()]
    assert [str(label) for label in labels] == ["estimated yearly purchases (€)"]


def test_interested_and_declined_answers(open_procurement, humppila, tammela, director, other_director):
    interested = answer(open_procurement, humppila, director, answer="interested", yearly_estimate="",
                        decision_number="", decision_maker="", decision_date=None)
    assert interested.answer == Answer.INTERESTED and interested.yearly_estimate is None
    declined = answer(open_procurement, tammela, other_director, answer="declined",
                      decline_reason="Oma sopimus voimassa")
    assert declined.answer == Answer.DECLINED
    assert declined.yearly_estimate is None and declined.decision_number == ""
    assert declined.decline_reason == "Oma sopimus voimassa"


@pytest.mark.parametrize("overrides, field", [
    ({"yearly_estimate": "-5"}, "yearly_estimate"),
    ({"yearly_estimate": "paljon"}, "yearly_estimate"),
    ({"yearly_estimate": ""}, "yearly_estimate"),
    ({"decision_number": ""}, "decision_number"),
    ({"decision_maker": ""}, "decision_maker"),
    ({"decision_date": None}, "decision_date"),
    ({"contact_name": ""}, "contact_name"),
    ({"decision_date": date.today() + timedelta(days=5)}, "decision_date"),
    ({"answer": "withdrawn"}, "answer"),
])
def test_bad_commitments_are_refused_naming_the_field_and_nothing_is_saved(open_procurement, humppila, contact,
                                                                           overrides, field):
    with pytest.raises(ValidationError) as caught:
        answer(open_procurement, humppila, contact, **overrides)
    assert field in caught.value.message_dict
    assert not OptIn.objects.exists() and not OptInEvent.objects.exists()


def test_answer_after_the_deadline_is_refused_and_the_old_answer_is_frozen(open_procurement, humppila, contact):
    answer(open_procurement, humppila, contact)
    open_procurement.opt_in_deadline = timezone.now() - timedelta(minutes=1)
    open_procurement.save()
    with pytest.raises(ValidationError, match="deadline passed"):
        answer(open_procurement, humppila, contact, version=1, yearly_estimate="1")
    with pytest.raises(ValidationError, match="deadline passed"):
        services.opt_in_withdraw(procurement=open_procurement, library=humppila, by=contact, expected_version=1)
    opt_in = OptIn.objects.get()
    assert opt_in.yearly_estimate == Decimal("12500.50") and opt_in.version == 1
    assert OptInEvent.objects.count() == 1


def test_closed_procurement_refuses_answers(open_procurement, humppila, contact, staff_user):
    services.procurement_move(procurement=open_procurement, to_state="closed", by=staff_user, reason="Määräaika")
    with pytest.raises(ValidationError, match="not open"):
        answer(open_procurement, humppila, contact)


def test_nobody_answers_for_another_library_or_without_a_role(client, open_procurement, humppila, tammela, contact,
                                                              coordinator, nobody, staff_user):
    # Who may answer is decided before the service is called: another library's opt-in is
    # simply not found.
    for person, library in [(contact, tammela), (coordinator, humppila), (nobody, humppila), (staff_user, humppila)]:
        client.force_login(person)
        response = client.post(reverse("procurement:opt_in", args=[open_procurement.pk, library.pk]),
                               {"answer": "interested", "version": 0, "action": "save"})
        assert response.status_code in (403, 404), (person, library)
    assert not OptIn.objects.exists()


def test_a_stale_form_gets_a_clear_message_and_does_not_overwrite(open_procurement, humppila, contact, director):
    answer(open_procurement, humppila, contact, yearly_estimate="1000")
    with pytest.raises(ValidationError) as caught:
        answer(open_procurement, humppila, director, version=0, yearly_estimate="9999")
    assert "changed Humppilan kunnankirjasto's answer" in caught.value.messages[0]
    assert contact.full_name in caught.value.messages[0]
    assert OptIn.objects.get().yearly_estimate == Decimal("1000.00")


def test_audit_trail_cannot_be_edited_or_deleted(open_procurement, humppila, contact):
    answer(open_procurement, humppila, contact)
    event = OptInEvent.objects.get()
    event.new_values = {"answer": "declined"}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert OptInEvent.objects.get().new_values["answer"] == "committed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only")
def test_audit_trail_is_append_only_in_the_database(open_procurement, humppila, contact):
    from django.db import DatabaseError, transaction

    answer(open_procurement, humppila, contact)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        OptInEvent.objects.update(new_values={})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        OptInEvent.objects.all()._raw_delete(OptInEvent.objects.db)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has no row locks (select_for_update is a no-op there) and one writer at a "
                           "time; this race is only meaningful on PostgreSQL, which CI runs with DATABASE_URL")
@pytest.mark.django_db(transaction=True)
def test_two_contacts_answering_at_the_same_moment_cannot_overwrite_each_other(humppila, contact):
    from procurement.tests.factories import OpenProcurementFactory

    procurement = OpenProcurementFactory()
    second_contact = user_with_role(Role.CONTACT, library=humppila, full_name="Toinen Yhteyshenkilö")
    barrier = threading.Barrier(2)
    results = {}

    def submit(person, estimate):
        from django.utils import translation

        translation.activate("en")  # a new thread starts without the test's language
        try:
            barrier.wait(timeout=10)
            results[person.pk] = answer(procurement, humppila, person, version=0, yearly_estimate=estimate)
        except ValidationError as error:
            results[person.pk] = error
        finally:
            connections.close_all()

    # Both load the empty form (version 0) and press save at the same moment, each in
    # their own thread and database connection.
    threads = [threading.Thread(target=submit, args=(contact, "1000")),
               threading.Thread(target=submit, args=(second_contact, "2000"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [r for r in results.values() if isinstance(r, OptIn)]
    losers = [r for r in results.values() if isinstance(r, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "while you were editing" in losers[0].messages[0]
    saved = OptIn.objects.get(procurement=procurement, library=humppila)
    assert saved.version == 1
    assert saved.yearly_estimate == winners[0].yearly_estimate
    assert OptInEvent.objects.filter(procurement=procurement).count() == 1


def test_saving_the_same_answer_again_adds_no_version_and_no_audit_entry(open_procurement, humppila, contact):
    answer(open_procurement, humppila, contact)
    again = answer(open_procurement, humppila, contact, version=1)
    assert again.version == 1
    assert OptInEvent.objects.count() == 1


@pytest.mark.parametrize("typed, expected", [
    ("12 500,50", "12500.50"), ("12\xa0500,50 €", "12500.50"), ("12\u202f500,5", "12500.50"), ("800", "800.00"),
    ("0,99", "0.99"), ("1500.25", "1500.25"),
])
def test_estimates_typed_the_finnish_way_are_read_right(open_procurement, humppila, contact, typed, expected):
    assert str(answer(open_procurement, humppila, contact, yearly_estimate=typed).yearly_estimate) == expected


@pytest.mark.parametrize("typed", [
    "12.505",  # a dot as the thousands separator: was read as 12,50 € (silently rounded)
    "1,2345", "1e3", "1_000", "12,500.50", "Infinity", "NaN", "--5",
])
def test_estimates_that_could_be_misread_are_refused(open_procurement, humppila, contact, typed):
    with pytest.raises(ValidationError) as caught:
        answer(open_procurement, humppila, contact, yearly_estimate=typed)
    assert "yearly_estimate" in caught.value.message_dict
    assert not OptIn.objects.exists()


def test_declining_ignores_a_leftover_decision_date(open_procurement, humppila, contact):
    """The decision fields are dropped when the library declines, so a date left in them
    (even a mistyped future one) must not block the answer."""
    declined = answer(open_procurement, humppila, contact, answer="declined", yearly_estimate="noin 5000",
                      decision_date=date.today() + timedelta(days=30), decline_reason="Oma sopimus")
    assert declined.answer == Answer.DECLINED and declined.decision_date is None
    assert declined.yearly_estimate is None


def test_a_changed_answer_keeps_only_what_belongs_to_it(client, open_procurement, humppila, contact):
    """The form sends every field, also those of parts hidden in the browser: moving from a
    commitment to interest drops the decision, to not taking part drops the figures and the
    contact, and a stale or mistyped value in a hidden part does not block the answer."""
    from django.urls import reverse

    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    answer(open_procurement, humppila, contact)
    client.force_login(contact)
    form = {"action": "save", "version": 1, "yearly_estimate": "12 500,50", "contact_name": "Heikki",
            "decision_maker": "Sivistyslautakunta", "decision_date": "31.2.2026", "decision_number": "§ 42"}
    assert client.post(url, {**form, "answer": "interested"}).status_code == 302
    interested = OptIn.objects.get(procurement=open_procurement, library=humppila)
    assert interested.answer == Answer.INTERESTED and interested.yearly_estimate == Decimal("12500.50")
    assert (interested.decision_maker, interested.decision_date, interested.decision_number) == ("", None, "")
    assert client.post(url, {**form, "version": 2, "answer": "declined", "yearly_estimate": "paljon"}).status_code == 302
    declined = OptIn.objects.get(procurement=open_procurement, library=humppila)
    assert declined.answer == Answer.DECLINED and declined.yearly_estimate is None and declined.contact_name == ""
