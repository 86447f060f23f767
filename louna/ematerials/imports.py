"""Reading a vendor's order or invoice file (CSV as Finnish Excel saves it, or .xlsx) into
order rows, naming every row that cannot be taken and why. Nothing is saved here."""

import csv
import io
import re
from datetime import date, datetime

from django.utils import translation
from django.utils.translation import gettext as _

from consortium.numbers import parse_euros
from consortium.uploads import decode_csv_text, detect_file_type

from .models import Budget, Order, SelectionPrinciple

__all__ = ("parse_order_file", "COLUMNS", "MAX_ROWS")

MAX_ROWS = 5000
MAX_CELL = 2000  # characters; a longer cell is refused by name, never a crash
# Column names as vendors and staff write them (Finnish or English), by field.
COLUMNS = {
    "service": ("palvelu", "service", "e-palvelu"),
    "titles": ("nimekkeet", "titles", "nimeke", "title", "paketti", "package"),
    "title_count": ("nimekkeitä", "title count", "nimekemäärä"),
    "licence_model": ("lisenssimalli", "licence model", "license model"),
    "licences": ("lisenssejä", "licences", "licenses", "lisenssit"),
    "price": ("hinta", "price", "hinta (€)", "price (€)", "summa", "amount"),
    "ordered_on": ("tilattu", "ordered on", "tilauspäivä", "order date"),
    "vendor_reference": ("viite", "reference", "tilausnumero", "order number", "vendor's reference"),
}
REQUIRED = ("service", "titles", "licence_model", "price", "ordered_on")


def _licence_models() -> dict[str, str]:
    """Every way a licence model may be written: its code and its Finnish, Swedish and
    English names, without case or punctuation."""
    names = {}
    for code, _label in Order.LicenceModel.choices:
        names[_normal(code)] = code
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                names[_normal(str(Order.LicenceModel(code).label))] = code
    return names


def _normal(text: str) -> str:
    return re.sub(r"[\s,._-]+", " ", str(text)).strip().casefold()


def _rows_of(data: bytes) -> list[list[str]]:
    kind = detect_file_type(data)
    if kind and kind[0] == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    if kind is None:  # NUL bytes, or bytes neither UTF-8 nor Windows-1252 can be
        raise ValueError(_("The file is not text in UTF-8 or Windows-1252, nor an Excel file."))
    if kind[0] != "txt":
        raise ValueError(_("This is not a CSV or Excel (.xlsx) file."))
    text, _encoding = decode_csv_text(data)
    delimiter = ";" if text.count(";") >= text.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:  # e.g. a cell over the csv module's field limit
        raise ValueError(_("Row %(row)s cannot be read: %(error)s") % {"row": reader.line_num, "error": error}) from error
    return rows


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_order_file(data: bytes, *, year: int) -> tuple[list[dict], list[list]]:
    """(clean rows as JSON-ready dicts, [[row number, reason], ...]). Row numbers are the
    spreadsheet's own (the header is row 1)."""
    errors: list[list] = []
    try:
        rows = _rows_of(data)
    except ValueError as error:
        return [], [[0, str(error)]]
    if not rows:
        return [], [[0, _("The file is empty.")]]
    if len(rows) > MAX_ROWS + 1:
        return [], [[0, _("The file has over %(max)s rows; split it.") % {"max": MAX_ROWS}]]
    header = [_normal(cell) for cell in rows[0]]
    where = {}
    for field, names in COLUMNS.items():
        for index, cell in enumerate(header):
            if cell in names:
                where[field] = index
                break
    missing = [COLUMNS[field][0] for field in REQUIRED if field not in where]
    if missing:
        return [], [[1, _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}]]
    principle = SelectionPrinciple.objects.filter(year=year).first()
    if principle is None:
        return [], [[0, _("The directors have adopted no selection principles for %(year)s.") % {"year": year}]]
    budgets = {_normal(budget.service.name): budget
               for budget in Budget.objects.filter(year=year).select_related("service")}
    licence_models = _licence_models()
    clean = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        cell = {field: (row[index] if index < len(row) else "") for field, index in where.items()}
        problems = []
        if any(len(str(value)) > MAX_CELL for value in cell.values()):
            errors.append([number, _("A cell is over %(max)s characters.") % {"max": MAX_CELL}])
            continue
        budget = budgets.get(_normal(cell["service"]))
        if budget is None:
            problems.append(_("no %(year)s budget for the service “%(service)s”") % {
                "year": year, "service": str(cell["service"]).strip()})
        titles = str(cell["titles"]).strip()
        if not titles:
            problems.append(_("the titles are empty"))
        licence_model = licence_models.get(_normal(cell["licence_model"]))
        if licence_model is None:
            problems.append(_("unknown licence model “%(value)s”") % {"value": str(cell["licence_model"]).strip()})
        counts = {}
        for field in ("title_count", "licences"):
            raw = cell.get(field, "")
            if isinstance(raw, float) and raw.is_integer():  # a number cell of a spreadsheet
                raw = int(raw)
            value = str(raw or "").strip() or "1"
            try:
                counts[field] = int(value.replace("\xa0", "").replace(" ", ""))
                if not 1 <= counts[field] <= 1_000_000:
                    raise ValueError(value)
            except ValueError:
                problems.append(_("“%(value)s” is not a whole number above zero") % {"value": value})
        try:
            price = parse_euros(cell["price"])
        except ValueError:
            problems.append(_("“%(value)s” is not a price in euros") % {"value": str(cell["price"]).strip()})
            price = None
        try:
            ordered_on = _date(cell["ordered_on"])
            if ordered_on.year != year:
                problems.append(_("the order date %(date)s is not in %(year)s") % {
                    "date": f"{ordered_on.day}.{ordered_on.month}.{ordered_on.year}", "year": year})
        except ValueError:
            problems.append(_("“%(value)s” is not a date (d.m.yyyy)") % {"value": str(cell["ordered_on"]).strip()})
            ordered_on = None
        if problems:
            errors.append([number, "; ".join(problems)])
            continue
        clean.append({"row": number, "budget": budget.pk, "service": budget.service.name, "principle": principle.pk,
                      "titles": titles, "title_count": counts["title_count"], "licence_model": licence_model,
                      "licences": counts["licences"], "price": str(price), "ordered_on": ordered_on.isoformat(),
                      "vendor_reference": str(cell.get("vendor_reference", "") or "").strip()[:100]})
    if not clean and not errors:
        errors.append([0, _("The file has no orders.")])
    return clean, errors
