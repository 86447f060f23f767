"""The yearly event counts as an Excel workbook (openpyxl), for the OKM statistics."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.spreadsheets import append_row

__all__ = ("counts_workbook",)


def counts_workbook(counts: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(counts["year"])
    append_row(sheet, [_("Municipality"), *[str(label) for _value, label in counts["audiences"]], _("Total")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in counts["rows"]:
        label = row["label"] or _("All of Louna (shared events)")
        code = row["municipality"].code if row["municipality"] else ""
        append_row(sheet, [f"{label} {code}".strip(), *row["counts"], row["total"]])
    append_row(sheet, [_("Total"), *counts["totals"], counts["total"]])
    sheet.column_dimensions["A"].width = 34
    out = BytesIO()
    book.save(out)
    return out.getvalue()
