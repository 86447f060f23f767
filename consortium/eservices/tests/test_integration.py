"""The seams: the beat schedule, the newsletter section, the front-page cards, the seeder."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from consortium.models import OutboxMessage
from consortium.registry import newsletter_sections

from ..models import Proposal
from ..services import offering_move
from ..tasks import send_report_reminders
from .factories import EvaluatorFactory, OfferingFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def test_the_reminders_run_every_morning_from_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["eservices-report-reminders"]
    assert entry["task"] == send_report_reminders.name
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {15}


def test_the_task_queues_one_reminder_per_evaluator(humppila_in_group, humppila_evaluator):
    EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator)
    with time_machine.travel("2026-11-25 08:15 +02:00", tick=False):
        send_report_reminders.apply()
        send_report_reminders.apply()
    assert OutboxMessage.objects.filter(kind="eservices.report_reminder", to=humppila_evaluator.email).count() == 1


def test_newly_offered_services_are_a_newsletter_section_for_every_member(staff_user):
    offering = OfferingFactory(stage="negotiating", name_fi="Viddla")
    offering_move(offering=offering, to_stage="offered", by=staff_user)
    now = timezone.now()
    sections = [s for s in newsletter_sections(since=now - timedelta(days=30), until=now + timedelta(minutes=1))
                if s.key == "eservices"]
    assert len(sections) == 1 and "Viddla" in sections[0].entries[0].title
    assert sections[0].entries[0].url == f"/eservices/offerings/{offering.pk}/"
    from ..integration import newsletter_section

    assert newsletter_section(since=now - timedelta(days=30), until=now, area=object()) is None
    assert newsletter_section(since=now - timedelta(days=30), until=now + timedelta(minutes=1)) is not None


def test_staff_see_proposals_awaiting_triage_on_the_front_page(client, staff_user, contact):
    ProposalFactory(title="Uusi ehdotus (testi)")
    ProposalFactory(title="Jo käsitelty (testi)", state=Proposal.State.CONSIDERING)
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert "Uusi ehdotus (testi)" in page and "Jo käsitelty (testi)" not in page
    client.force_login(contact)
    assert "Uusi ehdotus (testi)" not in client.get("/").content.decode()


def test_an_evaluator_sees_the_report_they_owe_on_the_front_page(client, humppila_in_group, humppila_evaluator):
    EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator)
    client.force_login(humppila_evaluator)
    with time_machine.travel("2026-10-15 10:00 +03:00", tick=False):
        page = client.get("/").content.decode()
    assert "Viddla-arviointi" in page
