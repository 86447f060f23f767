"""The catalogue's rules, enforced by the services: stages move along allowed paths and
are recorded, only offered services are taken up, offering creates an announcement."""

from datetime import date

import pytest
from django.db import connection
from django.core.exceptions import ValidationError

from ..models import AppendOnlyError, Announcement, Stage, StageChange
from ..services import offering_move, offering_save, take_up_record
from .factories import OfferingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def new_offering(staff_user, **changes):
    fields = dict(name="Viddla", vendor="Suomen Kirjastopalvelu Oy", kind="films", languages=["fi", "en"],
                  description="Elokuvia kirjaston asiakkaille.", pricing="Käyttökertamaksu")
    fields.update(changes)
    return offering_save(by=staff_user, **fields)


def test_a_new_offering_starts_being_looked_for_and_its_history_says_who(staff_user):
    offering = new_offering(staff_user)
    assert offering.stage == Stage.LOOKING
    assert offering.language_codes == ["fi", "en"]
    change = offering.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.by) == ("", Stage.LOOKING, staff_user)


def test_stages_move_forward_and_each_move_is_recorded(staff_user):
    offering = new_offering(staff_user)
    for stage in (Stage.NEGOTIATING, Stage.EVALUATING, Stage.OFFERED):
        offering = offering_move(offering=offering, to_stage=stage, by=staff_user)
    assert offering.stage == Stage.OFFERED
    assert list(offering.stage_changes.values_list("to_stage", flat=True)) == [
        Stage.LOOKING, Stage.NEGOTIATING, Stage.EVALUATING, Stage.OFFERED]


@pytest.mark.parametrize("start, target", [
    (Stage.LOOKING, Stage.OFFERED), (Stage.LOOKING, Stage.EVALUATING), (Stage.OFFERED, Stage.EVALUATING),
    (Stage.DISCONTINUED, Stage.OFFERED), (Stage.EVALUATING, Stage.LOOKING),
])
def test_a_move_outside_the_allowed_paths_is_refused(staff_user, start, target):
    offering = OfferingFactory(stage=start, name_fi="Zinio")
    with pytest.raises(ValidationError) as error:
        offering_move(offering=offering, to_stage=target, by=staff_user)
    assert "“Zinio” cannot move from" in str(error.value)
    offering.refresh_from_db()
    assert offering.stage == start and not StageChange.objects.exists()


def test_back_to_negotiation_needs_a_reason(staff_user):
    offering = OfferingFactory(stage=Stage.OFFERED, name_fi="PressReader")
    with pytest.raises(ValidationError) as error:
        offering_move(offering=offering, to_stage=Stage.NEGOTIATING, by=staff_user, reason="  ")
    assert error.value.message_dict["reason"] == ["Say why “PressReader” goes back to negotiation."]
    offering_move(offering=offering, to_stage=Stage.NEGOTIATING, by=staff_user, reason="Hinta nousi.")
    assert offering.stage_changes.get().reason == "Hinta nousi."


def test_the_stage_history_cannot_be_rewritten(staff_user):
    offering = new_offering(staff_user)
    change = offering.stage_changes.get()
    change.reason = "muutettu"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()


def test_offering_to_members_announces_it_in_finnish_and_swedish(staff_user):
    offering = new_offering(staff_user, name_sv="Viddla (sv)", description_sv="Filmer för kunderna.")
    offering_move(offering=offering, to_stage=Stage.NEGOTIATING, by=staff_user)
    offering_move(offering=offering, to_stage=Stage.OFFERED, by=staff_user, announcement_text="Nyt tarjolla!")
    announcement = Announcement.objects.get()
    assert "Viddla" in announcement.title_fi
    assert "Viddla (sv)" in announcement.title_sv
    assert announcement.text_fi == "Nyt tarjolla!"
    assert announcement.text_sv == "Filmer för kunderna."


def test_only_an_offered_service_can_be_taken_up(staff_user, contact, humppila):
    offering = OfferingFactory(stage=Stage.NEGOTIATING, name_fi="eMagz")
    with pytest.raises(ValidationError) as error:
        take_up_record(offering=offering, library=humppila, since=date(2026, 3, 1), by=contact)
    assert "“eMagz” is not offered to members" in str(error.value)
    offering_move(offering=offering, to_stage=Stage.OFFERED, by=staff_user)
    take_up = take_up_record(offering=offering, library=humppila, since=date(2026, 3, 1), reference="SOP-12",
                             by=contact)
    again = take_up_record(offering=offering, library=humppila, since=date(2026, 4, 1), by=contact)
    assert again.pk == take_up.pk and again.since == date(2026, 4, 1)


def test_an_unknown_language_is_refused(staff_user):
    with pytest.raises(ValidationError) as error:
        new_offering(staff_user, languages=["fi", "klingon"])
    assert "klingon" in error.value.message_dict["languages"][0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only")
def test_the_stage_history_refuses_a_rewrite_in_the_database_too(staff_user):
    from django.db import DatabaseError, transaction

    new_offering(staff_user)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StageChange.objects.update(reason="kirjoitettu uudelleen")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StageChange.objects.all()._raw_delete(StageChange.objects.db)
    assert StageChange.objects.exists()
