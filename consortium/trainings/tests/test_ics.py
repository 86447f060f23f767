"""The .ics files parse with the icalendar library and open at the right local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from consortium.trainings.models import Registration

from .factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def _events(body: bytes):
    return [component for component in Calendar.from_ical(body).walk("VEVENT")]


def test_a_trainings_ics_opens_at_helsinki_time(client):
    # 19.11.2026 13.00 in Helsinki is 11.00 UTC (winter time, UTC+2).
    webinar = WebinarFactory(title_fi="E-kirjaston webinaari", starts_at=datetime(2026, 11, 19, 13, 0, tzinfo=HELSINKI))
    response = client.get(reverse("trainings:ics", args=[webinar.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Helsinki"
    [event] = _events(response.content)
    start = event.decoded("dtstart")
    assert str(event["summary"]) == "E-kirjaston webinaari"
    assert start.astimezone(HELSINKI).strftime("%d.%m.%Y %H.%M") == "19.11.2026 13.00"
    assert start.astimezone(ZoneInfo("UTC")).hour == 11
    assert webinar.online_link not in response.content.decode()


def test_summer_time_is_right_too(client):
    webinar = WebinarFactory(starts_at=datetime(2026, 6, 10, 9, 0, tzinfo=HELSINKI))
    [event] = _events(client.get(reverse("trainings:ics", args=[webinar.pk])).content)
    assert event.decoded("dtstart").astimezone(ZoneInfo("UTC")).hour == 6


def test_the_personal_feed_has_the_persons_trainings_with_the_link_and_a_new_token_retires_the_old(client, contact,
                                                                                                   humppila):
    mine = WebinarFactory(title_fi="Oma webinaari")
    WebinarFactory(title_fi="Muu webinaari")
    RegistrationFactory(training=mine, user=contact, email=contact.email, library=humppila)
    RegistrationFactory(training=WebinarFactory(title_fi="Peruttu"), user=contact, email=contact.email,
                        library=humppila, state=Registration.State.CANCELLED)
    client.force_login(contact)
    client.post(reverse("trainings:mine"))
    token = contact.training_feed.token
    client.logout()
    response = client.get(reverse("trainings:feed", args=[token]))
    events = _events(response.content)
    assert [str(e["summary"]) for e in events] == ["Oma webinaari"]
    assert mine.online_link in str(events[0]["location"])
    client.force_login(contact)
    client.post(reverse("trainings:mine"))
    client.logout()
    assert client.get(reverse("trainings:feed", args=[token])).status_code == 404


def test_the_confirmation_carries_the_ics(humppila):
    from consortium.models import OutboxMessage
    from consortium.trainings import services

    from .factories import NOW

    webinar = WebinarFactory()
    services.registration_create(training=webinar, library=humppila, full_name="A", email="a@k.example", by=None,
                                 now=NOW)
    import base64

    attachment = OutboxMessage.objects.get(kind="trainings.confirmation").attachments[0]
    [event] = _events(base64.b64decode(attachment["base64"]))
    assert webinar.online_link in str(event["location"])
