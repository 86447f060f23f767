"""A training's registrations as an Excel workbook (openpyxl). Text that looks like a
formula is written as a text cell (consortium.spreadsheets.append_row), not with a leading apostrophe."""

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.spreadsheets import append_row

from .models import HELSINKI


def registrations_workbook(training, registrations) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Registrations")[:31]
    append_row(sheet, [_("Library"), _("Name"), _("E-mail address"), _("State"), _("Registered"), _("Present")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for registration in registrations:
        present = {True: _("yes"), False: _("no")}.get(registration.attended, "")
        append_row(sheet, [registration.library.name, registration.full_name, registration.email,
                           str(registration.get_state_display()),
                           date_format(timezone.localtime(registration.created_at, HELSINKI), "SHORT_DATETIME_FORMAT"),
                           present])
    for column, width in zip("ABCDEF", (32, 28, 32, 20, 18, 10)):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
