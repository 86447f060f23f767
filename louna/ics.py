"""The directors' meeting as an iCalendar file (built with the icalendar package)."""

from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

__all__ = ("meeting_ics",)


def meeting_ics(meeting, agenda_items) -> bytes:
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Kirjastoportaali//Louna//FI")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"louna-meeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    # Calendars replace an event of the same UID only by a higher SEQUENCE: a meeting changed
    # since its agenda went out already carries the number its updated agenda will send.
    event.add("sequence", meeting.ics_sequence + (1 if meeting.changed_after_agenda else 0))
    event.add("summary", meeting.title)
    location = meeting.place or meeting.online_url
    if location:
        event.add("location", location)
    lines = [f"{index}. {item.title}" for index, item in enumerate(agenda_items, start=1)]
    if meeting.online_url:
        lines += ["", meeting.online_url]
    lines += ["", settings.SITE_URL.rstrip("/") + reverse("louna:meeting_detail", args=[meeting.pk])]
    event.add("description", "\n".join(lines))
    event.add("url", settings.SITE_URL.rstrip("/") + reverse("louna:meeting_detail", args=[meeting.pk]))
    if meeting.chair_id and meeting.chair.email:
        organizer = vCalAddress(f"mailto:{meeting.chair.email}")
        organizer.params["cn"] = vText(meeting.chair.full_name)
        event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar.to_ical()
