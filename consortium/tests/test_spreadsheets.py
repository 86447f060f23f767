"""Spreadsheet exports never hand Excel a formula to run."""

import pytest

from consortium.spreadsheets import safe_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://example.invalid")', "+358 40 123", "-1+1", "@SUM(A1)", "\tx"])
def test_text_a_spreadsheet_would_run_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Humppilan kunnankirjasto", "", 12500, None])
def test_other_values_pass_unchanged(value):
    assert safe_cell(value) == value
