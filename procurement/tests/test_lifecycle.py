"""The lifecycle moves only along allowed paths, each move recorded; awards, agreements,
appeals (which block signing while pending) and contract-management notes."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from procurement import services
from procurement.models import ALLOWED_MOVES, Appeal, ContractNote, Procurement, State
from procurement.tests.factories import (
    AgreementFactory,
    AppealFactory,
    AwardFactory,
    OptInFactory,
    ProcurementFactory,
    working_day_deadline,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def move(procurement, to_state, by, reason="Syy"):
    return services.procurement_move(procurement=procurement, to_state=to_state, by=by, reason=reason)


def test_the_whole_lifecycle_is_recorded_with_who_when_and_why(staff_user, humppila):
    procurement = services.procurement_save(procurement=Procurement(), by=staff_user, title="Kirjat",
                                            category="books", purchasing_body=ProcurementFactory().purchasing_body,
                                            opt_in_deadline=working_day_deadline(10))
    move(procurement, State.PREPARATION, staff_user, "Valmistelu alkaa")
    move(procurement, State.OPEN, staff_user, "Kysely kirjastoille")
    move(procurement, State.CLOSED, staff_user, "Määräaika umpeutui")
    move(procurement, State.TENDERING, staff_user, "Kilpailutus alkoi")
    AwardFactory(procurement=procurement)
    move(procurement, State.AWARDED, staff_user, "Hankintapäätös")
    AgreementFactory(procurement=procurement, signed_on=date.today())
    move(procurement, State.IN_FORCE, staff_user, "Sopimus allekirjoitettu")
    move(procurement, State.ENDED, staff_user, "Sopimuskausi päättyi")
    moves = list(procurement.transitions.values_list("from_state", "to_state", "reason", "by"))
    assert (moves[0][0], moves[0][1], moves[0][3]) == ("", State.FOLLOWED, staff_user.pk)
    assert moves[-1] == (State.IN_FORCE, State.ENDED, "Sopimuskausi päättyi", staff_user.pk)
    assert len(moves) == 8
    assert Procurement.objects.get(pk=procurement.pk).state == State.ENDED


@pytest.mark.parametrize("from_state, to_state", [
    (State.FOLLOWED, State.AWARDED), (State.PREPARATION, State.CLOSED), (State.OPEN, State.TENDERING),
    (State.AWARDED, State.CANCELLED), (State.IN_FORCE, State.CANCELLED), (State.ENDED, State.OPEN),
    (State.CANCELLED, State.PREPARATION), (State.OPEN, "nonsense"),
])
def test_moves_outside_the_allowed_paths_are_refused(staff_user, from_state, to_state):
    procurement = ProcurementFactory(state=from_state, opt_in_deadline=timezone.now() + timedelta(days=3))
    with pytest.raises(ValidationError):
        move(procurement, to_state, staff_user)
    assert Procurement.objects.get(pk=procurement.pk).state == from_state
    assert not procurement.transitions.exists()


@pytest.mark.parametrize("from_state", [s for s, targets in ALLOWED_MOVES.items() if State.CANCELLED in targets])
def test_cancel_is_possible_from_any_stage_before_award(staff_user, from_state):
    procurement = ProcurementFactory(state=from_state, opt_in_deadline=timezone.now() + timedelta(days=3))
    move(procurement, State.CANCELLED, staff_user, "Markkinaoikeus kumosi")
    assert Procurement.objects.get(pk=procurement.pk).state == State.CANCELLED


def test_a_move_needs_a_reason_and_opening_needs_a_future_deadline(staff_user):
    procurement = ProcurementFactory(state=State.PREPARATION)
    with pytest.raises(ValidationError) as caught:
        move(procurement, State.OPEN, staff_user, reason="  ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError, match="deadline"):
        move(procurement, State.OPEN, staff_user)
    procurement.opt_in_deadline = timezone.now() - timedelta(days=1)
    procurement.save()
    with pytest.raises(ValidationError, match="deadline"):
        move(procurement, State.OPEN, staff_user)


def test_award_needs_a_recorded_award(staff_user):
    procurement = ProcurementFactory(state=State.TENDERING)
    with pytest.raises(ValidationError, match="award"):
        move(procurement, State.AWARDED, staff_user)


def test_pending_appeal_blocks_signing_until_decided(staff_user):
    agreement = AgreementFactory()
    appeal = AppealFactory(procurement=agreement.procurement)
    with pytest.raises(ValidationError, match="appeal is pending"):
        services.agreement_sign(agreement=agreement, signed_on=date.today(), by=staff_user)
    with pytest.raises(ValidationError, match="appeal is pending"):
        move(agreement.procurement, State.IN_FORCE, staff_user)
    services.appeal_decide(appeal=appeal, status=Appeal.Status.DISMISSED, outcome="Hylätty", decided_on=date.today(),
                           by=staff_user)
    services.agreement_sign(agreement=agreement, signed_on=date.today(), by=staff_user)
    move(agreement.procurement, State.IN_FORCE, staff_user)
    assert Procurement.objects.get(pk=agreement.procurement_id).state == State.IN_FORCE


def test_appeal_leaves_pending_only_once_and_only_to_a_decision(staff_user):
    appeal = AppealFactory()
    with pytest.raises(ValidationError):
        services.appeal_decide(appeal=appeal, status=Appeal.Status.PENDING, outcome="", decided_on=date.today(),
                               by=staff_user)
    with pytest.raises(ValidationError):
        services.appeal_decide(appeal=appeal, status=Appeal.Status.UPHELD, outcome="",
                               decided_on=appeal.filed_on - timedelta(days=1), by=staff_user)
    services.appeal_decide(appeal=appeal, status=Appeal.Status.UPHELD, outcome="Hankinta uusittava",
                           decided_on=date.today(), by=staff_user)
    with pytest.raises(ValidationError, match="already decided"):
        services.appeal_decide(appeal=appeal, status=Appeal.Status.WITHDRAWN, outcome="", decided_on=date.today(),
                               by=staff_user)
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.UPHELD


def test_agreement_covers_only_committed_or_interested_libraries(staff_user, humppila, tammela):
    agreement = AgreementFactory()
    OptInFactory(procurement=agreement.procurement, library=humppila)
    OptInFactory(procurement=agreement.procurement, library=tammela, answer="declined", yearly_estimate=None)
    with pytest.raises(ValidationError, match="Tammela"):
        services.agreement_save(agreement=agreement, libraries=[humppila, tammela])
    services.agreement_save(agreement=agreement, libraries=[humppila])
    assert list(agreement.libraries.all()) == [humppila]


def test_library_joins_later_only_while_joining_is_open(humppila, tammela, contact, other_director):
    agreement = AgreementFactory(joining_until=date.today() + timedelta(days=30))
    OptInFactory(procurement=agreement.procurement, library=humppila, answer="interested")
    services.agreement_join(agreement=agreement, library=humppila, by=contact)
    assert humppila in agreement.libraries.all()
    with pytest.raises(ValidationError, match="committed or were interested"):
        services.agreement_join(agreement=agreement, library=tammela, by=other_director)
    agreement.joining_until = date.today() - timedelta(days=1)
    agreement.save()
    OptInFactory(procurement=agreement.procurement, library=tammela)
    with pytest.raises(ValidationError, match="no longer allows joining"):
        services.agreement_join(agreement=agreement, library=tammela, by=other_director)


def test_contract_notes_and_using_an_option_extends_the_agreement(staff_user, humppila):
    agreement = AgreementFactory(ends_on=date(2027, 1, 31), extension_options=1, extension_months=12)
    services.contract_note_add(agreement=agreement, kind=ContractNote.Kind.PRICE, text="Hinnat +2 %", by=staff_user)
    services.contract_note_add(agreement=agreement, kind=ContractNote.Kind.OPTION, text="Optio käytetty",
                               by=staff_user)
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2028, 1, 31) and agreement.options_used == 1
    with pytest.raises(ValidationError, match="no options"):
        services.contract_note_add(agreement=agreement, kind=ContractNote.Kind.OPTION, text="Taas", by=staff_user)
    with pytest.raises(ValidationError):
        services.contract_note_add(agreement=agreement, kind=ContractNote.Kind.COMPLAINT, text=" ", by=staff_user)
    assert agreement.notes.count() == 2


def test_purchasing_body_is_data_with_a_period(db):
    from procurement.models import PurchasingBody

    kl = PurchasingBody.objects.create(name="KL-Kuntahankinnat Oy", active_from=date(2007, 1, 1),
                                       active_until=date(2019, 12, 31))
    hansel = PurchasingBody.objects.create(name="Hansel Oy", active_from=date(2020, 1, 1))
    assert services.purchasing_body_for(date(2018, 11, 30)) == kl
    assert services.purchasing_body_for(date(2024, 1, 1)) == hansel


def test_joining_twice_is_refused_and_leaves_one_note(humppila, contact):
    agreement = AgreementFactory(joining_until=date.today() + timedelta(days=30))
    OptInFactory(procurement=agreement.procurement, library=humppila, answer="interested")
    services.agreement_join(agreement=agreement, library=humppila, by=contact)
    with pytest.raises(ValidationError, match="already covered"):
        services.agreement_join(agreement=agreement, library=humppila, by=contact)  # a second click
    assert agreement.notes.count() == 1


def test_an_open_procurements_deadline_cannot_be_moved_into_the_past(staff_user, open_procurement):
    """A mistyped year would silently freeze every library's answer; closing early is the
    "opt-in closed" move, which records who and why."""
    before = Procurement.objects.get(pk=open_procurement.pk).opt_in_deadline
    with pytest.raises(ValidationError) as caught:
        services.procurement_save(procurement=open_procurement, by=staff_user,
                                  opt_in_deadline=timezone.now() - timedelta(days=365))
    assert "opt_in_deadline" in caught.value.message_dict
    assert Procurement.objects.get(pk=open_procurement.pk).opt_in_deadline == before
    # Other details of an open procurement whose deadline has passed can still be edited.
    Procurement.objects.filter(pk=open_procurement.pk).update(opt_in_deadline=timezone.now() - timedelta(hours=1))
    passed = Procurement.objects.get(pk=open_procurement.pk)
    services.procurement_save(procurement=passed, by=staff_user, description="Lisätietoja")
    # Extending the deadline stays possible.
    services.procurement_save(procurement=passed, by=staff_user, opt_in_deadline=working_day_deadline(3))


@pytest.mark.parametrize("language, day, expected", [
    ("fi", datetime(2030, 12, 25, 23, 59), "25.12.2030 on joulupäivä: valitse työpäivä, esimerkiksi 27.12.2030."),
    ("sv", datetime(2030, 12, 25, 23, 59), "25.12.2030 är juldagen: välj en arbetsdag, till exempel 27.12.2030."),
    ("en", datetime(2030, 12, 25, 23, 59),
     "25.12.2030 is Christmas Day: choose a working day, for example 27.12.2030."),
    ("fi", datetime(2030, 12, 7, 16, 0), "7.12.2030 on lauantai: valitse työpäivä, esimerkiksi 9.12.2030."),
    ("sv", datetime(2030, 12, 8, 16, 0), "8.12.2030 är en söndag: välj en arbetsdag, till exempel 9.12.2030."),
    ("fi", datetime(2030, 6, 21, 12, 0), "21.6.2030 on juhannusaatto: valitse työpäivä, esimerkiksi 24.6.2030."),
])
def test_an_opt_in_deadline_on_a_weekend_or_holiday_is_refused_naming_the_day(staff_user, language, day,
                                                                              expected):
    procurement = ProcurementFactory(state=State.PREPARATION, opt_in_deadline=None)
    with translation.override(language), pytest.raises(ValidationError) as caught:
        services.procurement_save(procurement=procurement, by=staff_user, opt_in_deadline=timezone.make_aware(day))
    assert caught.value.message_dict == {"opt_in_deadline": [expected]}
    assert Procurement.objects.get(pk=procurement.pk).opt_in_deadline is None


def test_deadlines_on_working_days_and_deadlines_left_as_they_were_are_accepted(staff_user, open_procurement):
    monday_before_christmas = timezone.make_aware(datetime(2030, 12, 23, 23, 59))
    services.procurement_save(procurement=open_procurement, by=staff_user, opt_in_deadline=monday_before_christmas)
    # A Sunday deadline stored before this rule (or by the admin) does not block other edits,
    Procurement.objects.filter(pk=open_procurement.pk).update(
        opt_in_deadline=timezone.make_aware(datetime(2030, 12, 22, 23, 59)))
    stored = Procurement.objects.get(pk=open_procurement.pk)
    services.procurement_save(procurement=stored, by=staff_user, description="Lisätietoja")
    # and a past deadline recorded for an old procurement is history, not a choice.
    followed = ProcurementFactory(state=State.FOLLOWED, opt_in_deadline=None)
    services.procurement_save(procurement=followed, by=staff_user,
                              opt_in_deadline=timezone.make_aware(datetime(2018, 6, 2, 16, 0)))
