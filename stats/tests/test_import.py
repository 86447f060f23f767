"""Importing the files as Finnish Excel saves them: every bad row named, nothing saved
unless the whole file is good."""

import codecs
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from stats import services
from stats.csvimport import parse_count
from stats.models import (
    Figure,
    Metric,
    SharedServiceTotal,
    SplitMethod,
    StatisticsYear,
    StatsImport,
)
from stats.tests.conftest import POINTS_CSV, municipality_parts, point_figures, points_with_figures

pytestmark = pytest.mark.django_db


def _save(coordinator, data, kind=StatsImport.Kind.SERVICE_POINTS, year=2024, name="tilastot.csv"):
    return services.import_save(year=year, kind=kind, data=data, file_name=name, by=coordinator)


def _figures(point):
    return point_figures(point)


@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: text.encode("cp1252"),
    lambda text: text.encode("utf-8"),
], ids=["utf8-bom", "cp1252", "utf8"])
def test_a_good_file_is_imported_in_every_excel_encoding(points, coordinator, encode):
    record = _save(coordinator, encode(POINTS_CSV))

    assert record.rows == 3 and record.imported_by == coordinator and record.file_name == "tilastot.csv"
    # Found by Mikromarc id, by "quria:" id and by name; "1 204" and "2 010,00" read as whole numbers.
    assert _figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1310)
    assert _figures(points["tammela"]) == (2010, 2400, 45100, 91250, None)  # active customers not yet known
    assert _figures(points["bus"]) == (300, 410, 6000, 20100, 450)
    statistics_year = StatisticsYear.objects.get(year=2024)
    assert statistics_year.state == StatisticsYear.State.IMPORTED
    assert points_with_figures(source_import=record) == 3


def test_the_name_with_scandinavian_letters_is_found_in_cp1252(points, coordinator):
    text = "Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nHUMPPILAN PÄÄKIRJASTO;1;2;3;4;5\n"
    _save(coordinator, text.encode("cp1252"))
    assert _figures(points["humppila"]) == (1, 2, 3, 4, 5)


def test_a_second_import_overwrites_without_duplicates(points, coordinator):
    _save(coordinator, POINTS_CSV.encode())
    _save(coordinator, "Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
                       "kirkanta:85123;9;9;9;9;9\n".encode())
    assert points_with_figures() == 3
    assert _figures(points["humppila"]) == (9, 9, 9, 9, 9)
    assert StatsImport.objects.count() == 2


def test_bad_rows_are_all_named_and_nothing_is_saved(points, coordinator):
    _save(coordinator, POINTS_CSV.encode())  # earlier good figures must survive the refused file
    bad = (
        "Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
        "LOUNA-103-1;;1;2;3;4;5\n"                   # row 2: good
        "EI-OLE;;1;2;3;4;5\n"                         # row 3: unknown id
        ";Tammelan pääkirjasto;-5;2;3;4;5\n"          # row 4: negative removals
        ";Tammelan kirjastoauto;1;2,5;3;4;5\n"        # row 5: not a whole number
        "LOUNA-103-1;;1;2;3;;5\n"                     # row 6: duplicate point and missing loans
        ";;1;2;3;4;5\n"                               # row 7: neither id nor name
        ";Tammelan kirjastoauto;1;2;kolme;4;5\n"      # row 8: not a number, and the point again
    )
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, bad.encode(), name="huono.csv")
    errors = {(error.row, str(error.column)) for error in refused.value.parsed.errors}
    assert errors == {(3, "Id"), (4, "Removals"), (5, "Acquisitions"), (6, "Id"), (6, "Loans"), (7, "Id"),
                      (8, "Service point"), (8, "Collection")}  # row 8 named its point by name
    messages = {error.row: error.message for error in refused.value.parsed.errors}
    assert "EI-OLE" in messages[3]
    assert "negative" in messages[4]
    assert "row 5" in [e.message for e in refused.value.parsed.errors if e.row == 8 and e.column == "Service point"][0]
    # Nothing of the refused file was saved: the row-2 figures are still the first file's.
    assert _figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1310)
    assert StatsImport.objects.count() == 1


@pytest.mark.parametrize("text, message", [
    ("Tunniste,Poistot,Hankinnat\nx,1,2\n", "semicolons"),
    ("Tunniste;Palvelupiste\nLOUNA-103-1;Humppilan pääkirjasto\n", "no figure column"),
    ("Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n", "no figures"),
    ("", "empty"),
])
def test_a_file_of_the_wrong_shape_is_refused_whole(points, coordinator, text, message):
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode())
    assert message in " ".join(f"{e.column} {e.message}" for e in refused.value.parsed.errors)
    assert not Figure.objects.exists() and not StatsImport.objects.exists()


def test_an_id_in_two_systems_must_name_the_system(points, coordinator):
    from consortium.models import ServicePointExternalId

    ServicePointExternalId.objects.create(service_point=points["bus"], source="quria", value="85123")
    text = "Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n85123;1;1;1;1;1\n"
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode())
    assert "quria:85123" in refused.value.parsed.errors[0].message
    _save(coordinator, text.replace("85123", "kirkanta:85123").encode())
    assert _figures(points["humppila"]) == (1, 1, 1, 1, 1)


def test_a_service_point_outside_louna_is_refused(points, coordinator, tampere):
    from consortium.tests.factories import ServicePointFactory

    ServicePointFactory(library=tampere, name="Tampereen pääkirjasto")
    text = "Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nTampereen pääkirjasto;1;1;1;1;1\n"
    with pytest.raises(services.ImportRefused):
        _save(coordinator, text.encode())


def test_shared_services_are_split_by_population_or_taken_as_given(points, coordinator, humppila, tammela):
    text = ("Tieto;Yhteensä;103;834\n"
            "finna_visits;10 001;;\n"
            "Lounakirjailijat;500;100;400\n")
    _save(coordinator, codecs.BOM_UTF8 + text.encode(), kind=StatsImport.Kind.SHARED)
    finna = SharedServiceTotal.objects.get(metric="finna_visits")
    assert (finna.total, finna.split_method, finna.population_year) == (10001, SplitMethod.POPULATION, 2020)
    parts = municipality_parts("finna_visits")
    # 10 001 by 2 174 : 6 016 -> 2 654.6… and 7 346.3…: the unit left over goes to Humppila.
    assert parts == {humppila.municipality_id: 2655, tammela.municipality_id: 7346}
    given = SharedServiceTotal.objects.get(metric="lounakirjailijat_visits")
    assert given.split_method == SplitMethod.GIVEN
    assert municipality_parts("lounakirjailijat_visits") == {humppila.municipality_id: 100,
                                                                          tammela.municipality_id: 400}


def test_bad_shared_rows_are_refused(points, coordinator):
    text = ("Tieto;Yhteensä;103;834\n"
            "finna_visits;1000;600;300\n"        # row 2: parts add up to 900
            "tuntematon;5;;\n"                   # row 3: unknown figure
            "ematerial_uses;100;50;\n"           # row 4: only some parts
            "finna_visits;1;;\n")                # row 5: twice
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode(), kind=StatsImport.Kind.SHARED)
    assert sorted(e.row for e in refused.value.parsed.errors) == [2, 3, 4, 5]
    assert not SharedServiceTotal.objects.exists()


def test_shared_split_needs_populations(points, coordinator):
    from consortium.models import MunicipalityPopulation

    MunicipalityPopulation.objects.filter(municipality__code="834").delete()
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, b"Tieto;Yhteensa\nfinna_visits;100\n", kind=StatsImport.Kind.SHARED)
    assert "Tammela" in refused.value.parsed.errors[0].message


def test_a_reported_year_is_locked(points, coordinator):
    StatisticsYear.objects.create(year=2023, state=StatisticsYear.State.REPORTED)
    with pytest.raises(ValidationError, match="locked"):
        _save(coordinator, POINTS_CSV.encode(), year=2023)
    assert not Figure.objects.exists()


@pytest.mark.parametrize("text, value", [("1 234", 1234), ("1\u00a0234", 1234), ("12,00", 12), ("0", 0),
                                         (" 7 ", 7), ("", None), ("0042", 42), ("2000000000", 2_000_000_000)])
def test_counts_as_excel_writes_them(text, value):
    assert parse_count(text, required=False) == value


@pytest.mark.parametrize("text", ["-1", "1,5", "1.234", "abc", "1e3", "²", "\uff11\uff12", "\u0661",
                                  "2000000001", "2 000 000 001"])
def test_counts_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_count(text)


def test_a_municipality_code_whose_leading_zero_excel_dropped_is_still_found(points, coordinator, humppila,
                                                                            tammela):
    """Excel reads the template's header 061 (Forssa) as the number 61 and saves it so."""
    from consortium.tests.factories import LounaLibraryFactory, MunicipalityFactory

    forssa = MunicipalityFactory(code="061", name_fi="Forssa", name_sv="Forssa")
    LounaLibraryFactory(municipality=forssa, name="Forssan kaupunginkirjasto")
    text = ("Tieto;Yhteensä;61;103;834\n"
            "Lounakirjailijat;600;100;100;400\n")
    _save(coordinator, codecs.BOM_UTF8 + text.encode(), kind=StatsImport.Kind.SHARED)
    given = SharedServiceTotal.objects.get(metric="lounakirjailijat_visits")
    assert municipality_parts("lounakirjailijat_visits") == {
        forssa.pk: 100, humppila.municipality_id: 100, tammela.municipality_id: 400}


# ---------------------------------------------------------------- drafts, hashes, replacing, reverting


def test_the_same_file_twice_is_recognised_by_its_hash(points, coordinator):
    _save(coordinator, POINTS_CSV.encode())
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, POINTS_CSV.encode(), name="again.csv")
    assert "already imported" in refused.value.parsed.errors[0].message
    assert StatsImport.objects.count() == 1


def test_replacing_shows_the_changes_and_reverting_brings_the_old_figures_back(points, coordinator):
    first = _save(coordinator, POINTS_CSV.encode())
    newer = "Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nkirkanta:85123;9;1530;9;9;9\n".encode()
    preview = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=newer)
    changed = {(change["metric"], change["old"], change["new"]) for change in preview.changes}
    assert ("Loans (incl. renewals)", 58400, 9) in changed and len(changed) == 4  # acquisitions unchanged
    second = _save(coordinator, newer)
    assert _figures(points["humppila"]) == (9, 1530, 9, 9, 9) and second.replaced == 5

    with pytest.raises(ValidationError, match="revert the later import first"):
        services.import_revert(stats_import=first, by=coordinator)
    services.import_revert(stats_import=second, by=coordinator)
    assert _figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1310)
    services.import_revert(stats_import=first, by=coordinator)
    assert not Figure.objects.exists()
    # A reverted file may be imported again.
    _save(coordinator, POINTS_CSV.encode())
    assert points_with_figures() == 3


def test_a_stale_confirm_never_imports_another_file(points, coordinator):
    parsed_a, draft_a = services.import_draft_create(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                                     file_name="a.csv", by=coordinator)
    assert parsed_a.is_valid and draft_a.sha256 == services.file_hash(POINTS_CSV.encode())
    services.import_drafts_drop(year=2024, by=coordinator)  # file B refused in another tab
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.import_draft_confirm(year=2024, draft_id=draft_a.pk, sha256=draft_a.sha256, by=coordinator)
    assert not Figure.objects.exists()
    _parsed, draft = services.import_draft_create(year=2024, kind="service_points", data=POINTS_CSV.encode(),
                                                  file_name="a.csv", by=coordinator)
    with pytest.raises(ValidationError):  # the hash shown must match the draft's
        services.import_draft_confirm(year=2024, draft_id=draft.pk, sha256="0" * 64, by=coordinator)
    services.import_draft_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)
    assert points_with_figures() == 3


def test_a_cell_over_the_csv_field_limit_is_a_clear_error(points, coordinator):
    data = ("Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
            "LOUNA-103-1;1;2;3;4;5\n" + '"' + "x" * 140_000 + '";1;2;3;4;5\n').encode()
    parsed = services.import_prepare(year=2024, kind="service_points", data=data)
    assert not parsed.is_valid and "131 072" in parsed.errors[0].message


def test_import_figures_command_dry_run_saves_nothing_then_imports(points, coordinator, tmp_path):
    import json

    from django.core.management import call_command

    good = tmp_path / "pisteet.csv"
    good.write_bytes(POINTS_CSV.encode("cp1252"))
    bad = tmp_path / "huono.csv"
    bad.write_bytes(b"Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nEI-OLE;1;-2;3;4;5\n")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_figures", str(good), str(bad), year=2024, dry_run=True, stdout=out)
    result = json.loads(out.getvalue().splitlines()[-1])
    assert result["files"][0] == {"file": str(good), "rows": 3, "changes": 0}
    assert {row for row, _column, _message in result["files"][1]["errors"]} == {2}
    assert len(result["files"][1]["errors"]) == 2  # the unknown id and the negative count
    assert not Figure.objects.exists() and not StatsImport.objects.exists()

    out = io.StringIO()
    call_command("import_figures", str(good), year=2024, by=coordinator.email, stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1])["files"][0]["rows"] == 3
    assert StatsImport.objects.get().imported_by == coordinator and points_with_figures() == 3


def test_a_new_column_is_a_mapping_row_not_code(points, coordinator):
    from consortium.models import ServicePointExternalId
    from stats.models import ColumnMapping, Metric

    events = Metric.objects.create(code="events", name_fi="Tapahtumat", name_sv="Evenemang", name_en="Events",
                                   unit=Metric.Unit.ITEMS, level=Metric.Level.SERVICE_POINT)
    ColumnMapping.objects.create(source="quria", column="Tapahtumia yhteensä", metric=events)
    # A Quria export: its ids are Quria's (the mapping is Quria's, so it applies).
    ServicePointExternalId.objects.create(service_point=points["humppila"], source="quria", value="Q-103")
    text = ("Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat;Tapahtumia yhteensä\n"
            "Q-103;1;2;3;4;5;17\n"
            "quria:Q-834;1;2;3;4;5;x\n")
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode())
    assert [(e.row, e.column) for e in refused.value.parsed.errors] == [(3, "Events")]  # named in the reader's language
    _save(coordinator, text.replace(";x\n", ";\n").encode())
    assert Figure.objects.get(metric=events, service_point=points["humppila"]).value == 17
    assert not Figure.objects.filter(metric=events, service_point=points["tammela"]).exists()  # empty: no figure


def test_a_national_export_names_every_bad_row_even_when_a_point_repeats(points, coordinator):
    """A row per service point and month: an unknown id is named on each of its rows, a point's
    month given twice on the second, and bad cells where they are, among good rows."""
    export = ("Tunniste;Kuukausi;Poistot;Hankinnat;Lainaus\r\n"
              "LOUNA-103-1;2024-01;1;2;3\r\n"
              "EI-OLE;2024-01;1;2;3\r\n"            # row 3: unknown id
              "EI-OLE;2024-02;1;2;3\r\n"            # row 4: the same unknown id again
              "LOUNA-103-1;2024-01;1;2;3\r\n"       # row 5: the month again
              "LOUNA-103-1;2024-02;1;2;3000000000\r\n"  # row 6: too large
              "LOUNA-103-1;2024-03;1;²;4\r\n"       # row 7: not a number
              "Q-834;3;5;6;7 000\r\n")              # row 8: good
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, export.encode())
    errors = [(error.row, str(error.column)) for error in refused.value.parsed.errors]
    assert errors == [(3, "Id"), (4, "Id"), (5, "Id"), (6, "Loans"), (7, "Acquisitions")]
    assert all("EI-OLE" in error.message for error in refused.value.parsed.errors[:2])
    assert "row 2" in refused.value.parsed.errors[2].message
    assert not Figure.objects.exists() and not StatsImport.objects.exists()


def test_saving_finds_what_it_replaces_without_the_preview_list(points, coordinator):
    """The save leaves out the preview's list of changes, but still replaces (and a revert
    restores) exactly the figures the file gives again, month by month."""
    first = _save(coordinator, ("Tunniste;Kuukausi;Lainaus;Poistot\r\n"
                                "LOUNA-103-1;1;100;1\r\nLOUNA-103-1;2;200;2\r\nQ-834;1;300;3\r\n").encode())
    second = _save(coordinator, ("Tunniste;Kuukausi;Lainaus\r\n"
                                 "LOUNA-103-1;2;250\r\nQ-834;2;50\r\n").encode())
    assert second.replaced == 1  # Humppila's February loans; Tammela's February is new
    in_force = set(Figure.objects.filter(replaced_by__isnull=True, metric__code="loans")
                   .values_list("service_point_id", "month", "value", "source_import_id"))
    humppila, tammela = points["humppila"].pk, points["tammela"].pk
    assert in_force == {(humppila, 1, 100, first.pk), (humppila, 2, 250, second.pk), (tammela, 1, 300, first.pk),
                        (tammela, 2, 50, second.pk)}
    services.import_revert(stats_import=second, by=coordinator)
    assert set(Figure.objects.filter(replaced_by__isnull=True, metric__code="loans")
               .values_list("service_point_id", "month", "value")) == {(humppila, 1, 100), (humppila, 2, 200),
                                                                      (tammela, 1, 300)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer is PostgreSQL's")
def test_figures_written_with_copy_are_the_rows_the_orm_writes(points, coordinator):
    """figures_save writes its own COPY lines on PostgreSQL: they store exactly the rows
    Django's bulk_create stores for the same figures (month, municipality, service point or
    none, value, import or none, demo flag)."""
    humppila, tammela = points["humppila"], points["tammela"]
    by_month = {
        0: {(humppila.pk, humppila.library.municipality_id, "collection"): 31200,
            (None, tammela.library.municipality_id, "finna_visits"): 0},
        3: {(humppila.pk, humppila.library.municipality_id, "loans"): 4800,
            (tammela.pk, tammela.library.municipality_id, "loans"): 2_000_000_000},
        12: {(tammela.pk, tammela.library.municipality_id, "removals"): 7},
    }
    year_copy, year_orm = (services.statistics_year_open(year=year) for year in (2023, 2024))
    record = StatsImport.objects.create(statistics_year=year_copy, kind=StatsImport.Kind.SERVICE_POINTS,
                                        file_name="a.csv", rows=5)
    services.figures_save(statistics_year=year_copy, by_month=by_month, record=record)
    services.figures_save(statistics_year=year_copy, by_month={6: {(tammela.pk, tammela.library.municipality_id,
                                                                    "loans"): 5}}, is_demo=True)
    metrics = dict(Metric.objects.values_list("code", "pk"))
    Figure.objects.bulk_create(
        [Figure(statistics_year=year_orm, metric_id=metrics[code], month=month, municipality_id=municipality,
                service_point_id=point, value=value, source_import=record, is_demo=False)
         for month, figures in by_month.items() for (point, municipality, code), value in figures.items()]
        + [Figure(statistics_year=year_orm, metric_id=metrics["loans"], month=6,
                  municipality_id=tammela.library.municipality_id, service_point_id=tammela.pk, value=5,
                  source_import=None, is_demo=True)])

    def stored(statistics_year):
        return sorted(Figure.objects.filter(statistics_year=statistics_year).values_list(
            "metric__code", "month", "municipality_id", "service_point_id", "value", "source_import_id", "is_demo",
            "replaced_by_id"))

    assert stored(year_copy) == stored(year_orm)
    assert len(stored(year_copy)) == 6
    assert ("finna_visits", 0, tammela.library.municipality_id, None, 0, record.pk, False, None) in stored(year_copy)
    assert ("loans", 6, tammela.library.municipality_id, tammela.pk, 5, None, True, None) in stored(year_copy)


def test_the_preview_names_each_changed_figure_by_point_and_month_or_by_municipality(points, coordinator, humppila,
                                                                                     tammela):
    _save(coordinator, "Tunniste;Kuukausi;Lainaus\r\nLOUNA-103-1;2;200\r\nQ-834;2;300\r\n".encode())
    preview = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                      data="Tunniste;Kuukausi;Lainaus\r\nLOUNA-103-1;2;250\r\nQ-834;2;300\r\n".encode())
    assert preview.changes == [{"where": "Humppilan pääkirjasto 2/2024", "metric": "Loans (incl. renewals)",
                                "old": 200, "new": 250}]  # Tammela's February is unchanged

    _save(coordinator, "Tieto;Yhteensä;103;834\nLounakirjailijat;500;100;400\n".encode(), kind=StatsImport.Kind.SHARED)
    preview = services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED,
                                      data="Tieto;Yhteensä;103;834\nLounakirjailijat;500;150;350\n".encode())
    assert [(change["where"], change["old"], change["new"]) for change in preview.changes] == [
        (humppila.municipality.name_fi, 100, 150), (tammela.municipality.name_fi, 400, 350)]


def test_a_year_figure_and_a_months_figures_of_one_point_and_metric_replace_each_other(points, coordinator):
    """The Louna yearly file first (loans 58 400 as the year's figure), then a national export
    by month: the months replace the year's figure instead of being added to it (the page
    showed 58 400 + the months); the preview says so. A yearly file again replaces the
    months; reverting it brings the months back, and reverting those the year figure."""
    from stats.models import Figure

    def loans_in_force():
        return sum(Figure.objects.filter(service_point=points["humppila"], metric__code="loans",
                                         replaced_by__isnull=True).values_list("value", flat=True))

    yearly = _save(coordinator, POINTS_CSV.encode())
    monthly = "Tunniste;Kuukausi;Lainaus\r\n" + "".join(f"LOUNA-103-1;{m};100\r\n" for m in range(1, 13))
    preview = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=monthly.encode())
    assert {"where": "Humppilan pääkirjasto", "metric": "Loans (incl. renewals)", "old": 58400,
            "new": 1200} in preview.changes
    by_month = _save(coordinator, monthly.encode(), name="kuukaudet.csv")
    assert loans_in_force() == 1200
    assert _figures(points["humppila"])[2] == 31200  # the collection, which the monthly file does not give, stays

    yearly_again = POINTS_CSV.replace("58 400", "58 401").encode()
    preview = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=yearly_again)
    assert [change for change in preview.changes if change["where"].startswith("Humppila")] == [
        {"where": "Humppilan pääkirjasto", "metric": "Loans (incl. renewals)", "old": 1200, "new": 58401}]
    again = _save(coordinator, yearly_again, name="vuosi2.csv")
    assert loans_in_force() == 58401
    services.import_revert(stats_import=again, by=coordinator)
    assert loans_in_force() == 1200
    services.import_revert(stats_import=by_month, by=coordinator)
    assert loans_in_force() == 58400 and yearly.pk


def test_a_point_named_twice_is_refused_in_the_column_that_named_it(points):
    """Seen on the demo: a file naming its points by name ("Palvelupiste", the id column
    empty) refused the second row of a point under "Tunniste"."""
    data = ("Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
            ";Humppilan pääkirjasto;1;1;1;1;1\n"
            ";Humppilan pääkirjasto;1;1;1;1;1\n"
            "LOUNA-103-1;;1;1;1;1;1\n").encode()
    from django.utils import translation

    with translation.override("fi"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=data)
    assert [(error.row, error.column) for error in parsed.errors] == [(3, "Palvelupiste"), (4, "Tunniste")]


# ---------------------------------------------------------------- columns: mappings by source, unknown ones refused


def _header_errors(parsed):
    return [(error.row, str(error.column)) for error in parsed.errors]


def test_an_unknown_column_is_refused_by_name_and_the_template_columns_are_accepted(points, coordinator):
    """A column the import does not know was left out unseen: "Lainat ulkomaille" beside the
    loans would have given a clean preview without its figures."""
    from django.utils import translation

    text = ("Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Lainat ulkomaille;Aktiiviset asiakkaat\n"
            "LOUNA-103-1;Humppilan pääkirjasto;1;2;3;4;99;5\n")
    with translation.override("en"), pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode())
    parsed = refused.value.parsed
    assert _header_errors(parsed) == [(1, "Lainat ulkomaille")]
    assert "column mappings" in parsed.errors[0].message and "remove the column" in parsed.errors[0].message
    assert "mikromarc" in parsed.errors[0].message  # the file's ids are Mikromarc's: whose mappings to add
    assert not Figure.objects.exists() and not StatsImport.objects.exists()

    # The same known column twice is refused too (which of the two would count?).
    twice = "Tunniste;Lainaus;Lainaukset\nLOUNA-103-1;4;5\n"
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=twice.encode())
    assert _header_errors(parsed) == [(1, "Lainaukset")] and "already gives" in parsed.errors[0].message

    # The portal's own template (id, the point's name, the five figures, Excel's empty
    # trailing columns) and a national export by month stay accepted.
    template = services_template(points, coordinator)
    filled = template.replace(";;;;;\r\n", ";1;2;3;4;5;;\r\n").replace(
        "Aktiiviset asiakkaat\r\n", "Aktiiviset asiakkaat;;\r\n")
    assert _save(coordinator, filled.encode(), name="pohja.csv").rows == 3
    assert _save(coordinator, "Tunniste;Kuukausi;Lainaus\nLOUNA-103-1;1;10\n".encode()).rows == 1


def services_template(points, coordinator) -> str:
    """The service-point template the import page hands out, as text."""
    from stats import exports
    from stats.services import import_municipality_ids

    statistics_year = services.statistics_year_open(year=2024)
    data = exports.import_template(statistics_year=statistics_year, kind=StatsImport.Kind.SERVICE_POINTS,
                                   municipality_ids=import_municipality_ids(coordinator))
    return data.decode("utf-8-sig")


def test_a_mapping_applies_to_its_own_library_systems_files_only(points, coordinator):
    """A Quria mapping names a Quria export's column: in a Mikromarc export (its ids
    Mikromarc's) the same column is unknown, in a Quria one (ids Quria's, written quria:…, or
    the id column named "Quria id") it is the metric."""
    from django.utils import translation

    from consortium.models import ServicePointExternalId
    from stats.models import ColumnMapping

    ColumnMapping.objects.create(source="quria", column="Lainat yhteensä", metric=Metric.objects.get(code="loans"))
    ServicePointExternalId.objects.create(service_point=points["humppila"], source="quria", value="Q-103")
    mikromarc = "Tunniste;Lainat yhteensä\nLOUNA-103-1;40\n"
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=mikromarc.encode())
    assert _header_errors(parsed)[-1] == (1, "Lainat yhteensä") and "mikromarc" in parsed.errors[-1].message
    assert not parsed.rows

    _save(coordinator, "Tunniste;Lainat yhteensä\nQ-103;40\nquria:Q-834;50\n".encode())
    assert _figures(points["humppila"])[3] == 40 and _figures(points["tammela"])[3] == 50
    _save(coordinator, "Quria id;Lainat yhteensä\nQ-103;41\n".encode())
    assert _figures(points["humppila"])[3] == 41
    # Ids of two systems in one file: no system's mappings apply.
    mixed = "Tunniste;Lainat yhteensä\nLOUNA-103-1;40\nquria:Q-834;50\n"
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=mixed.encode())
    assert _header_errors(parsed)[-1] == (1, "Lainat yhteensä") and "library system" in parsed.errors[-1].message


def test_active_customers_come_in_a_file_of_their_own(points, coordinator):
    """The vendor's support sends the active customers later: a file of the id and that one
    column gives them, and the figures in force for the other metrics stay."""
    _save(coordinator, POINTS_CSV.encode())
    record = _save(coordinator, "Tunniste;Aktiiviset asiakkaat\r\nquria:Q-834;2 150\r\nLOUNA-103-1;1 400\r\n".encode(),
                   name="aktiiviset.csv")
    assert _figures(points["tammela"]) == (2010, 2400, 45100, 91250, 2150)
    assert _figures(points["humppila"]) == (1204, 1530, 31200, 58400, 1400)
    assert record.replaced == 1  # Humppila's earlier active customers; Tammela had none
    assert Figure.objects.filter(source_import=record).count() == 2


def test_a_service_point_file_without_any_figure_column_is_refused(points, coordinator):
    from django.utils import translation

    with translation.override("en"), pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, "Tunniste;Palvelupiste\r\nLOUNA-103-1;Humppilan pääkirjasto\r\n".encode())
    assert _header_errors(refused.value.parsed) == [(1, "")]
    assert "no figure column" in refused.value.parsed.errors[0].message
    assert not Figure.objects.exists() and not StatsImport.objects.exists()


# ---------------------------------------------------------------- the shared-services file: its other forms and refusals


def test_an_unknown_column_in_the_shared_services_file_is_refused_by_name(points, coordinator):
    from django.utils import translation

    text = "Tieto;Yhteensä;103;834;Huomautus\nfinna_visits;100;40;60;tarkistettu\n"
    with translation.override("en"), pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode(), kind=StatsImport.Kind.SHARED)
    assert _header_errors(refused.value.parsed) == [(1, "Huomautus")]
    assert "neither a known one nor a Louna municipality" in refused.value.parsed.errors[0].message
    assert not SharedServiceTotal.objects.exists() and not StatsImport.objects.exists()


def test_the_shared_services_file_as_an_excel_workbook(points, coordinator, humppila, tammela):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Tieto", "Yhteensä", "103", 834])  # Excel may keep a code as a number
    workbook.active.append(["Lounakirjailijat", 500, 100, 400])
    workbook.active.append(["finna_visits", 10001.0, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    record = _save(coordinator, buffer.getvalue(), kind=StatsImport.Kind.SHARED, name="yhteiset.xlsx")
    assert record.encoding == "xlsx"
    assert municipality_parts("lounakirjailijat_visits") == {humppila.municipality_id: 100,
                                                              tammela.municipality_id: 400}
    assert SharedServiceTotal.objects.get(metric="finna_visits").total == 10001


def test_the_shared_services_file_in_windows_1252(points, coordinator, humppila, tammela):
    text = "Tieto;Yhteensä;Humppila;Tammela\r\nLounakirjailijat verkkokäynnit;500;100;400\r\n"
    record = _save(coordinator, text.encode("cp1252"), kind=StatsImport.Kind.SHARED)
    assert record.encoding.lower() in ("cp1252", "windows-1252")
    assert municipality_parts("lounakirjailijat_visits") == {humppila.municipality_id: 100,
                                                              tammela.municipality_id: 400}


def test_negative_and_text_counts_in_the_shared_services_file_are_named(points, coordinator):
    from django.utils import translation

    text = ("Tieto;Yhteensä;103;834\n"
            "finna_visits;-100;;\n"                # row 2: a negative total
            "Lounakirjailijat;500;paljon;400\n"    # row 3: text in a municipality's part
            "ematerial_uses;;-5;5\n"               # row 4: a negative part
            "ematerial_count;kaksi;;\n")           # row 5: text in the total
    with translation.override("en"), pytest.raises(services.ImportRefused) as refused:
        _save(coordinator, text.encode(), kind=StatsImport.Kind.SHARED)
    errors = refused.value.parsed.errors
    assert _header_errors(refused.value.parsed) == [(2, "Total"), (3, "Humppila"), (4, "Humppila"), (5, "Total")]
    assert "negative" in errors[0].message and "negative" in errors[2].message
    assert "“paljon” is not a number" in errors[1].message and "“kaksi” is not a number" in errors[3].message
    assert not SharedServiceTotal.objects.exists() and not Figure.objects.exists()


def test_a_mapping_may_name_a_systems_id_column(points, coordinator):
    """A Quria export whose id column is "Toimipisteen nro": mapped as Quria's id column, its
    values are looked up among Quria's ids only (85123 is a Kirkanta id too) and the file is
    a Quria one, so Quria's metric mappings apply to it."""
    from django.utils import translation

    from consortium.models import ServicePointExternalId
    from stats.models import ColumnMapping

    ServicePointExternalId.objects.create(service_point=points["bus"], source="quria", value="85123")
    ColumnMapping.objects.create(source="quria", column="Toimipisteen nro", target=ColumnMapping.Target.SERVICE_POINT_ID)
    ColumnMapping.objects.create(source="quria", column="Lainat yhteensä", metric=Metric.objects.get(code="loans"))
    _save(coordinator, "Toimipisteen nro;Lainat yhteensä\r\n85123;70\r\nQ-834;80\r\n".encode())
    assert _figures(points["bus"])[3] == 70 and _figures(points["tammela"])[3] == 80
    assert _figures(points["humppila"])[3] is None  # Kirkanta's 85123 is not a Quria id

    # Beside it "Tunniste" is a second id column; a Mikromarc id is not Quria's.
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                         data="Tunniste;Toimipisteen nro;Lainaus\r\nx;85123;1\r\n".encode())
        assert _header_errors(parsed) == [(1, "Tunniste")] and "already gives" in parsed.errors[0].message
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                         data="Toimipisteen nro;Lainaus\r\nLOUNA-103-1;1\r\n".encode())
        assert _header_errors(parsed) == [(2, "Toimipisteen nro")] and "LOUNA-103-1" in parsed.errors[0].message


def test_a_refusal_in_a_mapped_or_system_column_names_the_files_own_column_and_system(points, coordinator):
    """A Quria export with its id column mapped as "Toimipisteen nro" and loans as "Lainat
    yhteensä": a Mikromarc id in the id column is refused naming that column (not "Id", which
    the file has no column of) and Quria, the one system searched (not "Kirkanta, Mikromarc
    or Quria"), which the message had wrong (LOUNA-103-1 is a Mikromarc id). The same for the
    built-in "Quria id" column. A bad loans cell stays named by the metric in the reader's
    language (test_a_new_column_is_a_mapping_row_not_code). Nothing is saved."""
    from django.utils import translation

    from stats.models import ColumnMapping, Figure

    ColumnMapping.objects.create(source="quria", column="Toimipisteen nro", target=ColumnMapping.Target.SERVICE_POINT_ID)
    ColumnMapping.objects.create(source="quria", column="Lainat yhteensä", metric=Metric.objects.get(code="loans"))
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                         data="Toimipisteen nro;Lainat yhteensä\r\nLOUNA-103-1;1\r\nQ-834;paljon\r\n".encode())
        assert _header_errors(parsed) == [(2, "Toimipisteen nro"), (3, "Loans")]
        assert "in Quria" in parsed.errors[0].message and "Mikromarc" not in parsed.errors[0].message
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                         data="Quria id;Lainaus\r\nLOUNA-103-1;1\r\n".encode())
        assert _header_errors(parsed) == [(2, "Quria id")] and "in Quria" in parsed.errors[0].message
        # A "Tunniste" column holds any system's ids: named as before.
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                         data="Tunniste;Lainaus\r\nEI-OLE;1\r\n".encode())
        assert _header_errors(parsed) == [(2, "Id")] and "Kirkanta, Mikromarc or Quria" in parsed.errors[0].message
    assert not Figure.objects.exists()


def test_an_id_column_mapping_names_a_system_and_no_metric(db):
    from stats.models import ColumnMapping

    loans = Metric.objects.get(code="loans")
    for mapping, field in ((ColumnMapping(source="vendor", column="Nro", target="service_point_id"), "source"),
                           (ColumnMapping(source="quria", column="Nro", target="service_point_id", metric=loans),
                            "metric"),
                           (ColumnMapping(source="quria", column="Nro"), "metric")):
        with pytest.raises(ValidationError) as error:
            mapping.full_clean()
        assert field in error.value.message_dict
    ColumnMapping(source="quria", column="Nro", target="service_point_id").full_clean()


def test_a_mapping_of_a_source_no_import_reads_is_refused_by_its_source(db):
    """A mapping is applied by its source (a library system's export, vendor or matomo): one
    of any other source would be kept and never used, as the old hint's "activecustomers"."""
    from stats.models import ColumnMapping

    loans = Metric.objects.get(code="loans")
    with pytest.raises(ValidationError) as error:
        ColumnMapping(source="activecustomers", column="Aktiiviset", metric=loans).full_clean()
    assert list(error.value.message_dict) == ["source"]
    for source in ("mikromarc", "Quria", "vendor", "matomo"):
        ColumnMapping(source=source, column="Lainat yhteensä", metric=loans).full_clean()
    # Saved as the imports look it up: an admin's "Vendor " is the vendors' mapping.
    mapping = ColumnMapping(source="Vendor ", column="Kuuntelut", metric=loans)
    mapping.full_clean()
    assert mapping.source == "vendor"
