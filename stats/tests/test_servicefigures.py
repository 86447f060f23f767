"""Web visits straight from Matomo's own export, and e-material vendors' figures: the same
check -> preview -> confirm -> replace -> revert rules as the other imports.

The Matomo files are written here as Matomo's CSV renderer writes them
(core/DataTable/Renderer/Csv.php): a header row, comma between columns (tab in its TSV
export), "\\n" between rows, the whole text in UTF-16LE after the bytes FF FE. Exported for
a range of periods the first column is the map's key, `date`, holding each period's
pretty string (2024-01 for a month, 2024-01-15 for a day); translated column names
("Date", "Label", "Visits") when exported from the user interface."""

import codecs
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from stats import services
from stats.models import Figure, Metric, PendingImport, Service, ServiceFigure, SharedServiceTotal, StatsImport
from stats.servicefigures import service_year_totals
from stats.tests.conftest import municipality_parts

pytestmark = pytest.mark.django_db


def matomo(text: str) -> bytes:
    """As Matomo's CSV renderer writes its export."""
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


ALL_SITES_BY_MONTH = (
    "date,label,nb_visits,nb_actions,nb_pageviews,revenue,visits_evolution\n"
    "2024-01,Finna,31200,120400,118000,0,3.1%\n"
    "2024-01,Lounakirjailijat,1200,3300,3300,0,-1.2%\n"
    "2024-02,Finna,29800,110020,109000,0,-4.5%\n"
    "2024-02,Lounakirjailijat,1105,3020,3020,0,-7.9%"
)


@pytest.fixture
def sites(points):
    finna = Service.objects.create(code="finna", name="Finna", kind=Service.Kind.WEB, matomo_site="3",
                                   feeds=Metric.objects.get(code="finna_visits"))
    kirjailijat = Service.objects.create(code="lounakirjailijat", name="Lounakirjailijat", kind=Service.Kind.WEB,
                                         matomo_site="Lounakirjailijat",
                                         feeds=Metric.objects.get(code="lounakirjailijat_visits"))
    services.statistics_year_open(year=2024)
    return {"finna": finna, "kirjailijat": kirjailijat}


@pytest.fixture
def vendors(db):
    services.statistics_year_open(year=2024)
    return {"ellibs": Service.objects.create(code="ellibs", name="Ellibs", kind=Service.Kind.EMATERIAL),
            "bookbeat": Service.objects.create(code="bookbeat", name="BookBeat", kind=Service.Kind.EMATERIAL)}


def _save(by, data, kind=StatsImport.Kind.WEB_VISITS, **kwargs):
    return services.import_save(year=2024, kind=kind, data=data, file_name="matomo.csv", by=by, **kwargs)


def _months(service, metric="web_visits"):
    return dict(ServiceFigure.objects.filter(service=service, metric__code=metric, replaced_by__isnull=True)
                .values_list("month", "value"))


def test_an_all_websites_export_in_utf16_is_read_per_site_and_month(sites, coordinator):
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(ALL_SITES_BY_MONTH))
    assert parsed.is_valid and parsed.encoding == "UTF-16LE"
    assert [(row.service.code, row.month, row.value) for row in parsed.rows] == [
        ("finna", 1, 31200), ("lounakirjailijat", 1, 1200), ("finna", 2, 29800), ("lounakirjailijat", 2, 1105)]
    assert not ServiceFigure.objects.exists()  # the preview saves nothing

    record = _save(coordinator, matomo(ALL_SITES_BY_MONTH))
    assert _months(sites["finna"]) == {1: 31200, 2: 29800}
    # Finna feeds the shared figure: its year so far is split by population, exactly.
    total = SharedServiceTotal.objects.get(metric="finna_visits")
    assert total.total == 61000 and total.source_import == record
    assert sum(municipality_parts("finna_visits").values()) == 61000
    assert sum(municipality_parts("lounakirjailijat_visits").values()) == 2305


def test_a_translated_tsv_export_by_day_adds_the_days_into_months(sites, coordinator):
    tsv = ("Datum\tLabel\tBesök\tUnika besökare\n" "2024-03-01\tFinna\t1000\t800\n"
           "2024-03-02\tFinna\t1100\t900\n" "2024-04-01\t3\t1200\t950\n")
    _save(coordinator, matomo(tsv))
    assert _months(sites["finna"]) == {3: 2100, 4: 1200}  # "3" is Finna's Matomo site id


def test_a_new_column_name_is_a_mapping_row_not_code(sites, coordinator):
    from stats.models import ColumnMapping

    export = matomo("Date,Label,Käynnit yhteensä\n2024-08,Finna,900\n")
    assert "no visits column" in services.import_prepare(
        year=2024, kind=StatsImport.Kind.WEB_VISITS, data=export).errors[0].message
    ColumnMapping.objects.create(source="matomo", column="Käynnit yhteensä",
                                 metric=Metric.objects.get(code="web_visits"))
    _save(coordinator, export)
    assert _months(sites["finna"]) == {8: 900}


def test_a_one_site_export_needs_the_site_named(sites, coordinator):
    one_site = ("date,nb_uniq_visitors,nb_visits,nb_users,nb_actions,max_actions,bounce_count,sum_visit_length,"
                "bounce_rate,nb_actions_per_visit,avg_time_on_site\n"
                "2024-05,900,1300,0,4100,88,400,120000,31%,3.2,92\n")
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(one_site))
    assert [(error.row, error.message) for error in parsed.errors] == [
        (1, "The rows do not name the web site: choose the site the export is for.")]
    _save(coordinator, matomo(one_site), service=sites["kirjailijat"])
    assert _months(sites["kirjailijat"]) == {5: 1300}


def test_every_bad_row_is_named_and_nothing_is_saved(sites, coordinator):
    bad = ("date,label,nb_visits\n"
           "2024-01,Finna,100\n"
           "2024-01,Kirjastokaista,50\n"  # no such site
           "2023-12,Finna,70\n"  # another year
           "2024-02,Finna,paljon\n"  # text
           "2024-03,Finna,-5\n"  # negative
           "2024-01,Finna,120\n"  # the same month again
           "From 2024-01-01 to 2024-01-07,Finna,20\n")  # a week
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(bad))
    assert [error.row for error in parsed.errors] == [3, 4, 5, 6, 7, 8]
    messages = " | ".join(error.message for error in parsed.errors)
    assert "No web site “Kirjastokaista”" in messages and "2023-12 is not a month of 2024" in messages
    assert "“paljon” is not a number." in messages and "must not be negative" in messages
    assert "already on row 2" in messages and "is not a month (2024-01) or a day" in messages
    with pytest.raises(services.ImportRefused):
        _save(coordinator, matomo(bad))
    assert not ServiceFigure.objects.exists() and not StatsImport.objects.exists()


def test_matomos_no_data_answer_and_a_missing_date_column_are_refused(sites):
    for text, expected in (("No data available", "no data"), ("label,nb_visits\nFinna,10\n", "no date column")):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(text))
        assert expected in parsed.errors[0].message


def test_a_second_export_replaces_the_months_it_gives_and_a_revert_restores_them(sites, coordinator):
    first = _save(coordinator, matomo(ALL_SITES_BY_MONTH))
    before = municipality_parts("finna_visits")
    corrected = "date,label,nb_visits\n2024-02,Finna,30000\n2024-03,Finna,31000\n"
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(corrected))
    assert parsed.changes == [{"where": "Finna 2/2024", "metric": "Web visits", "old": "29800", "new": "30000"}]
    assert parsed.splits[0][1] == 31200 + 30000 + 31000  # January stays, February replaced, March added

    second = _save(coordinator, matomo(corrected))
    assert _months(sites["finna"]) == {1: 31200, 2: 30000, 3: 31000}
    assert sum(municipality_parts("finna_visits").values()) == 92200
    assert second.replaced == 1 + 2  # February's figure and the two municipalities' parts

    with pytest.raises(Exception, match="revert the later import first"):
        services.import_revert(stats_import=first, by=coordinator)
    services.import_revert(stats_import=second, by=coordinator)
    assert _months(sites["finna"]) == {1: 31200, 2: 29800}
    assert municipality_parts("finna_visits") == before


def test_the_same_export_twice_is_refused(sites, coordinator):
    _save(coordinator, matomo(ALL_SITES_BY_MONTH))
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(ALL_SITES_BY_MONTH))
    assert "already imported" in parsed.errors[0].message


def test_the_page_takes_matomos_file_as_it_is(client, sites, coordinator):
    client.force_login(coordinator)
    url = reverse("stats:import", args=[2024])
    page = client.post(url, {"kind": "web_visits", "file": SimpleUploadedFile(
        "Matomo Export _ Kaikki sivustot _ 2024.csv", matomo(ALL_SITES_BY_MONTH))}).content.decode()
    assert "31200" in page and "Lounakirjailijat" in page and "61" in page  # the rows and the split
    draft = PendingImport.objects.get()
    client.post(url, {"action": "confirm", "draft": draft.pk, "sha256": draft.sha256})
    assert _months(sites["finna"]) == {1: 31200, 2: 29800}


def test_the_command_reads_a_one_site_export(sites, coordinator, tmp_path, capsys):
    path = tmp_path / "finna.csv"
    path.write_bytes(matomo("date,nb_visits\n2024-06,1500\n2024-07,1400\n"))
    call_command("import_figures", str(path), "--year", "2024", "--kind", "web_visits", "--service", "finna",
                 "--dry-run")
    assert '"rows": 2' in capsys.readouterr().out.splitlines()[-1]
    assert not ServiceFigure.objects.exists()
    call_command("import_figures", str(path), "--year", "2024", "--kind", "web_visits", "--service", "finna")
    assert _months(sites["finna"]) == {6: 1500, 7: 1400}


# ---------------------------------------------------------------- e-material vendors


VENDOR_CSV = ("Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl\r\n"
              "Ellibs;1;1 204;;;\r\n"
              "ellibs;2024-02;1 150;;;\r\n"
              "BookBeat;;5 230;;;\r\n"
              "Ellibs;;;5 300;12 400,50;310\r\n")


def test_a_vendor_file_gives_loans_per_month_and_the_years_titles_and_acquisitions(vendors, coordinator):
    record = _save(coordinator, VENDOR_CSV.encode("cp1252"), kind=StatsImport.Kind.EMATERIAL)
    assert _months(vendors["ellibs"], "ematerial_loans") == {1: 1204, 2: 1150}
    assert _months(vendors["bookbeat"], "ematerial_loans") == {0: 5230}  # the vendor reports the year only
    totals = service_year_totals(statistics_year=record.statistics_year)
    ellibs = vendors["ellibs"].pk
    assert totals[(ellibs, "ematerial_loans")] == 2354
    assert totals[(ellibs, "ematerial_titles")] == 5300
    assert totals[(ellibs, "ematerial_acquisition_euros")] == Decimal("12400.50")
    assert totals[(ellibs, "ematerial_acquisition_items")] == 310
    assert not Figure.objects.exists()  # no municipality figure is made up from a vendor's file


def test_a_vendor_files_bad_rows_are_named(vendors):
    bad = ("Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa\n"
           "Ellibs;13;10;;\n"  # no month 13
           "Ellibs;2023-05;10;;\n"  # another year
           "Ellibs;3;10;200;\n"  # titles on a month's row
           "Ellibs;4;-3;;\n"  # negative
           "Overdrive;4;3;;\n"  # no such service
           "Ellibs;;;;12,345\n"  # fractions of a cent
           "Ellibs;5;10;;\n"
           "Ellibs;;40;;\n")  # the year's loans beside its months
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.EMATERIAL, data=bad.encode())
    assert [error.row for error in parsed.errors] == [2, 3, 4, 5, 6, 7, 9]
    assert "give the loans per month or for the year, not both" in parsed.errors[-1].message


def test_a_vendor_file_as_an_excel_workbook(vendors, coordinator):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["Palvelu", "Kuukausi", "Lainat", "Nimekkeet", "Hankinnat euroa", "Hankinnat kpl"],
                ["Ellibs", 1, 1204, None, None, None],
                ["Ellibs", "2024-02", 1150.0, None, None, None],
                ["Ellibs", None, None, 5300, 12400.5, 310]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    record = _save(coordinator, buffer.getvalue(), kind=StatsImport.Kind.EMATERIAL)
    assert record.encoding == "xlsx"
    assert _months(vendors["ellibs"], "ematerial_loans") == {1: 1204, 2: 1150}
    totals = service_year_totals(statistics_year=record.statistics_year)
    assert totals[(vendors["ellibs"].pk, "ematerial_acquisition_euros")] == Decimal("12400.50")
    assert totals[(vendors["ellibs"].pk, "ematerial_titles")] == 5300


def test_text_in_a_vendor_files_count_cell_is_named(vendors):
    from django.utils import translation

    bad = ("Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl\n"
           "Ellibs;1;satoja;;;\n"       # row 2: text in the loans
           "Ellibs;;;5 300;100;n. 30\n")  # row 3: text in the items
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.EMATERIAL, data=bad.encode())
    assert [(error.row, error.column) for error in parsed.errors] == [(2, "Lainat"), (3, "Hankinnat kpl")]
    assert "“satoja” is not a number" in parsed.errors[0].message
    assert "“n. 30” is not a number" in parsed.errors[1].message
    assert not parsed.is_valid


def test_an_unknown_column_in_a_vendor_file_is_refused_by_name_unless_mapped(vendors, coordinator):
    """A vendor's "Kuuntelut" (listens) beside its loans was left out unseen; mapped (source
    vendor) it is the figure it is mapped to."""
    from django.utils import translation

    from stats.models import ColumnMapping

    text = "Palvelu;Kuukausi;Lainat;Kuuntelut\nBookBeat;1;100;250\n"
    with translation.override("en"), pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode(), kind=StatsImport.Kind.EMATERIAL)
    errors = refused.value.parsed.errors
    assert [(error.row, error.column) for error in errors] == [(1, "Kuuntelut")]
    assert "column mappings" in errors[0].message and "vendor" in errors[0].message
    assert not ServiceFigure.objects.exists()

    ColumnMapping.objects.create(source="vendor", column="Kuuntelut", metric=Metric.objects.get(code="ematerial_loans"))
    ColumnMapping.objects.create(source="matomo", column="Lainat ulkomaille",
                                 metric=Metric.objects.get(code="ematerial_loans"))
    _save(coordinator, "Palvelu;Kuukausi;Kuuntelut\nBookBeat;1;250\n".encode(), kind=StatsImport.Kind.EMATERIAL)
    assert _months(vendors["bookbeat"], "ematerial_loans") == {1: 250}  # an audiobook's listens are its loans
    # Another source's mapping is not the vendor file's.
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, "Palvelu;Lainat ulkomaille\nBookBeat;5\n".encode(), kind=StatsImport.Kind.EMATERIAL)
    assert [(error.row, error.column) for error in refused.value.parsed.errors][0] == (1, "Lainat ulkomaille")


def test_counter_uses_never_become_loans(vendors, coordinator):
    """E-book loans are the vendor's; a COUNTER report's Total_Item_Requests stay uses."""
    from stats.tests.test_counter import R5_COLUMNS, R5_HEADER, R5_ROWS, tabular

    services.counter_import_save(data=tabular(R5_HEADER, R5_COLUMNS, R5_ROWS), file_name="tr.tsv", by=coordinator)
    assert not ServiceFigure.objects.filter(metric__code="ematerial_loans").exists()


def test_titles_and_acquisitions_typed_in_replace_and_revert(client, vendors, coordinator):
    client.force_login(coordinator)
    url = reverse("stats:ematerial_year", args=[2024])
    _save(coordinator, VENDOR_CSV.encode(), kind=StatsImport.Kind.EMATERIAL)
    response = client.post(url, {"service": vendors["ellibs"].pk, "ematerial_titles": "5400",
                                 "ematerial_acquisition_euros": "13000,25", "ematerial_acquisition_items": ""})
    assert response.status_code == 302
    ellibs = vendors["ellibs"]
    assert _months(ellibs, "ematerial_titles") == {0: 5400}
    assert _months(ellibs, "ematerial_acquisition_euros") == {0: Decimal("13000.25")}
    assert _months(ellibs, "ematerial_acquisition_items") == {0: 310}  # left empty: the file's figure stays
    page = client.get(url).content.decode()
    assert "5\xa0400" in page and "13\xa0000,25" in page
    typed = StatsImport.objects.get(file_name="Syötetty käsin: Ellibs")
    assert typed.replaced == 2
    services.import_revert(stats_import=typed, by=coordinator)
    assert _months(ellibs, "ematerial_titles") == {0: 5300}


def test_typing_in_nothing_or_a_web_site_is_refused(client, vendors, sites, coordinator):
    client.force_login(coordinator)
    url = reverse("stats:ematerial_year", args=[2024])
    assert "Anna vähintään yksi luvuista." in client.post(url, {"service": vendors["ellibs"].pk}).content.decode()
    assert client.post(url, {"service": sites["finna"].pk, "ematerial_titles": "1"}).status_code == 200
    assert not ServiceFigure.objects.exists()


def test_the_ematerial_page_is_the_coordinators_and_keeps_its_queries(client, vendors, coordinator, director,
                                                                       django_assert_max_num_queries):
    client.force_login(director)
    assert client.get(reverse("stats:ematerial_year", args=[2024])).status_code == 403
    client.force_login(coordinator)
    _save(coordinator, VENDOR_CSV.encode(), kind=StatsImport.Kind.EMATERIAL)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("stats:ematerial_year", args=[2024]))
    for number in range(20):
        Service.objects.create(code=f"palvelu-{number}", name=f"Palvelu {number}", kind=Service.Kind.EMATERIAL)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("stats:ematerial_year", args=[2024]))


def test_the_previews_parts_per_municipality_are_grouped_as_the_other_figures(sites):
    """The web visits' preview wrote "Forssa 171330" beside the total "330 066": a part is
    grouped by thousands in the reader's language like every other figure on the page."""
    import re

    from django.utils import translation

    from stats.import_jobs import _splits

    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(ALL_SITES_BY_MONTH))
    with translation.override("fi"):
        parts = {split["metric"]: split["parts"] for split in _splits(parsed)}
    finna = parts["Finnan verkkokäynnit"]
    numbers = re.findall(r"\d[\d\xa0]*", finna)
    assert numbers and all(len(n) < 4 or "\xa0" in n for n in numbers), finna
    assert any("\xa0" in n for n in numbers), finna  # 61 000 split between two municipalities


def test_the_previews_visits_are_grouped_as_the_other_figures(sites):
    """The preview's rows wrote a site's month as "30001" beside grouped totals: a row's
    visits are grouped by thousands in the reader's language too."""
    from django.utils import translation

    from stats.import_jobs import preview_result

    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=matomo(ALL_SITES_BY_MONTH))
    with translation.override("fi"):
        values = [row[-1] for row in preview_result(parsed)["rows"]]
    assert values and all(value.replace("\xa0", "").isdigit() for value in values), values
    assert all(len(value) < 4 or "\xa0" in value for value in values), values
    assert any("\xa0" in value for value in values), values
