"""Reading COUNTER Release 5 and 5.1 usage reports: the tabular form (TSV, CSV or .xlsx with
the standard header block) and the JSON form, for master reports and standard views (TR,
TR_B1, TR_B3, TR_J1, PR, PR_P1, DR, ...). A compact reader of our own rather than
celus-nibbler/celus-nigiri: see docs/stats.md for why.

The release comes from the header block's `Release` row (5 or 5.1); 5.1 adds
`Registry_Record` and writes months as 2024-01 where 5 writes Jan-2024. A tabular report
without its header block is refused, saying what is missing, unless the caller states the
report and release. Every bad row is named: text or negative counts, months outside the
reporting period, a monthly sum that differs from Reporting_Period_Total, a metric type
COUNTER does not define. So is a header that does not hold together (a Reporting_Period not
written as the specification writes it, a JSON header of the other release's form) and a
file that is not what its header claims (a DR whose table has no Database column, a 5.1
JSON report whose items are written as 5 writes them). COUNTER has no loan metric: nothing
here turns Total_Item_Requests into loans.

Every refusal is a translated sentence (the person reading the preview may be Finnish or
Swedish); the column and value it is about are named in it, the row is kept beside it and
`error_lines` words the file and row around it."""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

__all__ = ("CounterReport", "UsageRow", "parse_counter", "error_lines", "REPORT_IDS")

REPORT_IDS = {"PR", "PR_P1", "DR", "DR_D1", "DR_D2", "TR", "TR_B1", "TR_B2", "TR_B3", "TR_J1", "TR_J2", "TR_J3",
              "TR_J4", "IR", "IR_A1", "IR_M1"}
HEADER_KEYS_5 = ("Report_Name", "Report_ID", "Release", "Institution_Name", "Institution_ID", "Metric_Types",
                 "Report_Filters", "Report_Attributes", "Exceptions", "Reporting_Period", "Created", "Created_By")
TABLE_FIRST = {"Title", "Platform", "Database", "Item"}
# The release a file is refused as being written like, when its header claims the other.
OTHER_RELEASE = {"5": "5.1", "5.1": "5"}
ITEM_FIELDS = ("Title", "Platform", "Database", "Publisher", "Item", "DOI", "ISBN", "Print_ISSN", "Online_ISSN",
               "Proprietary_ID", "URI", "Data_Type", "Access_Type", "Access_Method", "YOP", "Section_Type")
# A background check (stats/import_jobs.py) hears every this many rows how far the reading
# has come: one UPDATE of its JobRun each time, so not every row.
PROGRESS_EVERY = 1000
# The metric types of the Code of Practice, the same in 5 and 5.1 (section 3.3, "Metric
# Types"). Anything else, a vendor's own name or an empty cell, is refused on its row: its
# counts would otherwise be saved under a name no report or page looks for.
METRIC_TYPES = frozenset((
    "Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations", "Unique_Item_Requests",
    "Unique_Title_Investigations", "Unique_Title_Requests", "Limit_Exceeded", "No_License", "Searches_Regular",
    "Searches_Automated", "Searches_Federated", "Searches_Platform"))
# The column that tells a report's items apart: a DR lists databases, a TR titles, an IR
# items, a PR only platforms. A report whose table lacks its own, or has another report's,
# is not the report its header claims (a TR under a DR header would count titles as
# databases).
KEY_COLUMNS = {"PR": "Platform", "DR": "Database", "TR": "Title", "IR": "Item"}
OTHER_KEYS = ("Database", "Title", "Item")
# The tabular Reporting_Period, in both releases: "Begin_Date=yyyy-mm-dd; End_Date=yyyy-mm-dd"
# (Code of Practice, section 3.2.1 and the report headers of section 4; the space after the
# semicolon is not insisted on).
TABULAR_PERIOD = re.compile(r"Begin_Date=(\d{4}-\d{2}-\d{2})\s*;\s*End_Date=(\d{4}-\d{2}-\d{2})")
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}


@dataclass
class UsageRow:
    item: dict  # platform, title, identifiers, data type, access type, access method, YOP...
    metric_type: str
    months: dict  # date(year, month, 1) -> count


@dataclass
class CounterReport:
    release: str = ""
    report_id: str = ""
    begin: date | None = None
    end: date | None = None
    # Institution_ID as the header gives it (Institution_Name when there is none), written
    # one way for both releases: part of what makes a later report "the same report".
    institution: str = ""
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row, message)

    def metric_totals(self) -> dict:
        totals = {}
        for row in self.rows:
            totals[row.metric_type] = totals.get(row.metric_type, 0) + sum(row.months.values())
        return totals

    def summary(self) -> dict:
        return {"release": self.release, "report_id": self.report_id, "rows": len(self.rows),
                "begin": self.begin.isoformat() if self.begin else None,
                "end": self.end.isoformat() if self.end else None, "metric_totals": self.metric_totals()}


def _quoted(value) -> str:
    """A value from the file as the portal's other messages quote one: ”2O24” (not Python's
    repr, whose straight quotes and escapes mean nothing to a reader)."""
    return f"”{value}”" if value is not None else "–"


def _month(text: str) -> date | None:
    text = text.strip()
    found = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", text)
    if found:
        # 2024-13 is no month: None, as for any other text (not a ValueError out of the reader).
        return date(int(found[1]), int(found[2]), 1) if 1 <= int(found[2]) <= 12 else None
    found = re.fullmatch(r"([A-Za-z]{3})[-\s](\d{4})", text)
    if found and found[1].lower() in MONTHS:
        return date(int(found[2]), MONTHS[found[1].lower()], 1)
    return None


def _date(text: str, *, last: bool = False) -> date | None:
    """yyyy-mm-dd as given, or yyyy-mm (a JSON filter may give the month): its first day, or
    with `last` its last day. None if it is neither or no such day exists."""
    found = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text.strip())
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    try:
        if found[3]:
            return date(year, month, int(found[3]))
        if not last:
            return date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    except ValueError:
        return None


def _tabular_period(text: str, row: int, report: CounterReport) -> None:
    """The header's Reporting_Period, or a refusal naming its row: without it the months
    outside the period could not be told."""
    found = TABULAR_PERIOD.fullmatch(text.strip())
    begin, end = (_date(found[1]), _date(found[2])) if found else (None, None)
    if begin is None or end is None:
        report.errors.append((row, _("Reporting_Period %(value)s is not written as Release %(release)s writes it: "
                                     "Begin_Date=yyyy-mm-dd; End_Date=yyyy-mm-dd.")
                              % {"value": _quoted(text.strip()), "release": report.release}))
    elif end < begin:
        report.errors.append((row, _("Reporting_Period %(value)s ends before it begins.")
                              % {"value": _quoted(text.strip())}))
    else:
        report.begin, report.end = begin, end


def _count(text, row: int, column: str, report: CounterReport) -> int | None:
    value = str(text).strip() if text is not None else ""
    if value.isdigit() and value.isascii():  # the usual case, without a regular expression (large reports)
        return int(value)
    if value == "":
        return 0
    if re.fullmatch(r"-\d+", value):
        report.errors.append((row, _("Column %(column)s: a negative count, %(value)s.")
                              % {"column": column, "value": value}))
        return None
    if not re.fullmatch(r"\d+", value):
        report.errors.append((row, _("Column %(column)s: %(value)s is not a whole number.")
                              % {"column": column, "value": _quoted(value[:30])}))
        return None
    return int(value)


def _in_period(month: date, report: CounterReport) -> bool:
    # Months are compared as months: a period given from the 15th still holds its month.
    return not (report.begin and report.end) or report.begin.replace(day=1) <= month <= report.end


# ---------------------------------------------------------------- tabular


class _NotAWorkbook(Exception):
    """A file that begins as a zip (an .xlsx) but that openpyxl cannot read."""


def _table_lines(data: bytes) -> list[list[str]]:
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            return [["" if v is None else (v.strftime("%Y-%m") if hasattr(v, "strftime") else str(v))
                     for v in values] for values in workbook.worksheets[0].iter_rows(values_only=True)]
        # What openpyxl raises for a truncated or foreign zip (found by the fuzz test).
        except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, TypeError) as error:
            raise _NotAWorkbook(error) from error
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ("," if first.count(",") >= first.count(";") else ";")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _parse_tabular(data: bytes, report: CounterReport, *, report_id=None, release=None, progress=None) -> None:
    lines = _table_lines(data)
    header, header_rows, index = {}, {}, 0
    while index < len(lines) and not (lines[index] and lines[index][0].strip() in TABLE_FIRST):
        cells = lines[index]
        if cells and cells[0].strip():
            header[cells[0].strip()] = cells[1].strip() if len(cells) > 1 else ""
            header_rows[cells[0].strip()] = index + 1
        index += 1
    if index >= len(lines):
        report.errors.append((0, _("There is no report table: no row begins with Title, Platform, Database or Item.")))
        return
    report.release = str(header.get("Release", release or "")).strip()
    report.report_id = header.get("Report_ID", report_id or "").strip()
    report.institution = _institution(header.get("Institution_ID") or header.get("Institution_Name") or "")
    missing = [key for key in HEADER_KEYS_5 if key not in header]
    if report.release == "5.1" and "Registry_Record" not in header:
        missing.append("Registry_Record")
    if missing and not (report_id and release):
        report.errors.append((0, _("The header block is missing or incomplete (missing: %(missing)s); give the "
                                   "report and release if the file has none.") % {"missing": ", ".join(missing)}))
        return
    if report.release not in ("5", "5.0", "5.1"):
        report.errors.append((0, _("Release %(release)s is neither 5 nor 5.1.") % {"release": _quoted(report.release)}))
        return
    report.release = "5" if report.release == "5.0" else report.release
    if report.report_id not in REPORT_IDS:
        report.errors.append((0, _("Unknown COUNTER report %(report)s.") % {"report": _quoted(report.report_id)}))
        return
    if report.release == "5" and "Registry_Record" in header:
        report.errors.append((header_rows["Registry_Record"], _(
            "Registry_Record is a header row of Release 5.1, but the header claims Release 5.")))
    if "Reporting_Period" in header:
        _tabular_period(header["Reporting_Period"], header_rows["Reporting_Period"], report)
    columns = [cell.strip() for cell in lines[index]]
    month_columns = [(i, _month(name)) for i, name in enumerate(columns) if _month(name)]
    if "Metric_Type" not in columns:
        report.errors.append((index + 1, _("The table has no Metric_Type column.")))
        return
    if not _table_is_the_report(columns, index + 1, report):
        return  # another report's table: its rows would be read against the wrong rules
    total_at = columns.index("Reporting_Period_Total") if "Reporting_Period_Total" in columns else None
    # Worked out once for the table, not per row: a vendor's TR can have hundreds of thousands.
    item_columns = [(i, name) for i, name in enumerate(columns) if name in ITEM_FIELDS]
    month_columns = [(i, month, _in_period(month, report)) for i, month in month_columns]
    metric_at = columns.index("Metric_Type")
    width = len(columns)
    total_rows = len(lines) - index - 1
    for number, cells in enumerate(lines[index + 1:], start=index + 2):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number - index - 2, total_rows)
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        if not any(cell.strip() for cell in cells):
            continue
        item = {name: value for i, name in item_columns if (value := cells[i].strip())}
        months, ok = {}, True
        for i, month, in_period in month_columns:
            text = cells[i]
            # The usual cell, a plain count, without a function call; anything else is checked.
            value = int(text) if text.isdigit() and text.isascii() else _count(text, number, columns[i], report)
            if value is None:
                ok = False
            elif value and not in_period:
                report.errors.append((number, _("Column %(column)s is outside the reporting period.")
                                      % {"column": columns[i]}))
                ok = False
            else:
                months[month] = value
        if total_at is not None and ok:
            total = _count(cells[total_at], number, "Reporting_Period_Total", report)
            if total is not None and total != sum(months.values()):
                report.errors.append((number, _("The months add up to %(sum)d, not to Reporting_Period_Total "
                                                "%(total)d.") % {"sum": sum(months.values()), "total": total}))
                ok = False
        metric = cells[metric_at].strip()
        if metric not in METRIC_TYPES:
            report.errors.append((number, _unknown_metric(metric)))
            ok = False
        if ok:
            report.rows.append(UsageRow(item=item, metric_type=metric, months=months))


def _unknown_metric(metric: str) -> str:
    if not metric:
        return _("Metric_Type is empty.")
    return _("Metric_Type %(value)s is not one of COUNTER's metric types.") % {"value": _quoted(metric[:60])}


def _table_is_the_report(columns: list, row: int, report: CounterReport) -> bool:
    """Whether the table has the column its Report_ID's items are told apart by, and no
    other report's; if not, a refusal naming the report and the column, on the row of the
    column headings."""
    key = KEY_COLUMNS[report.report_id.split("_")[0]]
    if key not in columns:
        report.errors.append((row, _("Report %(report)s has a %(column)s column, but this table has none: the "
                                     "file is not the report its header claims.")
                              % {"report": report.report_id, "column": key}))
        return False
    foreign = [name for name in OTHER_KEYS if name != key and name in columns]
    if foreign:
        report.errors.append((row, _("Report %(report)s has no %(column)s column, but this table has one: the "
                                     "file is not the report its header claims.")
                              % {"report": report.report_id, "column": foreign[0]}))
        return False
    return True


# ---------------------------------------------------------------- JSON


def _parse_json(data: bytes, report: CounterReport, progress=None) -> None:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        header = document["Report_Header"]
    except (ValueError, KeyError, TypeError):
        report.errors.append((0, _("This is not a COUNTER JSON report: it has no Report_Header.")))
        return
    if not isinstance(header, dict):
        report.errors.append((0, _("This is not a COUNTER JSON report: its Report_Header is not an object.")))
        return
    try:
        _read_json_items(document, header, report, progress)
    except (AttributeError, TypeError) as error:
        # A list where the specification has an object, a number where it has a list...:
        # the file is refused as a whole, never read in part.
        report.rows.clear()
        report.errors.append((0, _("The JSON report is not shaped as COUNTER describes it (%(error)s).")
                              % {"error": error}))


def _read_json_items(document, header: dict, report: CounterReport, progress=None) -> None:
    report.release = str(header.get("Release", "")).strip()
    report.report_id = str(header.get("Report_ID", "")).strip()
    if report.release not in ("5", "5.1") or report.report_id not in REPORT_IDS:
        report.errors.append((0, _("Release %(release)s, report %(report)s: not a COUNTER 5 or 5.1 report.")
                              % {"release": _quoted(report.release), "report": _quoted(report.report_id)}))
        return
    report.institution = _institution(header.get("Institution_ID") or header.get("Institution_Name") or "")
    if report.release == "5.1" and not header.get("Registry_Record"):
        report.errors.append((0, _("Report_Header has no Registry_Record, which Release 5.1 requires.")))
    _json_period(header.get("Report_Filters"), report)
    # The body is read as the declared release writes it, not as the item's keys suggest:
    # 5 gives each item's "Performance" as a list of periods, 5.1 its "Attribute_Performance".
    body, other = ("Attribute_Performance", "Performance") if report.release == "5.1" else (
        "Performance", "Attribute_Performance")
    key = KEY_COLUMNS[report.report_id.split("_")[0]]
    items = document.get("Report_Items") or []
    for number, entry in enumerate(items, start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number - 1, len(items))
        if not _json_item_is_the_report(entry, number, key, body, other, report):
            continue
        base = {name: str(value) for name, value in entry.items()
                if name in ITEM_FIELDS and not isinstance(value, (list, dict))}
        base.update(_json_item_ids(entry.get("Item_ID")))
        if report.release == "5.1":
            for attributes in entry.get(body) or []:
                item = {**base, **{k: str(v) for k, v in attributes.items() if k in ITEM_FIELDS}}
                for metric, months in (attributes.get("Performance") or {}).items():
                    _json_row(report, number, item, metric, [(str(k), v) for k, v in months.items()])
        else:
            by_metric = {}
            for performance in entry.get(body) or []:
                month = str((performance.get("Period") or {}).get("Begin_Date", ""))
                for instance in performance.get("Instance") or []:
                    by_metric.setdefault(instance.get("Metric_Type", ""), []).append((month, instance.get("Count")))
            for metric, months in by_metric.items():
                _json_row(report, number, base, metric, months)


def _json_item_ids(ids) -> dict:
    """An item's identifiers under the tabular form's column names. Release 5 writes them as a
    list of {"Type": "ISBN", "Value": ...}, 5.1 as an object {"ISBN": ...}; both call the
    publisher's own id "Proprietary", the tabular form "Proprietary_ID"."""
    if isinstance(ids, list):
        pairs = [(entry.get("Type"), entry.get("Value")) for entry in ids if isinstance(entry, dict)]
    elif isinstance(ids, dict):
        pairs = list(ids.items())
    else:
        return {}
    found = {}
    for name, value in pairs:
        name = "Proprietary_ID" if name == "Proprietary" else name
        if name in ITEM_FIELDS and value not in (None, "") and not isinstance(value, (list, dict)):
            found[name] = str(value)
    return found


def _json_period(filters, report: CounterReport) -> None:
    """Begin_Date and End_Date from the header's Report_Filters: 5 writes them as a list of
    {"Name", "Value"}, 5.1 as an object; a report without them, or written as the other
    release writes them, is refused (its months could not be checked)."""
    other = OTHER_RELEASE[report.release]
    if isinstance(filters, list) and report.release == "5":
        filters = {f.get("Name"): f.get("Value") for f in filters if isinstance(f, dict)}
    elif isinstance(filters, dict) and report.release == "5.1":
        pass
    elif isinstance(filters, (list, dict)) and filters:
        report.errors.append((0, _("Report_Filters is written as Release %(other)s writes it, but the header "
                                   "claims Release %(release)s.") % {"other": other, "release": report.release}))
        return
    else:
        filters = {}
    given = {name: filters.get(name) for name in ("Begin_Date", "End_Date")}
    missing = [name for name, value in given.items() if value in (None, "")]
    if missing:
        report.errors.append((0, _("Report_Filters has no %(missing)s: the report's period is unknown.")
                              % {"missing": " / ".join(missing)}))
        return
    begin, end = _date(str(given["Begin_Date"])), _date(str(given["End_Date"]), last=True)
    for name, value in (("Begin_Date", begin), ("End_Date", end)):
        if value is None:
            report.errors.append((0, _("Report_Filters %(name)s %(value)s is not a date (yyyy-mm-dd or yyyy-mm).")
                                  % {"name": name, "value": _quoted(given[name])}))
    if begin and end and end < begin:
        report.errors.append((0, _("Report_Filters: End_Date %(end)s is before Begin_Date %(begin)s.")
                              % {"end": _quoted(given["End_Date"]), "begin": _quoted(given["Begin_Date"])}))
    elif begin and end:
        report.begin, report.end = begin, end


def _json_item_is_the_report(entry, number: int, key: str, body: str, other: str, report: CounterReport) -> bool:
    """Whether a report item is written as its report and release write one: its report's
    key element (Title for a TR, Database for a DR...) and no other report's, and its
    usage under the release's own body element. Each problem is named on the item."""
    ok = True
    if key not in entry:
        report.errors.append((number, _("Report %(report)s names each item's %(column)s, but this item has none: "
                                        "the file is not the report its header claims.")
                              % {"report": report.report_id, "column": key}))
        ok = False
    foreign = [name for name in OTHER_KEYS if name != key and name in entry]
    if foreign:
        report.errors.append((number, _("Report %(report)s has no %(column)s, but this item has one: the file is "
                                        "not the report its header claims.")
                              % {"report": report.report_id, "column": foreign[0]}))
        ok = False
    if other in entry and body not in entry:
        report.errors.append((number, _("The item's usage is in %(found)s, as Release %(other)s writes it, but the "
                                        "header claims Release %(release)s, which writes %(expected)s.")
                              % {"found": other, "other": OTHER_RELEASE[report.release],
                                 "release": report.release, "expected": body}))
        ok = False
    return ok


def _json_row(report, number, item, metric, months) -> None:
    """One item's counts of one metric type, `months` as (the file's month, count) pairs:
    every bad one is named (the metric type and month), and the row is kept only if none is."""
    clean, ok = {}, True
    if metric not in METRIC_TYPES:
        report.errors.append((number, _unknown_metric(str(metric))))
        ok = False
    for text, value in months:
        month = _month(text)
        if month is None:
            report.errors.append((number, _("%(metric)s: %(month)s is not a month.")
                                  % {"metric": metric, "month": _quoted(text[:30])}))
            ok = False
            continue
        count = _count(value, number, f"{metric} {month:%Y-%m}", report)
        if count is None:
            ok = False
        elif count and not _in_period(month, report):
            report.errors.append((number, _("%(metric)s %(month)s is outside the reporting period.")
                                  % {"metric": metric, "month": f"{month:%Y-%m}"}))
            ok = False
        elif month in clean:
            # Which of the two counts is the month's? Neither is taken silently.
            report.errors.append((number, _("%(metric)s %(month)s is given twice.")
                                  % {"metric": metric, "month": f"{month:%Y-%m}"}))
            ok = False
        else:
            clean[month] = count
    if ok:
        report.rows.append(UsageRow(item=dict(item), metric_type=metric, months=clean))


def parse_counter(data: bytes, *, report_id: str | None = None, release: str | None = None,
                  progress=None) -> CounterReport:
    """Read a COUNTER 5/5.1 report in any of its forms; `report.errors` lists every problem.
    `progress(done, total)`, if given, hears every PROGRESS_EVERY rows (or JSON report
    items) how far the reading has come (a background job's progress bar)."""
    report = CounterReport()
    stripped = data.lstrip(b"\xef\xbb\xbf \r\n\t")
    try:
        if stripped.startswith(b"{"):
            _parse_json(data, report, progress)
        else:
            _parse_tabular(data, report, report_id=report_id, release=release, progress=progress)
    except (UnicodeDecodeError, csv.Error) as error:
        report.errors.append((0, _("The file cannot be read as a COUNTER report: %(error)s") % {"error": error}))
    except _NotAWorkbook:
        report.errors.append((0, _("The file begins as an Excel workbook (.xlsx) but cannot be read as one.")))
    if not report.errors and not report.rows:
        report.errors.append((0, _("The report has no usage rows.")))
    return report


def _institution(value) -> str:
    """Institution_ID written one way: 5's tabular "ISNI:1; Proprietary:x:2", 5.1's
    "ISNI:1;Proprietary:x:2", 5's JSON [{"Type", "Value"}] and 5.1's {"ISNI": ["1"]} all
    become "ISNI:1; Proprietary:x:2"."""
    if isinstance(value, list):
        parts = [f"{entry.get('Type', '')}:{entry.get('Value', '')}" for entry in value if isinstance(entry, dict)]
    elif isinstance(value, dict):
        parts = [f"{kind}:{one}" for kind, values in value.items()
                 for one in (values if isinstance(values, list) else [values])]
    else:
        parts = str(value).split(";")
    return "; ".join(sorted(part.strip() for part in parts if part.strip()))[:255]


def error_lines(report: CounterReport, file_name: str, *, limit: int | None = None) -> list[str]:
    """The report's problems as sentences that name the file and the row (row 0: the file
    as a whole)."""
    lines = []
    for row, message in report.errors[:limit]:
        if row:
            lines.append(_("%(file)s, row %(row)d: %(message)s") % {"file": file_name, "row": row, "message": message})
        else:
            lines.append(_("%(file)s: %(message)s") % {"file": file_name, "message": message})
    return lines
