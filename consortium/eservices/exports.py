"""Excel export of the members' take-ups for staff (openpyxl); formula-looking text stays text."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from consortium.spreadsheets import append_row

from .selectors import take_ups_for_export


def take_ups_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Take-ups")[:31]
    append_row(sheet, [_("Offering"), _("Vendor"), _("Kind"), _("Library"), _("Municipality code"),
                       _("In use since"), _("Licence or contract reference")])
    for take_up in take_ups_for_export():
        append_row(sheet, [take_up.offering.name_fi, take_up.offering.vendor, take_up.offering.get_kind_display(),
                           take_up.library.name, take_up.library.municipality.code, take_up.since,
                           take_up.reference])
        sheet.cell(row=sheet.max_row, column=6).number_format = "DD.MM.YYYY"
    for column, width in zip("ABCDEFG", (30, 25, 18, 30, 10, 12, 30)):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
