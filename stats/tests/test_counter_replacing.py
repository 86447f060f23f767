"""A COUNTER report imported again for the same report and months replaces the earlier
counts (shown first in the preview, with the totals before and after); reverting the later
import brings them back; the same file twice is still refused by its hash."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum

from stats import services
from stats.models import CounterUsage, StatsImport

from .test_counter import R5_COLUMNS, R5_HEADER, tabular

pytestmark = pytest.mark.django_db

MONTHS = ["Jan-2024", "Feb-2024", "Mar-2024", "Apr-2024", "May-2024", "Jun-2024"]


def report(first: int, last: int, requests: list[int], *, platform="DemoPlatform", institution="ISNI:0000000000000000",
           report_id="TR_J1", created="2024-07-05T10:00:00Z") -> bytes:
    """A TR_J1 of months first..last (1 = January 2024) with one title: Total_Item_Requests
    as given per month, Unique_Item_Requests one a month."""
    header = dict(R5_HEADER)
    header.update({"Report_ID": report_id, "Institution_ID": institution, "Created": created,
                   "Reporting_Period": f"Begin_Date=2024-{first:02d}-01; End_Date=2024-{last:02d}-28"})
    months = MONTHS[first - 1:last]
    columns = R5_COLUMNS[:11] + months
    rows = [["Kirjastolehti", "Demo", "", platform, "", "", "0023-1234", "", "", metric, str(sum(counts)),
             *map(str, counts)]
            for metric, counts in (("Total_Item_Requests", requests), ("Unique_Item_Requests", [1] * len(months)))]
    return tabular(list(header.items()), columns, rows)


def in_force(metric="Total_Item_Requests") -> dict:
    """{month number: count} of the counts in force."""
    return {month.month: count for month, count in CounterUsage.objects.filter(
        metric_type=metric, replaced_by__isnull=True).values_list("month").annotate(total=Sum("count"))}


def test_the_same_report_and_months_again_replaces_the_earlier_counts():
    first = services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="q1.tsv", by=None)
    assert in_force() == {1: 10, 2: 20, 3: 30}
    second = services.counter_import_save(data=report(1, 3, [11, 20, 35]), file_name="q1-corrected.tsv", by=None)
    assert in_force() == {1: 11, 2: 20, 3: 35}  # not 21, 40, 65: nothing counted twice
    assert in_force("Unique_Item_Requests") == {1: 1, 2: 1, 3: 1}
    assert second.replaced == 6  # 2 metric types x 3 months of the first
    assert CounterUsage.objects.filter(source_import=first, replaced_by=second).count() == 6
    first.refresh_from_db()
    assert first.reverted_at is None  # kept, replaced, not gone


def test_a_partly_overlapping_period_replaces_only_the_months_both_cover():
    first = services.counter_import_save(data=report(1, 4, [10, 20, 30, 40]), file_name="jan-apr.tsv", by=None)
    second = services.counter_import_save(data=report(3, 6, [33, 44, 50, 60]), file_name="mar-jun.tsv", by=None)
    assert in_force() == {1: 10, 2: 20, 3: 33, 4: 44, 5: 50, 6: 60}
    assert second.replaced == 4  # March and April of both metric types
    assert set(CounterUsage.objects.filter(source_import=first, replaced_by__isnull=True)
               .values_list("month", flat=True)) == {date(2024, 1, 1), date(2024, 2, 1)}


def test_another_platform_institution_or_report_is_not_replaced():
    services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="a.tsv", by=None)
    services.counter_import_save(data=report(1, 3, [1, 2, 3], platform="OtherPlatform"), file_name="b.tsv", by=None)
    services.counter_import_save(data=report(1, 3, [1, 2, 3], institution="ISNI:1111111111111111"),
                                 file_name="c.tsv", by=None)
    services.counter_import_save(data=report(1, 3, [1, 2, 3], report_id="TR"), file_name="d.tsv", by=None)
    assert in_force() == {1: 13, 2: 26, 3: 39}
    assert not CounterUsage.objects.filter(replaced_by__isnull=False).exists()


def test_the_preview_shows_what_is_replaced_with_the_totals_before_and_after():
    first = services.counter_import_save(data=report(1, 4, [10, 20, 30, 40]), file_name="jan-apr.tsv", by=None)
    parsed, replaces = services.counter_import_preview(data=report(3, 6, [33, 44, 50, 60]), file_name="mar-jun.tsv")
    assert parsed.errors == []
    assert replaces["months"] == ["2024-03", "2024-04"]
    assert replaces["before"] == {"Total_Item_Requests": 70, "Unique_Item_Requests": 2}
    assert replaces["after"] == {"Total_Item_Requests": 77, "Unique_Item_Requests": 2}
    assert [(i["import"], i["file"], i["counts"], i["begin"], i["end"]) for i in replaces["imports"]] == [
        (first.pk, "jan-apr.tsv", 4, "2024-03-01", "2024-04-01")]
    assert CounterUsage.objects.filter(replaced_by__isnull=False).count() == 0  # the preview saved nothing
    assert StatsImport.objects.count() == 1


def test_the_dry_run_prints_what_would_be_replaced(tmp_path):
    services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="q1.tsv", by=None)
    path = tmp_path / "q1-corrected.tsv"
    path.write_bytes(report(1, 3, [11, 20, 35]))
    out = io.StringIO()
    call_command("import_counter", str(path), dry_run=True, stdout=out)
    lines = out.getvalue().strip().splitlines()
    result = json.loads(lines[-1])["files"][0]
    assert result["metric_totals"] == {"Total_Item_Requests": 66, "Unique_Item_Requests": 3}
    assert (result["replaces"]["before"], result["replaces"]["after"]) == (
        {"Total_Item_Requests": 60, "Unique_Item_Requests": 3}, {"Total_Item_Requests": 66, "Unique_Item_Requests": 3})
    assert "replaces q1.tsv" in lines[0]
    assert StatsImport.objects.count() == 1 and in_force() == {1: 10, 2: 20, 3: 30}


def test_reverting_the_later_import_brings_the_replaced_counts_back():
    first = services.counter_import_save(data=report(1, 4, [10, 20, 30, 40]), file_name="jan-apr.tsv", by=None)
    second = services.counter_import_save(data=report(3, 6, [33, 44, 50, 60]), file_name="mar-jun.tsv", by=None)
    with pytest.raises(ValidationError, match="revert the later import first"):
        services.import_revert(stats_import=first, by=None)
    services.import_revert(stats_import=second, by=None)
    assert in_force() == {1: 10, 2: 20, 3: 30, 4: 40}
    assert not CounterUsage.objects.filter(replaced_by__isnull=False).exists()
    services.import_revert(stats_import=first, by=None)  # now it may go too
    assert not CounterUsage.objects.exists()


def test_the_same_file_twice_is_still_refused_by_its_hash_even_when_it_would_replace():
    data = report(1, 3, [10, 20, 30])
    services.counter_import_save(data=data, file_name="q1.tsv", by=None)
    parsed, replaces = services.counter_import_preview(data=data, file_name="q1 (copy).tsv")
    assert replaces is None and "already imported" in parsed.errors[0][1] and "q1.tsv" in parsed.errors[0][1]
    with pytest.raises(ValidationError, match="already imported"):
        services.counter_import_save(data=data, file_name="q1 (copy).tsv", by=None)
    assert StatsImport.objects.count() == 1 and in_force() == {1: 10, 2: 20, 3: 30}


def test_counts_in_a_reported_year_are_not_replaced():
    from stats.models import StatisticsYear

    header = dict(R5_HEADER)
    header["Reporting_Period"] = "Begin_Date=2023-12-01; End_Date=2024-02-29"
    columns = R5_COLUMNS[:11] + ["Dec-2023", "Jan-2024", "Feb-2024"]
    winter = tabular(list(header.items()), columns, [["Kirjastolehti", "Demo", "", "DemoPlatform", "", "", "", "",
                                                      "", "Total_Item_Requests", "6", "1", "2", "3"]])
    services.counter_import_save(data=winter, file_name="winter.tsv", by=None)  # under 2023
    StatisticsYear.objects.filter(year=2023).update(state=StatisticsYear.State.REPORTED)
    parsed, replaces = services.counter_import_preview(data=report(1, 3, [10, 20, 30]), file_name="q1.tsv")
    assert replaces is None
    assert parsed.errors == [(0, "q1.tsv would replace counts of winter.tsv, but 2023 has been reported and is "
                                 "locked.")]
    with pytest.raises(ValidationError, match="2023 has been reported"):
        services.counter_import_save(data=report(1, 3, [10, 20, 30]), file_name="q1.tsv", by=None)
    assert in_force() == {12: 1, 1: 2, 2: 3} and StatsImport.objects.count() == 1


# ---------------------------------------------------------------- the page


def upload(client, data: bytes, name: str, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(reverse("stats:counter_import", args=[2024]),
                       {"file": SimpleUploadedFile(name, data, content_type="text/tab-separated-values"), **fields})


def test_the_page_previews_the_replacement_then_confirming_replaces_and_reverting_restores(client, coordinator):
    from django.urls import reverse

    from stats.models import PendingImport

    services.statistics_year_open(year=2024)
    first = services.counter_import_save(data=report(1, 4, [10, 20, 30, 40]), file_name="jan-apr.tsv", by=None)
    client.force_login(coordinator)
    client.cookies["django_language"] = "fi"
    page = upload(client, report(3, 6, [33, 44, 50, 60]), "mar-jun.tsv").content.decode()
    assert "Vahvistaminen korvaa näiden kuukausien voimassa olevat luvut: 2024-03, 2024-04" in page
    assert "jan-apr.tsv: 4 kuukausilukua 2024-03–2024-04" in page
    assert ('<th scope="row" class="text-start">Total_Item_Requests</th><td>70</td><td>77</td>'
            in page.replace("\u00a0", " "))
    assert in_force() == {1: 10, 2: 20, 3: 30, 4: 40}  # nothing saved by the preview
    draft = PendingImport.objects.get()
    done = client.post(reverse("stats:counter_import", args=[2024]),
                       {"action": "confirm", "draft": draft.pk, "sha256": draft.sha256}, follow=True)
    assert "mar-jun.tsv tuotu: 2 riviä, 4 kuukausilukua korvattu." in done.content.decode()
    assert in_force() == {1: 10, 2: 20, 3: 33, 4: 44, 5: 50, 6: 60}
    second = StatsImport.objects.exclude(pk=first.pk).get()
    client.post(reverse("stats:import_revert", args=[2024, second.pk]))
    assert in_force() == {1: 10, 2: 20, 3: 30, 4: 40}


def test_a_finnish_user_is_refused_in_finnish_on_the_page(client, coordinator):
    services.statistics_year_open(year=2024)
    client.force_login(coordinator)
    client.cookies["django_language"] = "fi"
    bare = ("\t".join(R5_COLUMNS) + "\n" + "\t".join(["Kirjastolehti", "Demo", "", "DemoPlatform", "", "", "", "",
                                                      "", "Total_Item_Requests", "1", "1", "0", "0"])).encode()
    page = upload(client, bare, "ilman-otsaketta.tsv").content.decode()
    assert "ilman-otsaketta.tsv: Otsaketiedot puuttuvat tai ovat vajaat (puuttuu: Report_Name" in page
    assert "Mitään ei tallennettu." in page
    data = report(1, 3, [10, 20, 30]).replace(b"\t20\t", b"\tkaksikymment\xc3\xa4\t")
    page = upload(client, data, "huono.tsv").content.decode()
    assert "huono.tsv, rivi 15: Sarake Feb-2024: ”kaksikymmentä” ei ole kokonaisluku." in page
    assert not StatsImport.objects.exists()


def test_a_release_5_1_json_report_replaces_the_release_5_file_of_the_same_institution():
    """The institution is written one way whatever the release and form, so a vendor's 5.1
    JSON of the same months replaces its 5 TSV."""
    services.counter_import_save(data=report(1, 2, [10, 20], institution="ISNI:0000000000000000; Proprietary:demo:7"),
                                 file_name="r5.tsv", by=None)
    r51 = {"Report_Header": {"Release": "5.1", "Report_ID": "TR_J1",
                             "Institution_ID": {"Proprietary": ["demo:7"], "ISNI": ["0000000000000000"]},
                             "Report_Filters": {"Begin_Date": "2024-01", "End_Date": "2024-02"},
                             "Registry_Record": "https://registry.countermetrics.org/platform/demo"},
           "Report_Items": [{"Title": "Kirjastolehti", "Platform": "DemoPlatform",
                             "Attribute_Performance": [{"Data_Type": "Journal", "Performance": {
                                 "Total_Item_Requests": {"2024-01": 12, "2024-02": 22}}}]}]}
    second = services.counter_import_save(data=json.dumps(r51).encode(), file_name="r51.json", by=None)
    assert in_force() == {1: 12, 2: 22}
    assert in_force("Unique_Item_Requests") == {}  # the 5.1 report gave none: the months are replaced whole
    assert second.replaced == 4


@pytest.mark.parametrize("earlier", [1, 4])
def test_the_preview_takes_the_same_queries_whatever_it_replaces(earlier, django_assert_max_num_queries):
    for month in range(1, earlier + 1):  # one report a month, none replacing another
        services.counter_import_save(data=report(month, month, [month]), file_name=f"{month}.tsv", by=None)
    with django_assert_max_num_queries(4):
        _parsed, replaces = services.counter_import_preview(data=report(1, 4, [5, 6, 7, 8]), file_name="all.tsv")
    assert len(replaces["imports"]) == earlier


def test_the_preview_gives_the_period_in_months(client, coordinator):
    """Seen on the demo: a January–March report's preview read "Jakso 2024-01-01 – 2024-03-01
    (ensimmäisen ja viimeisen kuukauden ensimmäiset päivät)", a period that seemed to end
    on 1 March; the months, as the rest of the preview writes them, say it plainly."""
    services.statistics_year_open(year=2024)
    client.force_login(coordinator)
    client.cookies["django_language"] = "fi"
    page = upload(client, report(1, 3, [10, 20, 30]), "q1.tsv").content.decode()
    assert "Jakso 2024-01 – 2024-03, 2 raporttiriviä." in page
    assert "2024-03-01" not in page
