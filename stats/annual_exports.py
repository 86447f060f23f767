"""A municipality's OKM annual report as Excel and as CSV, and the national table as Excel,
all built from a stored report version (so a file always says what that version said).
Text a spreadsheet would run as a formula is kept as text."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.spreadsheets import safe_cell

from .annual_selectors import covered_names, month_ranges, split_key_label, value_of

__all__ = ("report_workbook", "report_csv", "national_workbook")


def _bold_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _cell(value):
    """A figure for a cell: ints stay ints, euros become floats with two decimals shown."""
    value = value_of(value)
    return float(value) if value is not None and not isinstance(value, int) else value


def _title(report) -> str:
    return _("%(municipality)s: annual statistics %(year)d, version %(version)d") % {
        "municipality": report.municipality.name_fi, "year": report.statistics_year.year,
        "version": report.version}


def report_workbook(*, report, comparison: list[dict]) -> bytes:
    """Sheets: the OKM figures beside the year before, the service points, the shared
    figures' allocation keys, what was missing."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("OKM report")[:31]
    sheet.append([safe_cell(_title(report))])
    sheet["A1"].font = Font(bold=True)
    delivered = (timezone.localtime(report.delivered_at).strftime("%d.%m.%Y") if report.delivered
                 else _("not delivered"))
    covers = covered_names(report)
    sheet.append([_("Municipality code"), safe_cell(report.municipality.code), _("Computed"),
                  timezone.localtime(report.created_at).strftime("%d.%m.%Y %H:%M"), _("Delivered"), delivered,
                  *([_("Municipalities covered"), safe_cell(", ".join(covers))] if covers else [])])
    sheet.append([])
    sheet.append([_("OKM variable"), _("Figure"), _("Unit"), str(report.statistics_year.year),
                  str(report.statistics_year.year - 1), pgettext("difference", "Change"), _("Change in per cent"), _("Source")])
    _bold_row(sheet)
    for row in comparison:
        sheet.append([safe_cell(row["okm_variable"]), safe_cell(row["label"]), row["unit_label"], _cell(row["value"]),
                      _cell(row["previous"]), _cell(row["change"]),
                      float(row["percent"]) if row["percent"] is not None else None, safe_cell(row["source"])])
    for column, width in zip("ABCDEFGH", (30, 42, 10, 14, 14, 12, 10, 20), strict=True):
        sheet.column_dimensions[column].width = width

    points = workbook.create_sheet(_("Service points")[:31])
    metrics = [entry for entry in report.details.get("metrics", []) if entry["level"] == "service_point"]
    points.append([_("Service point"), *[entry["name_fi"] for entry in metrics]])
    _bold_row(points)
    for point in sorted(report.details.get("service_points", {}).values(), key=lambda p: p["name"]):
        points.append([safe_cell(point["name"]), *[point["figures"].get(entry["code"]) for entry in metrics]])
    for missing in report.details.get("missing_points", []):
        points.append([safe_cell(missing["name"]), _("no figures")])
    for partial in report.details.get("partial_points", []):
        points.append([safe_cell(partial["name"]), _("months missing: %(months)s") % {
            "months": month_ranges(partial["missing_months"])}])

    splits = workbook.create_sheet(_("Allocation keys")[:31])
    splits.append([_("Figure"), _("Total"), _("Key"), _("Population year"), _("Weight"), _("All weights"),
                   _("E-material services")])
    _bold_row(splits)
    names = {entry["code"]: entry["name_fi"] for entry in report.details.get("metrics", [])}
    for code, split in sorted(report.details.get("splits", {}).items()):
        # The e-material services' split names each service's total it was made of.
        services = "; ".join(f"{name} {value}" for name, value in split.get("services", []))
        splits.append([safe_cell(names.get(code, code)), value_of(split["total"]), split_key_label(split["key"]),
                       split["population_year"], split["weight"], split["weights_total"], safe_cell(services)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_csv(*, report, comparison: list[dict]) -> bytes:
    """The OKM figures as Finnish Excel opens a CSV: UTF-8 with a BOM, semicolons, decimal
    commas; an empty cell where there is no figure (a zero is a figure)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Municipality code"), _("Municipality"), _("Year"), _("Version"), _("OKM variable"),
                     # The metric's code: "Code" alone is the municipality code elsewhere.
                     _("Figure"), pgettext("identifier", "Code"), _("Unit"), _("Value"), _("Municipalities covered")])
    covers = safe_cell(", ".join(covered_names(report)))  # empty but for a joint library organisation
    for row in comparison:
        value = "" if row["value"] is None else str(row["value"]).replace(".", ",")
        writer.writerow([safe_cell(report.municipality.code), safe_cell(report.municipality.name_fi),
                         report.statistics_year.year, report.version, safe_cell(row["okm_variable"]),
                         safe_cell(row["label"]), row["code"], row["unit_label"], value, covers])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def national_workbook(*, year: int, metrics: list[dict], rows: list[dict], totals: list) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Municipalities")[:31]
    sheet.append([_("Public libraries' statistics %(year)d: delivered reports") % {"year": year}])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append([_("Municipality code"), _("Municipality"), _("Version"),
                  *[safe_cell(metric["label"]) for metric in metrics], _("Municipalities covered")])
    _bold_row(sheet)
    for row in rows:  # a joint library organisation's row names the municipalities its series covers
        sheet.append([safe_cell(row["municipality"].code), safe_cell(row["municipality"].name_fi),
                      row["report"].version, *[_cell(value) for value in row["values"]],
                      safe_cell(", ".join(covered_names(row["report"]))) or None])
    sheet.append(["", _("Total"), "", *[_cell(value) for value in totals]])
    _bold_row(sheet)
    sheet.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
