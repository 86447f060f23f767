"""Evaluation groups: invitations answered by the library, evaluators from the library's
own people, one report per evaluator, frozen after the period, reminders once each."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from consortium.models import OutboxMessage, Role
from consortium.tests.factories import user_with_role

from ..models import Participation, Report
from ..services import (
    evaluator_name,
    group_summarise,
    participation_answer,
    report_reminders_send,
    report_save,
)
from .factories import EvaluatorFactory, ParticipationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RATINGS = {"usefulness": 4, "ease_of_use": 3, "content": 5, "accessibility": 2, "value": 4}
DURING = date(2026, 10, 15)


def test_a_library_accepts_and_names_its_own_people_only(group, humppila, tampere, contact, humppila_evaluator,
                                                         tampere_contact):
    participation = ParticipationFactory(group=group, library=humppila, state=Participation.State.INVITED)
    with pytest.raises(ValidationError, match="Accept the invitation"):
        evaluator_name(participation=participation, user=humppila_evaluator, by=contact, today=DURING)
    participation_answer(participation=participation, accept=True, by=contact, today=DURING)
    with pytest.raises(ValidationError) as error:
        evaluator_name(participation=participation, user=tampere_contact, by=contact, today=DURING)
    assert "does not work for Humppilan kunnankirjasto" in str(error.value)
    evaluator_name(participation=participation, user=humppila_evaluator, by=contact, today=DURING)
    with pytest.raises(ValidationError, match="already an evaluator"):
        evaluator_name(participation=participation, user=humppila_evaluator, by=contact, today=DURING)


def test_one_report_per_evaluator_editable_until_the_period_ends(humppila_in_group, humppila_evaluator):
    evaluator = EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator)
    report = report_save(evaluator=evaluator, by=humppila_evaluator, ratings=RATINGS, text="Hyvä.", recommend=True,
                         today=DURING)
    with pytest.raises(ValidationError, match="has already written a report"):
        report_save(evaluator=evaluator, by=humppila_evaluator, ratings=RATINGS, text="Toinen.", recommend=False,
                    today=DURING)
    report_save(evaluator=evaluator, report=report, by=humppila_evaluator, ratings={**RATINGS, "value": 1},
                text="Kallis.", recommend=False, today=date(2026, 11, 30))
    report.refresh_from_db()
    assert (report.value, report.text, report.recommend) == (1, "Kallis.", False)
    with pytest.raises(ValidationError, match="The trial ended on 30.11.2026: the reports are frozen."):
        report_save(evaluator=evaluator, report=report, by=humppila_evaluator, ratings=RATINGS, text="Myöhässä.",
                    recommend=True, today=date(2026, 12, 1))
    report.refresh_from_db()
    assert report.text == "Kallis."
    assert Report.objects.count() == 1


@pytest.mark.parametrize("ratings, text, field, message", [
    ({**RATINGS, "usefulness": 0}, "Hyvä.", "usefulness", "Rate usefulness to customers from 1 to 5."),
    ({**RATINGS, "value": 6}, "Hyvä.", "value", "Rate value for money from 1 to 5."),
    ({k: v for k, v in RATINGS.items() if k != "content"}, "Hyvä.", "content", "Rate content from 1 to 5."),
    (RATINGS, "   ", "text", "Describe your experiences in a few words."),
])
def test_bad_ratings_and_empty_text_are_refused(humppila_in_group, humppila_evaluator, ratings, text, field,
                                                message):
    evaluator = EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator)
    with pytest.raises(ValidationError) as error:
        report_save(evaluator=evaluator, by=humppila_evaluator, ratings=ratings, text=text, recommend=True,
                    today=DURING)
    assert error.value.message_dict[field] == [message]
    assert not Report.objects.exists()


def test_the_summary_waits_for_the_end_of_the_trial(group, staff_user):
    with pytest.raises(ValidationError, match="summarise it after that"):
        group_summarise(group=group, summary="Hyvä palvelu.", by=staff_user, today=date(2026, 11, 30))
    group_summarise(group=group, summary="Hyvä palvelu.", by=staff_user, today=date(2026, 12, 1))
    group.refresh_from_db()
    assert group.is_summarised and group.summary_by == staff_user


def test_reminders_go_a_week_before_the_end_to_those_without_a_report_once_each(humppila_in_group, tampere_in_group,
                                                                               humppila_evaluator, tampere_contact,
                                                                               django_capture_on_commit_callbacks):
    owing = EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator)
    done = EvaluatorFactory(participation=tampere_in_group, user=tampere_contact)
    report_save(evaluator=done, by=tampere_contact, ratings=RATINGS, text="Hyvä.", recommend=True, today=DURING)
    assert report_reminders_send(today=date(2026, 11, 22)) == 0  # eight days before the end
    report_reminders_send(today=date(2026, 11, 23))
    report_reminders_send(today=date(2026, 11, 24))
    message = OutboxMessage.objects.get()
    assert message.to == owing.user.email and message.kind == "eservices.report_reminder"
    assert "Viddla-arviointi" in message.subject and "30.11.2026" in message.body_text
    assert f"/eservices/reports/write/{owing.pk}/" in message.body_text


def test_a_declined_library_cannot_name_evaluators(group, humppila, contact, humppila_evaluator):
    participation = ParticipationFactory(group=group, library=humppila, state=Participation.State.INVITED)
    participation_answer(participation=participation, accept=False, by=contact, today=DURING)
    with pytest.raises(ValidationError, match="Accept the invitation"):
        evaluator_name(participation=participation, user=humppila_evaluator, by=contact, today=DURING)


def test_only_library_people_can_be_evaluators(group, humppila, contact, nobody):
    participation = ParticipationFactory(group=group, library=humppila)
    with pytest.raises(ValidationError, match="does not work for"):
        evaluator_name(participation=participation, user=nobody, by=contact, today=DURING)
    director = user_with_role(Role.DIRECTOR, library=humppila, email="johtaja@humppila.example")
    assert evaluator_name(participation=participation, user=director, by=contact, today=DURING).user == director
