"""The demo data: the real 2024 agreement word for word; idempotent; the front-page cards."""

from datetime import date

from django.utils import timezone

import pytest
from django.urls import reverse

from consortium.demo_data import demo_email, seed_core
from consortium.models import User
from louna.agreement_2024 import AREAS_2024
from louna.demo_data import seed_louna
from louna.models import Agreement, Feedback, Meeting, Project, ServiceArea, Task, WebService
from louna.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

# Counted by hand from the signed 2024 agreement (seeds/002): eleven tasks in the first
# area, then 3, 1, 2, 3, 2 and 1.
TASKS_PER_AREA_2024 = [11, 3, 1, 2, 3, 2, 1]


@pytest.fixture
def seeded():
    seed_core()
    seed_louna(today=date(2026, 11, 21))


def test_2024_agreement_has_all_seven_areas_and_23_tasks_in_finnish(seeded):
    agreement = Agreement.objects.get(year=2024)
    areas = list(agreement.areas.order_by("number"))
    assert [area.number for area in areas] == [1, 2, 3, 4, 5, 6, 7]
    assert [area.tasks.count() for area in areas] == TASKS_PER_AREA_2024
    assert Task.objects.filter(area__agreement=agreement).count() == 23
    assert areas[0].title.startswith("Yhteisen kirjastojärjestelmän ja yhteisten verkkopalveluiden koordinointi")
    first = areas[0].tasks.order_by("number").first()
    assert first.text.startswith("Mikromarc-tietokannan yhtenäisyyteen ja eheyteen")
    assert areas[6].tasks.get().text.startswith("Louna-kirjastoilla on vielä vuoden 2024 aikana käynnissä "
                                                "yhteinen Taukotila-hanke")
    seeded_texts = [[t.text for t in area.tasks.order_by("number")] for area in areas]
    assert seeded_texts == [tasks for _, _, tasks in AREAS_2024]
    assert agreement.provider.municipality.code == "061"
    assert agreement.libraries.count() == 5


def test_seeding_twice_changes_nothing(seeded):
    counts = [model.objects.count() for model in (Agreement, ServiceArea, Task, Meeting, Feedback, WebService, Project)]
    seed_louna(today=date(2026, 11, 21))
    assert [model.objects.count() for model in (Agreement, ServiceArea, Task, Meeting, Feedback, WebService,
                                                Project)] == counts


def test_this_years_agreement_is_copied_from_2024(seeded):
    current = Agreement.objects.get(year=2026)
    assert current.copied_from.year == 2024
    assert Task.objects.filter(area__agreement=current).count() == 23


def test_scale_adds_generated_volume_once(seeded):
    seed_louna(scale=2, today=date(2026, 11, 21))
    generated = Task.objects.filter(text__startswith="Generoitu").count()
    assert generated == 60
    seed_louna(scale=2, today=date(2026, 11, 21))
    assert Task.objects.filter(text__startswith="Generoitu").count() == 60


def test_coordinator_card_lists_overdue_and_this_months_tasks(client, coordinator, area, task):
    from django.utils import timezone

    from louna.tests.factories import AgreementFactory, ServiceAreaFactory

    today = timezone.localdate()
    this_year = ServiceAreaFactory(agreement=AgreementFactory(year=today.year, provider=area.agreement.provider))
    overdue = Task.objects.create(area=this_year, text="Myöhässä oleva tehtävä", schedule="due_date",
                                  due_on=date(today.year, 1, 1) if today != date(today.year, 1, 1) else today,
                                  responsible=coordinator)
    Task.objects.create(area=this_year, text="Valmis tehtävä", schedule="due_date", due_on=overdue.due_on,
                        state="done")
    client.force_login(coordinator)
    page = client.get(reverse("home")).content.decode()
    assert "Myöhässä oleva tehtävä" in page and "Valmis tehtävä" not in page


def test_director_cards_show_coming_meeting_proposals_and_own_feedback(client, director, humppila, tammela):
    from datetime import timedelta

    from django.utils import timezone

    from louna.models import AgendaItem
    from louna.tests.factories import AgreementFactory, FeedbackFactory, MeetingFactory, at

    today = timezone.localdate()
    day = min(today + timedelta(days=10), date(today.year, 12, 31))
    meeting = MeetingFactory(agreement=AgreementFactory(year=today.year), title="Syksyn johtajakokous",
                             starts_at=at(day, 23), ends_at=at(day, 23) + timedelta(minutes=30))
    AgendaItem.objects.create(meeting=meeting, title="Oma ehdotukseni", proposed_by=director)
    FeedbackFactory(municipality=humppila.municipality, text="Humppilan avoin palaute", received_on=today)
    FeedbackFactory(municipality=tammela.municipality, text="Tammelan avoin palaute", received_on=today)
    client.force_login(director)
    page = client.get(reverse("home")).content.decode()
    assert "Syksyn johtajakokous" in page and "Oma ehdotukseni" in page
    assert "Humppilan avoin palaute" in page and "Tammelan avoin palaute" not in page


def test_demo_director_can_log_in_and_open_the_board(client, seeded):
    client.force_login(User.objects.get(email=demo_email("johtaja.humppila")))
    response = client.get(reverse("louna:home"), follow=True)
    assert response.status_code == 200
    assert "Mikromarc" in response.content.decode()


def test_newsletter_section_tells_louna_what_was_done_and_what_is_coming(coordinator, task, agreement):
    from datetime import timedelta

    from consortium.registry import newsletter_sections
    from consortium.tests.factories import CooperationAreaFactory
    from louna import services
    from louna.tests.factories import MeetingFactory

    services.task_set_state(task=task, state=Task.State.DONE, on=date(2024, 5, 3), text="Valmis", by=coordinator)
    services.task_note_add(task=task, on=date(2024, 5, 4), text="Sisäinen", for_directors=False, by=coordinator)
    now = timezone.now()
    MeetingFactory(agreement=AgreementFactory(year=(now + timedelta(days=20)).year), title="Tuleva kokous",
                   starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=20, hours=2))
    since, until = now - timedelta(days=30), now + timedelta(minutes=1)
    louna_area = CooperationAreaFactory()  # the Louna area (get or create)
    sections = {s.key: s for s in newsletter_sections(since=since, until=until, area=louna_area)}
    titles = [entry.title for entry in sections["louna"].entries]
    assert any(task.text in title for title in titles) and "Tuleva kokous" in titles
    assert "louna" not in {s.key for s in newsletter_sections(since=since, until=until, area=None)}
    other_area = CooperationAreaFactory(slug="pirkanmaa", name="Pirkanmaa")
    assert "louna" not in {s.key for s in newsletter_sections(since=since, until=until, area=other_area)}
