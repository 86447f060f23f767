"""Finnish working days: deadlines and schedules skip weekends and public holidays."""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

__all__ = ("finnish_holidays", "is_working_day", "next_working_day", "previous_working_day", "holiday_name",
           "not_a_working_day_message")

# The holidays package names Finnish holidays in Finnish, Finland-Swedish and English.
_HOLIDAY_LANGUAGE = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@lru_cache(maxsize=64)
def finnish_holidays(year: int, language: str = "fi") -> dict[date, str]:
    calendar = holidays.country_holidays("FI", years=year, language=_HOLIDAY_LANGUAGE.get(language, "fi"))
    return dict(calendar)


def holiday_name(day: date, language: str | None = None) -> str | None:
    return finnish_holidays(day.year, language or get_language() or "fi").get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in finnish_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the next one (a deadline on a
    Sunday or on Midsummer Eve moves to the following working day)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The day itself when it is a working day, else the one before (reminders go out
    on a working day ahead of their date, never late)."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def not_a_working_day_message(day: date) -> str | None:
    """Why a deadline a person chose cannot be on `day`, in the user's language (None for a
    working day): the day, the holiday or weekday, and the next working day to pick instead."""
    if is_working_day(day):
        return None
    values = {"date": date_format(day, "SHORT_DATE_FORMAT"),
              "suggestion": date_format(next_working_day(day), "SHORT_DATE_FORMAT")}
    name = holiday_name(day)
    if name:
        language = (get_language() or "fi")[:2]
        # Finnish and Swedish write holiday names in lower case inside a sentence.
        values["holiday"] = name.lower() if language in ("fi", "sv") else name
        return _("%(date)s is %(holiday)s: choose a working day, for example %(suggestion)s.") % values
    if day.weekday() == 5:
        return _("%(date)s is a Saturday: choose a working day, for example %(suggestion)s.") % values
    return _("%(date)s is a Sunday: choose a working day, for example %(suggestion)s.") % values
