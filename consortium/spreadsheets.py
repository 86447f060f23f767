"""What every spreadsheet export shares: text that Excel or LibreOffice would run as a
formula (CSV/formula injection) is written as text."""

__all__ = ("FORMULA_STARTS", "safe_cell")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A string a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
