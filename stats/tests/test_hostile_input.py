"""Hostile input against every statistics import (issue 11, item 4): the service-point and
shared-services files, COUNTER reports (tabular and JSON), Matomo's export and the vendors'
files get random bytes, broken encodings, huge and control-character cells and formulas.
Each gives a clean result or a named refusal, never an exception a page would turn into a
500, and a refused save leaves nothing behind."""

import codecs
import json

import pytest
from hypothesis import given, strategies as st

from consortium.tests.hostile import FORMULAS, FUZZ, HOSTILE_TEXT, fails_cleanly_or_saves
from stats import services
from stats.counter import parse_counter
from stats.models import Figure, Service, ServiceFigure, StatsImport
from stats.tests.conftest import POINTS_CSV
from stats.tests.test_counter import R5_COLUMNS, R5_HEADER, R5_ROWS, tabular

pytestmark = pytest.mark.django_db

# Bytes a file may really hold: Finnish Excel's encodings, a BOM, a UTF-16 export, garbage.
ENCODED = st.one_of(
    st.binary(max_size=3000),
    HOSTILE_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    HOSTILE_TEXT.map(lambda text: codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")),
    HOSTILE_TEXT.map(lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le", "surrogatepass")),
    HOSTILE_TEXT.map(lambda text: text.encode("cp1252", "replace")),
)
# A cell of a known-good file replaced by something hostile.
CELL = st.one_of(HOSTILE_TEXT, st.sampled_from(FORMULAS + [
    "-1", "1e309", "9" * 40, "NaN", "1 000 000 000 000 000", "12,5", "\x00", "x" * 140_000, '"', ";", "\r\n"]))


def _named(errors):
    """Every refusal says something: a row number (0 for the whole file) and a message."""
    assert errors
    for error in errors:
        message = error.message if hasattr(error, "message") else error[1]
        assert str(message).strip()


def _check_then_save(*, kind, data, by, **kwargs):
    """The preview never raises; the save agrees with it: saved when the preview was clean,
    refused (with nothing left behind) when it was not."""
    before = (Figure.objects.count(), ServiceFigure.objects.count(), StatsImport.objects.count())
    parsed = services.import_prepare(year=2024, kind=kind, data=data, **kwargs)
    if parsed.errors:
        _named(parsed.errors)
    record, error = fails_cleanly_or_saves(lambda: services.import_save(
        year=2024, kind=kind, data=data, file_name="vihamielinen.csv", by=by, **kwargs))
    if error is not None:
        assert (Figure.objects.count(), ServiceFigure.objects.count(), StatsImport.objects.count()) == before
    else:
        assert not parsed.errors, "the save took a file its preview refused"
        # What was saved is a plain count, never a formula or a control character.
        for value in Figure.objects.filter(source_import=record).values_list("value", flat=True):
            assert isinstance(value, int) and value >= 0


@FUZZ
@given(data=ENCODED)
def test_any_bytes_as_a_service_point_file(points, coordinator, data):
    _check_then_save(kind=StatsImport.Kind.SERVICE_POINTS, data=data, by=coordinator)


@FUZZ
@given(row=st.integers(1, 3), column=st.integers(0, 6), cell=CELL)
def test_a_hostile_cell_in_a_service_point_file(points, coordinator, row, column, cell):
    lines = [line.split(";") for line in POINTS_CSV.split("\r\n")]
    lines[row][column] = cell
    data = "\r\n".join(";".join(line) for line in lines).encode("utf-8", "surrogatepass")
    _check_then_save(kind=StatsImport.Kind.SERVICE_POINTS, data=data, by=coordinator)


@FUZZ
@given(data=ENCODED)
def test_any_bytes_as_a_shared_services_file(points, coordinator, data):
    _check_then_save(kind=StatsImport.Kind.SHARED, data=data, by=coordinator)


@FUZZ
@given(data=ENCODED)
def test_any_bytes_as_a_matomo_export(points, coordinator, data):
    Service.objects.get_or_create(code="finna", defaults={"name": "Finna", "kind": Service.Kind.WEB,
                                                           "matomo_site": "3"})
    _check_then_save(kind=StatsImport.Kind.WEB_VISITS, data=data, by=coordinator)


@FUZZ
@given(cell=CELL, column=st.integers(0, 5))
def test_a_hostile_cell_in_a_vendor_file(coordinator, cell, column):
    Service.objects.get_or_create(code="ellibs", defaults={"name": "Ellibs", "kind": Service.Kind.EMATERIAL})
    services.statistics_year_open(year=2024)
    row = ["Ellibs", "1", "120", "", "", ""]
    row[column] = cell
    text = "Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl\r\n" + ";".join(row) + "\r\n"
    _check_then_save(kind=StatsImport.Kind.EMATERIAL, data=text.encode("utf-8", "surrogatepass"), by=coordinator)


@FUZZ
@given(data=ENCODED)
def test_any_bytes_as_a_counter_report(data):
    report = parse_counter(data)
    if report.errors:
        _named(report.errors)
        assert report.rows == [] or all(row.months for row in report.rows)


@FUZZ
@given(row=st.integers(0, 1), column=st.integers(0, len(R5_COLUMNS) - 1), cell=CELL,
       header_value=st.one_of(st.none(), CELL), header_row=st.integers(0, len(R5_HEADER) - 1))
def test_a_hostile_cell_or_header_in_a_counter_report(row, column, cell, header_value, header_row):
    rows = [list(r) for r in R5_ROWS]
    rows[row][column] = cell.replace("\t", " ")
    header = list(R5_HEADER)
    if header_value is not None:
        header[header_row] = (header[header_row][0], header_value.replace("\t", " "))
    report = parse_counter(tabular(header, R5_COLUMNS, rows))
    if report.errors:
        _named(report.errors)
    else:
        assert all(count >= 0 for usage in report.rows for count in usage.months.values())


@FUZZ
@given(value=st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
                          lambda children: st.lists(children, max_size=4)
                          | st.dictionaries(st.sampled_from(["Report_Header", "Report_Items", "Release", "Report_ID",
                                                             "Performance", "Instance", "Count", "Metric_Type",
                                                             "Period", "Begin_Date", "Attribute_Performance"]),
                                            children, max_size=5), max_leaves=20))
def test_any_json_as_a_counter_report(value):
    report = parse_counter(json.dumps(value).encode())
    if report.errors:
        _named(report.errors)


# What the fuzzing above found (each was a server error before), kept as plain examples.

@pytest.mark.parametrize("document", [{"Report_Header": None}, {"Report_Header": {"Release": "5", "Report_ID": "PR"},
                                                                  "Report_Items": [["not", "an", "object"]]}])
def test_a_counter_json_report_of_the_wrong_shape_is_refused_as_a_whole(document):
    report = parse_counter(json.dumps(document).encode())
    assert report.rows == [] and report.errors and report.errors[0][0] == 0


@pytest.mark.parametrize("euros", ["1E30", "NaN", "Infinity"])
def test_a_vendor_sum_in_exponent_form_is_refused_naming_it(coordinator, euros):
    Service.objects.create(code="ellibs", name="Ellibs", kind=Service.Kind.EMATERIAL)
    services.statistics_year_open(year=2024)
    data = f"Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl\r\nEllibs;;;;{euros};\r\n".encode()
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.EMATERIAL, data=data)
    assert any(euros in error.message for error in parsed.errors)
    assert not ServiceFigure.objects.exists()
