"""The Louna task board is a kept page (consortium.pagecache): a new task or a state change
is on the next load for the coordinator and the directors, and a director's copy is never
served to another library's director."""

from datetime import date

import pytest
from django.urls import reverse

from louna import services
from louna.models import Task

pytestmark = pytest.mark.django_db


def test_a_new_task_is_on_the_next_load_of_the_board(client, coordinator, director, area, task):
    url = reverse("louna:board", args=[area.agreement.year])
    for person in (coordinator, director):
        client.force_login(person)
        assert "Aineistokuljetusten reitit" not in client.get(url).content.decode()
        assert not client.get(url).templates, "the board is kept"
    services.task_save(task=Task(area=area, text="Aineistokuljetusten reitit"))
    for person in (coordinator, director):
        client.force_login(person)
        assert "Aineistokuljetusten reitit" in client.get(url).content.decode()


def test_a_state_change_is_on_the_next_load_of_the_board(client, coordinator, area, task):
    url = reverse("louna:board", args=[area.agreement.year]) + "?state=done"
    client.force_login(coordinator)
    assert "Mikromarc-tietokannan yhtenäisyys" not in client.get(url).content.decode()
    services.task_set_state(task=task, state=Task.State.DONE, on=date(2024, 5, 2), text="Valmis")
    assert "Mikromarc-tietokannan yhtenäisyys" in client.get(url).content.decode()


def test_a_directors_kept_board_is_never_another_librarys(client, director, other_director, area, humppila, tammela):
    task = services.task_save(task=Task(area=area, text="Kunnittain seurattava", per_municipality=True))
    url = reverse("louna:board", args=[area.agreement.year])
    client.force_login(director)
    page = client.get(url).content.decode()
    assert f"{humppila.municipality.name}: " in page
    assert not client.get(url).templates
    client.force_login(other_director)
    page = client.get(url).content.decode()
    assert f"{tammela.municipality.name}: " in page and f"{humppila.municipality.name}: " not in page
    assert task.text in page
