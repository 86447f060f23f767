"""What the COUNTER reader refuses, and the reports it reads beyond TR and PR: files written
here from the Code of Practice's layouts (R5 and R5.1, section 3.2 and the report headers and
column headings of section 4). A refusal names its row: the header row, the column headings'
row, the table row, or the JSON report item."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.utils import translation

from stats import services
from stats.counter import METRIC_TYPES, parse_counter
from stats.models import CounterUsage, StatsImport
from stats.tests.test_counter import R5_COLUMNS, R5_HEADER, R5_ROWS, R51_COLUMNS, R51_ROWS, r51_header, tabular

# The rows of a tabular header block as R5 numbers them: Reporting_Period is row 10, the
# blank row 13, the column headings row 14 and the first table row 15. 5.1 adds
# Registry_Record as row 13, so its column headings are on row 15.
REPORTING_PERIOD_ROW = 10


def r5_header(report_id: str, name: str, **changes) -> list[tuple]:
    header = dict(R5_HEADER, Report_ID=report_id, Report_Name=name, Report_Filters="", **changes)
    return list(header.items())


def messages(report) -> list[tuple]:
    return [(row, message) for row, message in report.errors]


# ---------------------------------------------------------------- metric types


def test_a_metric_type_counter_does_not_define_or_an_empty_one_is_refused_on_its_row():
    rows = [list(R5_ROWS[0]), list(R5_ROWS[1]), list(R5_ROWS[0])]
    rows[1][9] = "Total_Item_Loans"
    rows[2][9] = ""
    with translation.override("en"):
        report = parse_counter(tabular(R5_HEADER, R5_COLUMNS, rows))
    assert messages(report) == [
        (16, "Metric_Type ”Total_Item_Loans” is not one of COUNTER's metric types."),
        (17, "Metric_Type is empty.")]


@pytest.mark.django_db
def test_a_refused_metric_type_saves_nothing():
    rows = [list(R5_ROWS[0]), list(R5_ROWS[1])]
    rows[1][9] = "Total_Item_Loans"
    with pytest.raises(ValidationError) as refused:
        services.counter_import_save(data=tabular(R5_HEADER, R5_COLUMNS, rows), file_name="loans.tsv", by=None)
    assert "loans.tsv" in refused.value.messages[0] and "Total_Item_Loans" in refused.value.messages[0]
    assert not StatsImport.objects.exists() and not CounterUsage.objects.exists()


def test_every_metric_type_of_the_code_of_practice_is_read():
    rows = [["Kirjastolehti", "Demo", "", "DemoPlatform", "", "", "0023-1234", "", "", metric, "3", "1", "1", "1"]
            for metric in sorted(METRIC_TYPES)]
    report = parse_counter(tabular(r5_header("TR", "Title Master Report"), R5_COLUMNS, rows))
    assert report.errors == []
    assert report.metric_totals() == {metric: 3 for metric in METRIC_TYPES}
    assert len(METRIC_TYPES) == 12


def test_a_json_metric_type_counter_does_not_define_is_refused_on_its_item():
    document = r5_json("PR", [{"Platform": "DemoPlatform", "Performance": [
        {"Period": {"Begin_Date": "2024-01-01", "End_Date": "2024-01-31"},
         "Instance": [{"Metric_Type": "Total_Item_Requests", "Count": 5},
                      {"Metric_Type": "Total_Item_Loans", "Count": 2}]}]}])
    with translation.override("en"):
        report = parse_counter(json.dumps(document).encode())
    assert messages(report) == [(1, "Metric_Type ”Total_Item_Loans” is not one of COUNTER's metric types.")]


# ---------------------------------------------------------------- Reporting_Period


@pytest.mark.parametrize("period", [
    "",
    "2024-01-01 to 2024-03-31",                      # an older way some vendors still write
    "Begin_Date=2024-01; End_Date=2024-03",          # months, as a JSON filter may give them
    "Begin_Date=2024-01-01",                         # no end
    "Begin_Date=2024-02-30; End_Date=2024-03-31",    # no such day
    "Begin_Date=01.01.2024; End_Date=31.03.2024",
])
def test_a_release_5_reporting_period_not_written_as_the_specification_writes_it_is_refused_on_its_row(period):
    header = r5_header("TR_J1", "Journal Requests (Excluding OA_Gold)", Reporting_Period=period)
    with translation.override("en"):
        report = parse_counter(tabular(header, R5_COLUMNS, R5_ROWS))
    assert messages(report)[0] == (REPORTING_PERIOD_ROW, f"Reporting_Period ”{period}” is not written as Release 5 "
                                                         "writes it: Begin_Date=yyyy-mm-dd; End_Date=yyyy-mm-dd.")
    assert report.begin is None


def test_a_release_5_1_reporting_period_is_refused_naming_release_5_1():
    header = [(key, "Begin_Date=2024-01; End_Date=2024-02" if key == "Reporting_Period" else value)
              for key, value in r51_header()]
    with translation.override("en"):
        report = parse_counter(tabular(header, R51_COLUMNS, R51_ROWS))
    assert messages(report) == [(REPORTING_PERIOD_ROW, "Reporting_Period ”Begin_Date=2024-01; End_Date=2024-02” is "
                                                       "not written as Release 5.1 writes it: Begin_Date=yyyy-mm-dd; "
                                                       "End_Date=yyyy-mm-dd.")]


def test_a_reporting_period_that_ends_before_it_begins_is_refused():
    header = r5_header("TR_J1", "Journal Requests (Excluding OA_Gold)",
                       Reporting_Period="Begin_Date=2024-03-01; End_Date=2024-01-31")
    with translation.override("en"):
        report = parse_counter(tabular(header, R5_COLUMNS, R5_ROWS))
    assert messages(report) == [(REPORTING_PERIOD_ROW, "Reporting_Period ”Begin_Date=2024-03-01; "
                                                       "End_Date=2024-01-31” ends before it begins.")]


def test_the_period_is_kept_as_the_header_gives_it_and_months_outside_it_are_still_refused():
    header = r5_header("TR_J1", "Journal Requests (Excluding OA_Gold)",
                       Reporting_Period="Begin_Date=2024-01-01; End_Date=2024-02-29")
    report = parse_counter(tabular(header, R5_COLUMNS, R5_ROWS))  # counts in March, outside
    assert [row for row, _message in report.errors] == [15, 16]
    assert (report.begin, report.end) == (date(2024, 1, 1), date(2024, 2, 29))


def test_a_release_5_header_with_release_5_1s_registry_record_row_is_refused_on_that_row():
    header = R5_HEADER + [("Registry_Record", "https://registry.countermetrics.org/platform/demo")]
    with translation.override("en"):
        report = parse_counter(tabular(header, R5_COLUMNS, R5_ROWS))
    assert messages(report) == [(13, "Registry_Record is a header row of Release 5.1, but the header claims "
                                     "Release 5.")]


# ---------------------------------------------------------------- JSON header


def r5_json(report_id: str, items: list, *, filters=None) -> dict:
    if filters is None:
        filters = [{"Name": "Begin_Date", "Value": "2024-01-01"}, {"Name": "End_Date", "Value": "2024-03-31"}]
    return {"Report_Header": {"Release": "5", "Report_ID": report_id, "Report_Name": report_id,
                              "Institution_Name": "Louna-kirjastot", "Report_Filters": filters},
            "Report_Items": items}


def r51_json(report_id: str, items: list, *, filters=None, registry=True) -> dict:
    header = {"Release": "5.1", "Report_ID": report_id, "Report_Name": report_id,
              "Institution_Name": "Louna-kirjastot",
              "Report_Filters": {"Begin_Date": "2024-01-01", "End_Date": "2024-03-31"} if filters is None else filters}
    if registry:
        header["Registry_Record"] = "https://registry.countermetrics.org/platform/demo"
    return {"Report_Header": header, "Report_Items": items}


R51_ITEM = {"Platform": "DemoPlatform", "Attribute_Performance": [
    {"Access_Method": "Regular", "Performance": {"Total_Item_Requests": {"2024-01": 4, "2024-03": 6}}}]}
R5_ITEM = {"Platform": "DemoPlatform", "Performance": [
    {"Period": {"Begin_Date": "2024-01-01", "End_Date": "2024-01-31"},
     "Instance": [{"Metric_Type": "Total_Item_Requests", "Count": 4}]}]}


@pytest.mark.parametrize("document", [
    r5_json("PR", [R5_ITEM], filters=[]),
    r5_json("PR", [R5_ITEM], filters=[{"Name": "Begin_Date", "Value": "2024-01-01"}]),
    r51_json("PR", [R51_ITEM], filters={}),
    {"Report_Header": {"Release": "5", "Report_ID": "PR"}, "Report_Items": [R5_ITEM]},
], ids=["5-empty", "5-no-end", "5.1-empty", "5-no-filters"])
def test_a_json_report_without_its_period_is_refused(document):
    with translation.override("en"):
        report = parse_counter(json.dumps(document).encode())
    assert [row for row, _message in report.errors] == [0]
    assert "Report_Filters has no" in report.errors[0][1] and "End_Date" in report.errors[0][1]
    assert "period is unknown" in report.errors[0][1]


def test_json_report_filters_written_as_the_other_release_writes_them_are_refused_naming_the_claimed_release():
    as_5 = r51_json("PR", [R51_ITEM], filters=[{"Name": "Begin_Date", "Value": "2024-01-01"},
                                                {"Name": "End_Date", "Value": "2024-03-31"}])
    as_51 = r5_json("PR", [R5_ITEM], filters={"Begin_Date": "2024-01-01", "End_Date": "2024-03-31"})
    with translation.override("en"):
        assert messages(parse_counter(json.dumps(as_5).encode())) == [
            (0, "Report_Filters is written as Release 5 writes it, but the header claims Release 5.1.")]
        assert messages(parse_counter(json.dumps(as_51).encode())) == [
            (0, "Report_Filters is written as Release 5.1 writes it, but the header claims Release 5.")]


def test_a_json_period_that_is_not_a_date_is_refused_naming_the_filter():
    document = r51_json("PR", [R51_ITEM], filters={"Begin_Date": "2024-01-01", "End_Date": "maaliskuu"})
    with translation.override("en"):
        report = parse_counter(json.dumps(document).encode())
    assert messages(report) == [(0, "Report_Filters End_Date ”maaliskuu” is not a date (yyyy-mm-dd or yyyy-mm).")]


def test_a_json_period_given_in_months_ends_on_the_last_day_of_its_last_month():
    document = r51_json("PR", [R51_ITEM], filters={"Begin_Date": "2024-01", "End_Date": "2024-02"})
    report = parse_counter(json.dumps(document).encode())
    assert (report.begin, report.end) == (date(2024, 1, 1), date(2024, 2, 29))
    assert [row for row, _message in report.errors] == [1]  # March's 6 is outside


def test_a_5_1_json_report_written_as_release_5_writes_one_is_refused():
    """A 5.1 header over 5's body and without Registry_Record: the form is read by the
    declared release, so both are named, the body on its item."""
    document = r51_json("PR", [R5_ITEM, R51_ITEM], registry=False)
    with translation.override("en"):
        report = parse_counter(json.dumps(document).encode())
    assert messages(report) == [
        (0, "Report_Header has no Registry_Record, which Release 5.1 requires."),
        (1, "The item's usage is in Performance, as Release 5 writes it, but the header claims Release 5.1, "
            "which writes Attribute_Performance.")]
    five = r5_json("PR", [R51_ITEM])
    with translation.override("en"):
        assert messages(parse_counter(json.dumps(five).encode())) == [
            (1, "The item's usage is in Attribute_Performance, as Release 5.1 writes it, but the header claims "
                "Release 5, which writes Performance.")]


def test_every_bad_json_value_is_named_by_item_metric_and_month_not_only_the_first():
    items = [{"Platform": "DemoPlatform", "Attribute_Performance": [{"Performance": {
                 "Total_Item_Requests": {"2024-01": "kaksi", "2024-02": -3, "2024-03": 1},
                 "Unique_Item_Requests": {"2024-01": 1, "2024-13": 1}}}]},
             {"Platform": "DemoPlatform", "Attribute_Performance": [{"Performance": {
                 "Total_Item_Requests": {"2024-01": 2.5}}}]}]
    with translation.override("en"):
        report = parse_counter(json.dumps(r51_json("PR", items)).encode())
    assert messages(report) == [
        (1, "Column Total_Item_Requests 2024-01: ”kaksi” is not a whole number."),
        (1, "Column Total_Item_Requests 2024-02: a negative count, -3."),
        (1, "Unique_Item_Requests: ”2024-13” is not a month."),
        (2, "Column Total_Item_Requests 2024-01: ”2.5” is not a whole number.")]
    assert report.rows == []
    r5 = r5_json("PR", [{"Platform": "DemoPlatform", "Performance": [
        {"Period": {"Begin_Date": f"2024-0{month}-01"}, "Instance": [{"Metric_Type": "Searches_Platform",
                                                                      "Count": count}]}
        for month, count in ((1, "x"), (2, -1), (3, 4))]}])
    with translation.override("en"):
        assert [message for _row, message in parse_counter(json.dumps(r5).encode()).errors] == [
            "Column Searches_Platform 2024-01: ”x” is not a whole number.",
            "Column Searches_Platform 2024-02: a negative count, -1."]


# ---------------------------------------------------------------- the file is what it claims


DR_COLUMNS = ["Database", "Publisher", "Publisher_ID", "Platform", "Proprietary_ID", "Metric_Type",
              "Reporting_Period_Total", "Jan-2024", "Feb-2024", "Mar-2024"]
DR_ROWS = [["Demobase", "Demo", "", "DemoPlatform", "", "Searches_Regular", "9", "2", "3", "4"],
           ["Demobase", "Demo", "", "DemoPlatform", "", "Total_Item_Requests", "6", "1", "2", "3"]]


@pytest.mark.parametrize(("report_id", "columns", "rows", "column", "message"), [
    ("DR", R5_COLUMNS, R5_ROWS, "Database", "Report DR has a Database column, but this table has none"),
    ("DR_D1", R5_COLUMNS, R5_ROWS, "Database", "Report DR_D1 has a Database column, but this table has none"),
    ("TR_B3", DR_COLUMNS, DR_ROWS, "Title", "Report TR_B3 has a Title column, but this table has none"),
    ("PR_P1", R5_COLUMNS, R5_ROWS, "Title", "Report PR_P1 has no Title column, but this table has one"),
    ("PR", DR_COLUMNS, DR_ROWS, "Database", "Report PR has no Database column, but this table has one"),
])
def test_a_table_that_is_not_the_report_its_header_claims_is_refused_naming_report_and_column(
        report_id, columns, rows, column, message):
    with translation.override("en"):
        report = parse_counter(tabular(r5_header(report_id, report_id), columns, rows))
    assert messages(report) == [(14, f"{message}: the file is not the report its header claims.")]
    assert report.rows == []


def test_a_json_report_whose_items_are_another_reports_is_refused_on_each_item():
    items = [{"Title": "Kirjastolehti", "Platform": "DemoPlatform", **{k: v for k, v in R51_ITEM.items()
                                                                      if k != "Platform"}},
             {"Database": "Demobase", **R51_ITEM}]
    with translation.override("en"):
        report = parse_counter(json.dumps(r51_json("DR", items)).encode())
    assert messages(report) == [
        (1, "Report DR names each item's Database, but this item has none: the file is not the report its header "
            "claims."),
        (1, "Report DR has no Title, but this item has one: the file is not the report its header claims.")]


# ---------------------------------------------------------------- DR, DR_D1, PR_P1, TR_B3 and .xlsx


TR_B3_COLUMNS = ["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN", "Print_ISSN",
                 "Online_ISSN", "URI", "YOP", "Access_Type", "Metric_Type", "Reporting_Period_Total", "Jan-2024",
                 "Feb-2024", "Mar-2024"]
REPORTS = {
    # Report_ID: (Report_Name, column headings, rows, totals per metric type)
    "DR": ("Database Master Report", DR_COLUMNS[:5] + ["Access_Method"] + DR_COLUMNS[5:],
           [["Demobase", "Demo", "", "DemoPlatform", "", "Regular", "Searches_Regular", "9", "2", "3", "4"],
            ["Demobase", "Demo", "", "DemoPlatform", "", "Regular", "Total_Item_Requests", "6", "1", "2", "3"],
            ["Toinen base", "Demo", "", "DemoPlatform", "", "Regular", "Total_Item_Requests", "10", "0", "10", "0"]],
           {"Searches_Regular": 9, "Total_Item_Requests": 16}),
    "DR_D1": ("Database Search and Item Usage", DR_COLUMNS,
              DR_ROWS + [["Demobase", "Demo", "", "DemoPlatform", "", "Searches_Automated", "1", "0", "0", "1"]],
              {"Searches_Regular": 9, "Total_Item_Requests": 6, "Searches_Automated": 1}),
    "PR_P1": ("Platform Usage", ["Platform", "Metric_Type", "Reporting_Period_Total", "Jan-2024", "Feb-2024",
                                 "Mar-2024"],
              [["DemoPlatform", "Searches_Platform", "30", "10", "10", "10"],
               ["DemoPlatform", "Total_Item_Requests", "12", "2", "4", "6"],
               ["DemoPlatform", "Unique_Title_Requests", "5", "1", "2", "2"]],
              {"Searches_Platform": 30, "Total_Item_Requests": 12, "Unique_Title_Requests": 5}),
    "TR_B3": ("Book Usage by Access Type", TR_B3_COLUMNS,
              [["Kirja A", "Demo", "", "DemoBooks", "", "", "978-951-0-00000-0", "", "", "", "2021", "Controlled",
                "Total_Item_Requests", "7", "3", "4", "0"],
               ["Kirja A", "Demo", "", "DemoBooks", "", "", "978-951-0-00000-0", "", "", "", "2021", "Controlled",
                "Unique_Title_Investigations", "2", "1", "1", "0"],
               ["Kirja B", "Demo", "", "DemoBooks", "", "", "978-951-0-00000-1", "", "", "", "2019", "OA_Gold",
                "Total_Item_Requests", "5", "0", "0", "5"]],
              {"Total_Item_Requests": 12, "Unique_Title_Investigations": 2}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("report_id", sorted(REPORTS))
def test_each_report_is_read_and_imported_with_its_totals(report_id):
    name, columns, rows, totals = REPORTS[report_id]
    data = tabular(r5_header(report_id, name), columns, rows)
    report = parse_counter(data)
    assert (report.errors, report.report_id, report.metric_totals()) == ([], report_id, totals)
    record = services.counter_import_save(data=data, file_name=f"{report_id}.tsv", by=None)
    saved = dict(CounterUsage.objects.filter(source_import=record).values_list("metric_type")
                 .annotate(total=Sum("count")).order_by())
    assert saved == totals
    assert set(CounterUsage.objects.filter(source_import=record).values_list("report_id", flat=True)) == {report_id}


@pytest.mark.django_db
def test_a_release_5_1_json_dr_d1_is_read_and_imported_with_its_totals():
    items = [{"Database": "Demobase", "Publisher": "Demo", "Platform": "DemoPlatform",
              "Attribute_Performance": [{"Performance": {
                  "Searches_Regular": {"2024-01": 2, "2024-02": 3, "2024-03": 4},
                  "Total_Item_Requests": {"2024-01": 1, "2024-03": 5}}}]}]
    data = json.dumps(r51_json("DR_D1", items)).encode()
    report = parse_counter(data)
    assert report.errors == [] and report.metric_totals() == {"Searches_Regular": 9, "Total_Item_Requests": 6}
    record = services.counter_import_save(data=data, file_name="dr_d1.json", by=None)
    database = CounterUsage.objects.filter(source_import=record).values_list("title", flat=True).distinct()
    assert list(database) == ["Demobase"]
    assert CounterUsage.objects.filter(source_import=record).aggregate(total=Sum("count"))["total"] == 15


@pytest.mark.django_db
def test_a_counter_xlsx_is_read_and_imported():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for key, value in R5_HEADER:
        sheet.append([key, value])
    sheet.append([])
    sheet.append(R5_COLUMNS)
    for row in R5_ROWS:  # counts as numbers, as a spreadsheet keeps them
        sheet.append(row[:10] + [int(cell) for cell in row[10:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = parse_counter(buffer.getvalue())
    assert report.errors == []
    assert (report.release, report.report_id, report.end) == ("5", "TR_J1", date(2024, 3, 31))
    assert report.metric_totals() == {"Total_Item_Requests": 60, "Unique_Item_Requests": 6}
    record = services.counter_import_save(data=buffer.getvalue(), file_name="tr_j1.xlsx", by=None)
    assert CounterUsage.objects.filter(source_import=record, metric_type="Total_Item_Requests").aggregate(
        total=Sum("count"))["total"] == 60


# ---------------------------------------------------------------- import_counter


@pytest.mark.django_db
def test_import_counter_exits_non_zero_when_a_file_is_refused_and_still_prints_the_json_last(tmp_path):
    good = tmp_path / "pr_p1.tsv"
    name, columns, rows, totals = REPORTS["PR_P1"]
    good.write_bytes(tabular(r5_header("PR_P1", name), columns, rows))
    loans = tmp_path / "loans.tsv"
    bad_rows = [list(R5_ROWS[0])]
    bad_rows[0][9] = "Total_Item_Loans"
    loans.write_bytes(tabular(R5_HEADER, R5_COLUMNS, bad_rows))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_counter", str(good), str(loans), stdout=out)
    assert exit_status.value.code == 1
    files = json.loads(out.getvalue().strip().splitlines()[-1])["files"]
    assert (files[0]["end"], files[0]["metric_totals"]) == ("2024-03-31", totals)
    assert files[1]["file"] == str(loans) and "Total_Item_Loans" in files[1]["error"]
    assert "loans.tsv, row 15" in out.getvalue() or "loans.tsv, rivi 15" in out.getvalue()
    # The clean file was saved, the refused one not.
    assert list(StatsImport.objects.values_list("file_name", flat=True)) == ["pr_p1.tsv"]
    # Every file clean: the command ends normally.
    clean = tmp_path / "dr.tsv"
    name, columns, rows, _totals = REPORTS["DR"]
    clean.write_bytes(tabular(r5_header("DR", name), columns, rows))
    out = io.StringIO()
    call_command("import_counter", str(clean), dry_run=True, stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["files"][0]["report_id"] == "DR"


def test_a_json_item_giving_a_metrics_month_twice_is_refused_naming_it():
    """Release 5 lists an item's months as periods: the same month twice with the same
    metric type leaves no way to tell which count is the month's."""
    period = {"Begin_Date": "2024-01-01", "End_Date": "2024-01-31"}
    document = {"Report_Header": {"Release": "5", "Report_ID": "TR_B1", "Report_Filters": [
        {"Name": "Begin_Date", "Value": "2024-01-01"}, {"Name": "End_Date", "Value": "2024-01-31"}]},
        "Report_Items": [{"Title": "Kirja A", "Platform": "Ellibs", "Data_Type": "Book", "Performance": [
            {"Period": period, "Instance": [{"Metric_Type": "Total_Item_Requests", "Count": 3}]},
            {"Period": period, "Instance": [{"Metric_Type": "Total_Item_Requests", "Count": 4}]}]}]}
    with translation.override("en"):
        report = parse_counter(json.dumps(document).encode())
    assert report.errors == [(1, "Total_Item_Requests 2024-01 is given twice.")] and report.rows == []
