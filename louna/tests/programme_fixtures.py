"""Fixtures and helpers of the action programme's tests (imported by test_programme_*.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from consortium.calendar import next_working_day
from louna.programme import services
from louna.models import LibraryPosition, Programme, ProgrammeItem
from louna.tests.factories import ServiceAreaFactory, TaskFactory

__all__ = ("programme", "in_review", "forssa", "make_items", "answer_all", "final", "english", "speak_english")


def make_items(programme, n, area=None, start=0):
    items = ProgrammeItem.objects.bulk_create([
        ProgrammeItem(programme=programme, area=area, position=10 * (start + i + 1), title=f"Kohta {start + i + 1}",
                      aim=f"Tavoite {start + i + 1}", measures="Toimenpiteet kuvataan tässä.",
                      responsible="Koordinaattori", schedule="koko vuosi", indicator="Raportoitu.")
        for i in range(n)
    ])
    return items


@pytest.fixture(autouse=True)
def english():
    """These tests read the English source texts; the pages speak each person's language,
    so a test that reads a page first calls `speak_english()`."""
    translation.activate("en")
    yield
    translation.deactivate()


def speak_english():
    from consortium.models import User

    User.objects.update(language="en")


@pytest.fixture
def programme(agreement, coordinator):
    """The 2024 programme with three items in two areas and one standing alone."""
    area1 = ServiceAreaFactory(agreement=agreement, number=1, title="Yhteinen kirjastojärjestelmä")
    area2 = ServiceAreaFactory(agreement=agreement, number=6, title="Vuotuinen toimenpideohjelma")
    TaskFactory(area=area1, number=1, text="Mikromarc-tietokannan yhtenäisyys")
    programme = services.programme_create(year=2024, introduction="Johdanto.", by=coordinator)
    ProgrammeItem.objects.create(programme=programme, area=area1, position=10, title="Quria-siirron valmistelu",
                                 aim="Siirto sujuu.", measures="Valmistellaan siirto yhdessä.",
                                 responsible="Koordinaattori", schedule="koko vuosi",
                                 indicator="Siirtosuunnitelma hyväksytty.")
    ProgrammeItem.objects.create(programme=programme, area=area2, position=20, title="Ohjelman raportointi",
                                 aim="Kunnat saavat tiedon.", measures="Raportti alkuvuodesta.",
                                 responsible="Koordinaattori", schedule="tammikuu", indicator="Raportti lähetetty.")
    ProgrammeItem.objects.create(programme=programme, position=30, title="Yhteinen koulutuspäivä",
                                 aim="Henkilöstö oppii.", measures="Järjestetään koulutuspäivä.",
                                 responsible="Johtajat", schedule="syksy", indicator="Päivä pidetty.")
    return programme


@pytest.fixture
def in_review(programme, coordinator):
    deadline = next_working_day(timezone.localdate() + timedelta(days=7))
    services.review_open(programme=programme, deadline=deadline, by=coordinator)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def forssa(agreement):
    return agreement.provider


def answer_all(programme, coordinator, directors):
    """Every Louna library answers: each director approves, the rest get a recorded reason."""
    from louna.programme import permissions as perms

    done = set(programme.positions.values_list("library_id", flat=True))
    for director in directors:
        for library_id in perms.position_libraries(director):
            from consortium.models import Library

            services.position_state(programme=programme, library=Library.objects.get(pk=library_id),
                                    position=LibraryPosition.Position.APPROVE, by=director)
            done.add(library_id)
    for library in perms.louna_libraries():
        if library.pk not in done:
            services.position_record_no_answer(programme=programme, library=library, reason="Ei johtajaa.",
                                               by=coordinator)


@pytest.fixture
def final(in_review, coordinator, director, other_director):
    answer_all(in_review, coordinator, [director, other_director])
    services.programme_finalise(programme=in_review, by=coordinator)
    in_review.refresh_from_db()
    assert in_review.state == Programme.State.FINAL
    return in_review
