"""Text that looks like a formula is never a formula in an Excel export (hypothesis)."""

import io

from hypothesis import given, settings, strategies as st
from openpyxl import Workbook, load_workbook

from consortium.spreadsheets import FORMULA_STARTS, append_row, safe_cell
from consortium.tests.hostile import FORMULAS


# ---------------------------------------------------------------- Excel exports


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.sampled_from(FORMULAS), st.text(max_size=50).map(lambda t: "=" + t), st.text(max_size=50)))
def test_no_text_ever_becomes_an_active_formula(value):
    value = "".join(char for char in value if char >= " " or char in "\t\r\n")  # what openpyxl can store
    workbook = Workbook()
    append_row(workbook.active, [value])
    saved = io.BytesIO()
    workbook.save(saved)
    cell = load_workbook(io.BytesIO(saved.getvalue())).active["A1"]
    assert cell.data_type != "f"
    if value.startswith(FORMULA_STARTS):
        assert cell.quotePrefix
        assert not str(safe_cell(value)).startswith(FORMULA_STARTS)
