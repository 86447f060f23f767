"""The programme's demo data (idempotent, drafted from the real 2024 tasks) and its cards."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from consortium.demo_data import demo_email, seed_core
from consortium.models import User
from louna.demo_data import seed_louna
from louna.models import ImplementationReport, ItemComment, Programme, Task
from louna.programme.demo import seed_programmes

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 21)


@pytest.fixture
def seeded():
    seed_core()
    seed_louna(today=TODAY)
    seed_programmes(today=TODAY)


def test_the_demo_programmes_are_seeded_once(seeded):
    past = Programme.objects.get(year=2024)
    assert past.state == "final"
    assert past.items.count() == Task.objects.filter(area__agreement__year=2024).count() == 23
    assert list(past.versions.values_list("kind", flat=True)) == ["draft", "draft", "final"]
    assert ImplementationReport.objects.filter(programme=past).count() == past.positions.count() == 5
    current = Programme.objects.get(year=2026)
    assert current.state == "review"
    counts = (Programme.objects.count(), ItemComment.objects.count(), current.items.count())
    seed_programmes(today=TODAY)
    seed_programmes(today=TODAY, scale=2)
    seed_programmes(today=TODAY, scale=2)
    assert (Programme.objects.count(), ItemComment.objects.count()) == counts[:2]
    assert current.items.count() == counts[2] + 60


def test_seeding_sends_no_mail(mailoutbox, django_capture_on_commit_callbacks):
    seed_core()
    seed_louna(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        seed_programmes(today=TODAY)
    assert Programme.objects.count() == 2
    assert mailoutbox == []


def test_front_page_cards_of_the_review(client, seeded):
    director = User.objects.get(email=demo_email("johtaja.humppila"))
    client.force_login(director)
    page = client.get(reverse("home")).content.decode()
    with translation.override(director.language or "fi"):
        expected = escape(translation.gettext("Read the draft and state your library's position"))
        answered = translation.gettext("%(answered)d of %(total)d libraries have answered") % {
            "answered": 0, "total": 5}
    assert expected in page and reverse("louna:programme_detail", args=[2026]) in page
    client.force_login(User.objects.get(email=demo_email("koordinaattori")))
    page = client.get(reverse("home")).content.decode()
    assert escape(answered) in page and reverse("louna:programme_manage", args=[2026]) in page


def test_a_director_sees_every_programme_open_for_comments(client, seeded):
    """Two programmes can be in review at once (next year's and an amended one): the
    director's front page has a card for each, not only the newest."""
    Programme.objects.filter(year=2024).update(state=Programme.State.REVIEW, review_deadline=date(2026, 12, 18))
    client.force_login(User.objects.get(email=demo_email("johtaja.humppila")))
    page = client.get(reverse("home")).content.decode()
    assert reverse("louna:programme_detail", args=[2026]) in page
    assert reverse("louna:programme_detail", args=[2024]) in page
