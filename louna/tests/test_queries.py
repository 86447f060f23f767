"""Louna's pages keep a constant number of SQL queries as the data grows: the demo size
and `seed_demo --scale 10` (300 more tasks, 900 notes, 2,000 feedback)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consortium.demo_data import demo_email, seed_core
from consortium.models import User
from louna.demo_data import seed_louna
from louna.models import Task

pytestmark = pytest.mark.django_db

BOARD_QUERIES = 12


@pytest.fixture(params=[0, 10], ids=["demo", "scale10"])
def seeded(request):
    seed_core()
    seed_louna(scale=request.param)
    return request.param


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("who", ["koordinaattori", "johtaja.humppila"])
@pytest.mark.parametrize("params", [{}, {"view": "state"}, {"state": "planned", "month": 5}])
def test_task_board_query_count_is_constant(client, seeded, who, params, django_assert_max_num_queries):
    year = timezone.localdate().year
    client.force_login(User.objects.get(email=demo_email(who)))
    tasks = Task.objects.filter(area__agreement__year=year).count()
    assert tasks >= (23 + 300 if seeded else 23)
    with django_assert_max_num_queries(BOARD_QUERIES):
        response = _get(client, reverse("louna:board", args=[year]) + ("?" + "&".join(
            f"{k}={v}" for k, v in params.items()) if params else ""))
    if not params:
        assert len(response.context["board"].tasks) == tasks


@pytest.mark.parametrize("url_name", ["louna:meeting_list", "louna:feedback_list", "louna:service_list",
                                      "louna:project_list", "louna:agreement_list", "home"])
def test_other_pages_query_count_is_constant(client, seeded, url_name, django_assert_max_num_queries):
    client.force_login(User.objects.get(email=demo_email("koordinaattori")))
    with django_assert_max_num_queries(16):
        _get(client, reverse(url_name))


def test_task_page_query_count_does_not_grow_with_notes(client, seeded):
    client.force_login(User.objects.get(email=demo_email("koordinaattori")))
    year = timezone.localdate().year
    task = Task.objects.filter(area__agreement__year=year).order_by("-pk").first()
    with CaptureQueriesContext(connection) as queries:
        _get(client, reverse("louna:task_detail", args=[task.pk]))
    assert len(queries) <= 16


@pytest.mark.parametrize("size", [2, 40])
@pytest.mark.parametrize("who", ["coordinator", "director"])
def test_meeting_page_query_count_is_constant(client, agreement, area, size, who, request,
                                              django_assert_max_num_queries):
    from louna.models import AgendaItem, Decision
    from louna.tests.factories import AgendaItemFactory, MeetingFactory, TaskFactory

    user = request.getfixturevalue(who)
    meeting = MeetingFactory(agreement=agreement, minutes="Pöytäkirja")
    for i in range(size):
        item = AgendaItemFactory(meeting=meeting, proposed_by=user, state=AgendaItem.State.ON_AGENDA if i % 2
                                 else AgendaItem.State.PROPOSED)
        decision = Decision.objects.create(meeting=meeting, agenda_item=item, text=f"Päätös {i}")
        TaskFactory(area=area, from_decision=decision)
    client.force_login(user)
    with django_assert_max_num_queries(16):
        _get(client, reverse("louna:meeting_detail", args=[meeting.pk]))
