"""Spreadsheet exports never hand Excel a formula to run."""

import pytest

from consortium.spreadsheets import safe_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://example.invalid")', "+358 40 123", "-1+1", "@SUM(A1)", "\tx"])
def test_text_a_spreadsheet_would_run_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Humppilan kunnankirjasto", "", 12500, None])
def test_other_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_in_an_xlsx_such_text_is_an_inert_text_cell_shown_as_written():
    import io

    from openpyxl import Workbook, load_workbook

    from consortium.spreadsheets import append_row

    workbook = Workbook()
    append_row(workbook.active, ["+358 40 123 4567", "=cmd|' /C calc'!A0", "Humppila", 12500])
    saved = io.BytesIO()
    workbook.save(saved)
    saved.seek(0)
    cells = list(load_workbook(saved).active[1])
    assert [cell.value for cell in cells] == ["+358 40 123 4567", "=cmd|' /C calc'!A0", "Humppila", 12500]
    assert [cell.data_type for cell in cells] == ["s", "s", "s", "n"]  # never "f" (a formula)
    assert cells[0].quotePrefix and cells[1].quotePrefix and not cells[2].quotePrefix
