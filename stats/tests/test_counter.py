"""COUNTER R5 and R5.1 reports, written here from the published specification's layouts:
both releases' header blocks, padded and unpadded metadata rows, a BOM, CRLF, JSON."""

import codecs
import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from stats.counter import error_lines, parse_counter

R5_HEADER = [
    ("Report_Name", "Journal Requests (Excluding OA_Gold)"), ("Report_ID", "TR_J1"), ("Release", "5"),
    ("Institution_Name", "Louna-kirjastot (demo)"), ("Institution_ID", "ISNI:0000000000000000"),
    ("Metric_Types", "Total_Item_Requests; Unique_Item_Requests"),
    ("Report_Filters", "Data_Type=Journal; Access_Type=Controlled; Access_Method=Regular"),
    ("Report_Attributes", ""), ("Exceptions", ""),
    ("Reporting_Period", "Begin_Date=2024-01-01; End_Date=2024-03-31"), ("Created", "2024-04-05T10:00:00Z"),
    ("Created_By", "Demo Vendor"),
]
R5_COLUMNS = ["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "Print_ISSN",
              "Online_ISSN", "URI", "Metric_Type", "Reporting_Period_Total", "Jan-2024", "Feb-2024", "Mar-2024"]
R5_ROWS = [
    ["Kirjastolehti", "Demo", "", "DemoPlatform", "", "", "0023-1234", "", "", "Total_Item_Requests", "60", "10",
     "20", "30"],
    ["Kirjastolehti", "Demo", "", "DemoPlatform", "", "", "0023-1234", "", "", "Unique_Item_Requests", "6", "1",
     "2", "3"],
]


def tabular(header, columns, rows, *, sep="\t", padded=False, bom=True, newline="\r\n"):
    lines = []
    for key, value in header:
        cells = [key, value] + ([""] * (len(columns) - 2) if padded else [])
        lines.append(sep.join(cells))
    lines.append(sep * (len(columns) - 1) if padded else "")
    lines += [sep.join(columns)] + [sep.join(row) for row in rows]
    data = newline.join(lines).encode()
    return codecs.BOM_UTF8 + data if bom else data


def r51_header(report_id="TR_B1"):
    return [("Report_Name", "Book Requests (Excluding OA_Gold)"), ("Report_ID", report_id), ("Release", "5.1"),
            ("Institution_Name", "Louna-kirjastot (demo)"), ("Institution_ID", "ISNI:0000000000000000"),
            ("Metric_Types", "Total_Item_Requests;Unique_Title_Requests"),
            ("Report_Filters", "Data_Type=Book;Access_Type=Controlled;Access_Method=Regular"),
            ("Report_Attributes", ""), ("Exceptions", ""),
            ("Reporting_Period", "Begin_Date=2024-01-01;End_Date=2024-02-29"), ("Created", "2024-03-02T08:00:00Z"),
            ("Created_By", "Demo Vendor"), ("Registry_Record", "https://registry.countermetrics.org/platform/demo")]


R51_COLUMNS = ["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN", "Print_ISSN",
               "Online_ISSN", "URI", "YOP", "Metric_Type", "Reporting_Period_Total", "2024-01", "2024-02"]
R51_ROWS = [["Tuntematon kirja", "Demo", "", "DemoBooks", "", "", "978-951-0-00000-0", "", "", "", "2020",
             "Total_Item_Requests", "7", "3", "4"],
            ["Tuntematon kirja", "Demo", "", "DemoBooks", "", "", "978-951-0-00000-0", "", "", "", "2020",
             "Unique_Title_Requests", "2", "1", "1"]]


@pytest.mark.parametrize("padded", [False, True], ids=["unpadded", "padded"])
def test_release_5_tsv_with_bom_and_crlf(padded):
    report = parse_counter(tabular(R5_HEADER, R5_COLUMNS, R5_ROWS, padded=padded))
    assert report.errors == []
    assert (report.release, report.report_id, report.begin, report.end) == ("5", "TR_J1", date(2024, 1, 1),
                                                                            date(2024, 3, 31))
    assert report.metric_totals() == {"Total_Item_Requests": 60, "Unique_Item_Requests": 6}
    assert report.rows[0].item["Print_ISSN"] == "0023-1234" and report.rows[0].item["Platform"] == "DemoPlatform"


@pytest.mark.parametrize("padded", [False, True], ids=["unpadded", "padded"])
def test_release_5_1_csv_knows_its_release_and_keeps_yop(padded):
    report = parse_counter(tabular(r51_header(), R51_COLUMNS, R51_ROWS, sep=",", padded=padded, bom=False,
                                   newline="\n"))
    assert report.errors == []
    assert (report.release, report.report_id) == ("5.1", "TR_B1")
    assert report.metric_totals() == {"Total_Item_Requests": 7, "Unique_Title_Requests": 2}
    assert report.rows[0].item["YOP"] == "2020" and report.rows[0].item["ISBN"] == "978-951-0-00000-0"


def test_a_5_1_header_without_registry_record_and_a_missing_header_are_refused():
    header = [row for row in r51_header() if row[0] != "Registry_Record"]
    assert "Registry_Record" in parse_counter(tabular(header, R51_COLUMNS, R51_ROWS)).errors[0][1]
    bare = ("\t".join(R5_COLUMNS) + "\n" + "\n".join("\t".join(row) for row in R5_ROWS)).encode()
    refused = parse_counter(bare)
    assert "header block is missing" in refused.errors[0][1] and "Release" in refused.errors[0][1]
    stated = parse_counter(bare, report_id="TR_J1", release="5")
    assert stated.errors == [] and stated.metric_totals()["Total_Item_Requests"] == 60


def test_every_bad_row_is_named():
    rows = [list(R5_ROWS[0]), list(R5_ROWS[1]), list(R5_ROWS[0]), list(R5_ROWS[0])]
    rows[0][12] = "kaksi"     # text in a count
    rows[1][11] = "-1"        # negative
    rows[2][10] = "61"        # months add up to 60
    columns = R5_COLUMNS + ["Apr-2024"]
    rows = [row + ["0"] for row in rows]
    rows[3][14] = "5"         # a month outside the period
    rows[3][10] = "65"
    report = parse_counter(tabular(R5_HEADER, columns, rows))
    assert sorted(row for row, _message in report.errors) == [15, 16, 17, 18]
    assert report.rows == []


def test_json_release_5_and_5_1():
    r5 = {"Report_Header": {"Release": "5", "Report_ID": "PR", "Report_Filters": [
        {"Name": "Begin_Date", "Value": "2024-01-01"}, {"Name": "End_Date", "Value": "2024-02-29"}]},
        "Report_Items": [{"Platform": "DemoPlatform", "Data_Type": "Book", "Access_Method": "Regular",
                          "Performance": [
                              {"Period": {"Begin_Date": "2024-01-01", "End_Date": "2024-01-31"},
                               "Instance": [{"Metric_Type": "Searches_Platform", "Count": 5}]},
                              {"Period": {"Begin_Date": "2024-02-01", "End_Date": "2024-02-29"},
                               "Instance": [{"Metric_Type": "Searches_Platform", "Count": 7}]}]}]}
    report = parse_counter(json.dumps(r5).encode())
    assert (report.errors, report.release, report.metric_totals()) == ([], "5", {"Searches_Platform": 12})
    r51 = {"Report_Header": {"Release": "5.1", "Report_ID": "TR_J1", "Report_Filters": {
        "Begin_Date": "2024-01", "End_Date": "2024-12"}, "Registry_Record": "https://registry.countermetrics.org/x"},
        "Report_Items": [{"Title": "Kirjastolehti", "Platform": "DemoPlatform", "Item_ID": {"Print_ISSN": "0023-1234"},
                          "Attribute_Performance": [{"Data_Type": "Journal", "Access_Type": "Controlled",
                                                     "Performance": {"Total_Item_Requests": {"2024-01": 4,
                                                                                             "2024-05": 6}}}]}]}
    report = parse_counter(codecs.BOM_UTF8 + json.dumps(r51).encode())
    assert report.errors == [] and report.summary()["metric_totals"] == {"Total_Item_Requests": 10}
    assert report.rows[0].item["Print_ISSN"] == "0023-1234" and report.rows[0].item["Access_Type"] == "Controlled"


@pytest.mark.django_db
def test_import_counter_dry_run_prints_one_json_object_last(tmp_path):
    good = tmp_path / "tr_j1.tsv"
    good.write_bytes(tabular(R5_HEADER, R5_COLUMNS, R5_ROWS))
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"Title,Metric_Type\n")
    out = io.StringIO()
    with pytest.raises(SystemExit) as refused:  # a refused file: the exit status says so
        call_command("import_counter", str(good), str(bad), dry_run=True, stdout=out)
    assert refused.value.code == 1
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["files"][0] == {"file": str(good), "release": "5", "report_id": "TR_J1", "rows": 2,
                                  "begin": "2024-01-01", "end": "2024-03-31",
                                  "metric_totals": {"Total_Item_Requests": 60, "Unique_Item_Requests": 6},
                                  "replaces": {"imports": [], "months": [], "before": {}, "after": {}}}
    assert result["files"][1]["file"] == str(bad) and "header block" in result["files"][1]["error"]


@pytest.mark.django_db
def test_import_counter_saves_monthly_uses_once(tmp_path):
    from stats.models import CounterUsage, StatsImport

    good = tmp_path / "tr_b1.csv"
    good.write_bytes(tabular(r51_header(), R51_COLUMNS, R51_ROWS, sep=","))
    call_command("import_counter", str(good), stdout=io.StringIO())
    assert CounterUsage.objects.filter(metric_type="Total_Item_Requests").count() == 2
    january = CounterUsage.objects.get(metric_type="Total_Item_Requests", month=date(2024, 1, 1))
    assert (january.count, january.yop, january.identifiers, january.release) == (
        3, "2020", {"ISBN": "978-951-0-00000-0"}, "5.1")
    out = io.StringIO()
    with pytest.raises(SystemExit):  # the same file again: refused
        call_command("import_counter", str(good), stdout=out)
    assert "already imported" in json.loads(out.getvalue().splitlines()[-1])["files"][0]["error"]
    assert StatsImport.objects.count() == 1


@pytest.mark.django_db
def test_reverting_a_counter_import_removes_its_counts_and_lets_the_file_in_again(tmp_path):
    from stats import services
    from stats.models import CounterUsage

    data = tabular(R5_HEADER, R5_COLUMNS, R5_ROWS)
    record = services.counter_import_save(data=data, file_name="tr_j1.tsv", by=None)
    assert CounterUsage.objects.filter(source_import=record).count() == 6  # 2 rows x 3 months
    services.import_revert(stats_import=record, by=None)
    assert not CounterUsage.objects.exists()
    again = services.counter_import_save(data=data, file_name="tr_j1.tsv", by=None)
    assert CounterUsage.objects.filter(source_import=again).count() == 6


@pytest.mark.django_db
def test_a_finnish_user_is_told_in_finnish_what_is_wrong_naming_the_file_row_and_column():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from stats import services

    bare = ("\t".join(R5_COLUMNS) + "\n" + "\n".join("\t".join(row) for row in R5_ROWS)).encode()
    rows = [list(R5_ROWS[0]), list(R5_ROWS[1])]
    rows[0][12] = "kaksi"  # Feb-2024 of the first table row (file row 15)
    bad_month = tabular(R5_HEADER, R5_COLUMNS, rows)
    with translation.override("fi"):
        with pytest.raises(ValidationError) as missing:
            services.counter_import_save(data=bare, file_name="ellibs.tsv", by=None)
        with pytest.raises(ValidationError) as text:
            services.counter_import_save(data=bad_month, file_name="ellibs-2024.tsv", by=None)
    assert missing.value.messages[0].startswith(
        "ellibs.tsv: Otsaketiedot puuttuvat tai ovat vajaat (puuttuu: Report_Name, Report_ID, Release")
    assert text.value.messages == ["ellibs-2024.tsv, rivi 15: Sarake Feb-2024: ”kaksi” ei ole kokonaisluku."]
    with translation.override("sv"):
        refused, _replaces = services.counter_import_preview(data=bad_month, file_name="ellibs-2024.tsv")
        assert error_lines(refused, "ellibs-2024.tsv") == [
            "ellibs-2024.tsv, rad 15: Kolumn Feb-2024: ”kaksi” är inte ett heltal."]


def test_json_item_identifiers_are_kept_in_either_releases_form():
    """Release 5 lists an item's ids as {"Type", "Value"} pairs, 5.1 gives an object; both
    keep the ISBN, the DOI and the publisher's own id (Proprietary -> Proprietary_ID)."""
    r5 = {"Report_Header": {"Release": "5", "Report_ID": "TR_B1", "Report_Filters": [
        {"Name": "Begin_Date", "Value": "2024-01-01"}, {"Name": "End_Date", "Value": "2024-01-31"}]},
        "Report_Items": [{"Title": "Seitsemän veljestä", "Platform": "Ellibs", "Data_Type": "Book",
                          "Item_ID": [{"Type": "ISBN", "Value": "978-951-1-00000-1"},
                                      {"Type": "DOI", "Value": "10.1000/sv"},
                                      {"Type": "Proprietary", "Value": "ellibs:42"}],
                          "Performance": [{"Period": {"Begin_Date": "2024-01-01", "End_Date": "2024-01-31"},
                                           "Instance": [{"Metric_Type": "Total_Item_Requests", "Count": 3}]}]}]}
    report = parse_counter(json.dumps(r5).encode())
    assert report.errors == []
    assert {name: report.rows[0].item.get(name) for name in ("ISBN", "DOI", "Proprietary_ID")} == {
        "ISBN": "978-951-1-00000-1", "DOI": "10.1000/sv", "Proprietary_ID": "ellibs:42"}
    r51 = {"Report_Header": {"Release": "5.1", "Report_ID": "TR_B1", "Report_Filters": {
        "Begin_Date": "2024-01", "End_Date": "2024-01"}, "Registry_Record": "https://registry.countermetrics.org/x"},
        "Report_Items": [{"Title": "Seitsemän veljestä", "Platform": "Ellibs",
                          "Item_ID": {"ISBN": "978-951-1-00000-1", "Proprietary": "ellibs:42"},
                          "Attribute_Performance": [{"Data_Type": "Book", "Access_Type": "Controlled",
                                                     "Performance": {"Total_Item_Requests": {"2024-01": 3}}}]}]}
    report = parse_counter(json.dumps(r51).encode())
    assert report.errors == []
    assert (report.rows[0].item["ISBN"], report.rows[0].item["Proprietary_ID"]) == ("978-951-1-00000-1", "ellibs:42")
