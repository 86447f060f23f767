"""What every spreadsheet export shares: text that Excel or LibreOffice would run as a
formula (CSV/formula injection) never runs.

- In a CSV file a cell is only text: one that starts like a formula gets a leading
  apostrophe (`safe_cell`), the guard spreadsheet programs understand.
- In an .xlsx file a cell has a type: such text is written as a text cell with Excel's
  quote-prefix style (`append_row`), inert and shown as written ("+358 40 123 4567",
  not "'+358 40 123 4567")."""

__all__ = ("FORMULA_STARTS", "safe_cell", "append_row")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """For CSV: a string a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(sheet, values) -> None:
    """For .xlsx (openpyxl): append a row; text that looks like a formula stays text.
    openpyxl itself would store a string starting with "=" as a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
