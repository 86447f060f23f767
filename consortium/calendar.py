"""Finnish working days: deadlines and schedules skip weekends and public holidays."""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils.translation import get_language

__all__ = ("finnish_holidays", "is_working_day", "next_working_day", "previous_working_day", "holiday_name")

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
