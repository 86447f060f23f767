"""A past year's task gets a date inside its agreement year: the forms offer today only when
today is in that year, else the year's last day (a note dated today would be refused)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from louna.models import TaskNote

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki")), tick=False)
def test_a_past_years_task_offers_the_years_last_day_and_saves_at_first_try(client, coordinator, task):
    year = task.area.agreement.year
    assert year < 2026
    client.force_login(coordinator)
    page = client.get(reverse("louna:task_detail", args=[task.pk]))
    assert page.context["note_form"]["on"].value() == date(year, 12, 31)
    assert page.context["state_form"]["on"].value() == date(year, 12, 31)
    response = client.post(reverse("louna:task_note_add", args=[task.pk]), {
        "note-on": page.context["note_form"]["on"].value().isoformat(), "note-text": "Tehty vuoden lopussa.",
        "note-for_directors": "on"})
    assert response.status_code == 302
    assert TaskNote.objects.get(task=task).on == date(year, 12, 31)
