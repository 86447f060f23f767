"""The participants list for the purchasing body: Excel (openpyxl) and CSV for Finnish Excel."""

import csv
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.spreadsheets import append_row, safe_cell

from .models import Answer, Procurement
from .selectors import participants, sums_by_category

__all__ = ("participants_workbook", "participants_csv", "export_filename")


def export_filename(procurement: Procurement, extension: str) -> str:
    stem = slugify(procurement.body_reference or f"hankinta-{procurement.pk}") or f"hankinta-{procurement.pk}"
    return f"{stem}-osallistujat.{extension}"


def _headers():
    return [_("Municipality code"), _("Municipality"), _("Library"), _("Answer"), _("Contact person"),
            _("E-mail"), _("Phone"), _("Estimated yearly purchases (€)"), _("Decided by"), _("Date of the decision"),
            _("Decision number"), _("Answered")]


def _rows(procurement):
    for opt_in in participants(procurement=procurement):
        yield opt_in, [
            opt_in.library.municipality.code, opt_in.library.municipality.name, opt_in.library.name,
            str(opt_in.get_answer_display()), opt_in.contact_name, opt_in.contact_email, opt_in.contact_phone,
            opt_in.yearly_estimate, opt_in.decision_maker, opt_in.decision_date, opt_in.decision_number,
            timezone.localtime(opt_in.answered_at),
        ]


def participants_workbook(procurement: Procurement) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    append_row(sheet, [str(procurement)])
    sheet["A1"].font = Font(bold=True)
    append_row(sheet, [_("Purchasing body"), procurement.purchasing_body.name])
    sheet.append([])
    sheet.append(_headers())
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    committed_total = Decimal("0")
    first_data_row = sheet.max_row + 1
    for opt_in, row in _rows(procurement):
        if opt_in.answer == Answer.COMMITTED and opt_in.yearly_estimate is not None:
            committed_total += opt_in.yearly_estimate
        row[7] = float(row[7]) if row[7] is not None else None
        row[11] = row[11].replace(tzinfo=None)  # Excel has no time zones: Helsinki time
        append_row(sheet, row)
    for row in sheet.iter_rows(min_row=first_data_row, min_col=8, max_col=8):
        row[0].number_format = "#,##0.00"
    for row in sheet.iter_rows(min_row=first_data_row, min_col=10, max_col=10):
        row[0].number_format = "DD.MM.YYYY"
    for row in sheet.iter_rows(min_row=first_data_row, min_col=12, max_col=12):
        row[0].number_format = "DD.MM.YYYY HH:MM"
    sheet.append([])
    sheet.append([_("Binding commitments in total (€)"), None, None, None, None, None, None,
                  float(committed_total)])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.cell(row=sheet.max_row, column=8).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJKL", (10, 16, 32, 22, 24, 28, 16, 16, 28, 14, 14, 18)):
        sheet.column_dimensions[letter].width = width

    sums = workbook.create_sheet(_("Sums by category")[:31])
    sums.append([_("Category"), _("Procurements"), _("Committed libraries"), _("Committed yearly purchases (€)")])
    for cell in sums[1]:
        cell.font = Font(bold=True)
    for row in sums_by_category():
        sums.append([str(row["label"]), row["procurements"], row["libraries"], float(row["total"])])
        sums.cell(row=sums.max_row, column=4).number_format = "#,##0.00"
    sums.column_dimensions["A"].width = 22
    sums.column_dimensions["D"].width = 26
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _finnish_number(value) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def participants_csv(procurement: Procurement) -> bytes:
    """Semicolons, decimal commas, UTF-8 with a BOM: what Finnish Excel opens as is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for _opt_in, row in _rows(procurement):
        row[7] = _finnish_number(row[7])
        row[9] = row[9].strftime("%d.%m.%Y") if row[9] else ""
        row[11] = row[11].strftime("%d.%m.%Y %H:%M")
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
