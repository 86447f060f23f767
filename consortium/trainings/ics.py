"""iCalendar (.ics) files of trainings (icalendar library): times in Europe/Helsinki with
the zone's VTIMEZONE, so a calendar program shows them at the right local time whatever
its own zone. The online link goes only into files made for registered people."""

from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import HELSINKI

__all__ = ("training_ics",)


def training_ics(trainings, *, with_link: bool = False, name: str = "") -> bytes:
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Kirjastoportaali//Koulutukset//FI")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    for training in trainings:
        event = Event()
        event.add("uid", f"training-{training.pk}@{host}")
        event.add("dtstamp", training.updated_at or timezone.now())
        event.add("dtstart", training.starts_at.astimezone(HELSINKI))
        event.add("dtend", training.ends_at.astimezone(HELSINKI))
        event.add("summary", training.title)
        url = settings.SITE_URL.rstrip("/") + reverse("trainings:detail", args=[training.pk])
        description = training.description or ""
        if with_link and training.online_link:
            description = f"{description}\n\n{training.online_link}".strip()
        event.add("description", f"{description}\n\n{url}".strip())
        location = training.online_link if with_link and training.online_link else training.place
        if location:
            event.add("location", location)
        event.add("url", url)
        if training.state == training.State.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
