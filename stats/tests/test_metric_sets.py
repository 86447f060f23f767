"""Metrics as data, versioned per year (MetricVersion): a new year copies the latest earlier
year's set, changing one year's set leaves the others alone, an import takes only the
metrics of its year's set, and a year's figures and report keep the set they were reported
under when a later year's set changes."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from consortium.tests.factories import UserFactory
from stats import annual_services, exports, selectors, services
from stats.models import (
    AnnualReport,
    ColumnMapping,
    Figure,
    Metric,
    MetricVersion,
    Service,
    ServiceFigure,
    SharedServiceTotal,
    StatisticsYear,
    StatsImport,
)
from stats.tests.conftest import POINTS_CSV, municipality_parts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

WITH_EVENTS = ("Tunniste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat;Tapahtumia yhteensä\r\n"
               "LOUNA-103-1;1;2;3;4;5;17\r\n")


def _set(year: int) -> list[tuple[str, str, int]]:
    """The year's set as (code, OKM variable, position), in its order."""
    return list(MetricVersion.objects.filter(year=year).order_by("position", "metric__code")
                .values_list("metric__code", "okm_variable", "position"))


def _events() -> Metric:
    """A service-point metric created after the years were opened, with its column in the Mikromarc export (the file ids are Mikromarc's)."""
    events = Metric.objects.create(code="events", name_fi="Tapahtumat", name_sv="Evenemang", name_en="Events",
                                   unit=Metric.Unit.ITEMS, level=Metric.Level.SERVICE_POINT)
    ColumnMapping.objects.create(source="mikromarc", column="Tapahtumia yhteensä", metric=events)
    return events


# ---------------------------------------------------------------- the versioning itself


def test_the_first_year_gets_every_metric_and_a_new_year_copies_the_latest_earlier_set(db):
    services.statistics_year_open(year=2021)
    first = _set(2021)
    codes = {code for code, _okm, _position in first}
    assert {"removals", "loans", "active_customers", "finna_visits", "ematerial_uses"} <= codes
    assert not codes & set(Metric.objects.filter(level=Metric.Level.SERVICE).values_list("code", flat=True))
    assert ("loans", "Kokonaislainaus") in {(code, okm) for code, okm, _p in first}
    # 2022's set changes: OKM drops active customers, renames the loans variable, reorders.
    services.statistics_year_open(year=2022)
    MetricVersion.objects.filter(year=2022, metric__code="active_customers").delete()
    MetricVersion.objects.filter(year=2022, metric__code="loans").update(okm_variable="Lainaus yhteensä", position=0)
    MetricVersion.objects.filter(year=2022, metric__code="removals").update(position=99)
    changed = _set(2022)

    services.statistics_year_open(year=2024)  # 2023 was never opened: 2022 is the latest earlier set

    assert _set(2024) == changed
    assert "active_customers" not in {code for code, _okm, _p in _set(2024)}
    assert _set(2024)[0][:2] == ("loans", "Lainaus yhteensä")
    assert _set(2021) == first  # the copy took nothing from the first year
    # Opening a year again keeps its set as it is now.
    MetricVersion.objects.filter(year=2024, metric__code="collection").delete()
    services.statistics_year_open(year=2024)
    assert "collection" not in {code for code, _okm, _p in _set(2024)}


def test_changing_one_years_set_leaves_the_other_years_alone(db):
    for year in (2022, 2023, 2024):
        services.statistics_year_open(year=year)
    before = {year: _set(year) for year in (2022, 2024)}
    events = _events()

    MetricVersion.objects.create(year=2023, metric=events, okm_variable="Tapahtumat", position=50)
    MetricVersion.objects.filter(year=2023, metric__code="removals").delete()
    MetricVersion.objects.filter(year=2023, metric__code="loans").update(okm_variable="Lainaus yhteensä")

    assert {year: _set(year) for year in (2022, 2024)} == before
    assert [metric.code for metric in selectors.year_metrics(year=2024)] == [code for code, _o, _p in before[2024]]
    assert "events" in [metric.code for metric in selectors.year_metrics(year=2023)]
    assert "removals" not in [metric.code for metric in selectors.year_metrics(year=2023)]


# ---------------------------------------------------------------- an import takes its year's set only


def test_a_column_whose_metric_is_not_in_the_years_set_is_refused_in_the_preview(client, points, coordinator):
    services.statistics_year_open(year=2024)
    _events()  # created after 2024 was opened: not in 2024's set
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_EVENTS.encode())
    assert [(error.row, error.column) for error in parsed.errors] == [(1, "Tapahtumia yhteensä")]
    message = parsed.errors[0].message
    assert "Events is not among the metrics of 2024" in message and "Metrics of a year" in message
    with pytest.raises(services.ImportRefused):
        services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_EVENTS.encode(),
                             file_name="tapahtumat.csv", by=coordinator)
    assert not Figure.objects.exists() and not StatsImport.objects.exists()
    # On the web preview the row and the column are named, and nothing can be confirmed.
    client.force_login(coordinator)
    preview = client.post(reverse("stats:import", args=[2024]), {
        "kind": "service_points", "file": SimpleUploadedFile("tapahtumat.csv", codecs.BOM_UTF8 + WITH_EVENTS.encode())})
    assert preview.context["draft"] is None
    assert [(error.row, error.column) for error in preview.context["parsed"].errors] == [(1, "Tapahtumia yhteensä")]
    page = preview.content.decode()
    assert "Tapahtumia yhteensä" in page and "2024" in page
    assert not Figure.objects.exists()


def test_once_the_metric_is_added_to_the_years_set_in_the_admin_the_column_is_imported_and_reported(
        client, points, coordinator, humppila):
    services.statistics_year_open(year=2024)
    events = _events()
    admin = UserFactory(is_staff=True, is_superuser=True, language="en")
    client.force_login(admin)
    response = client.post(reverse("admin:stats_metricversion_add"), {
        "year": 2024, "metric": events.pk, "okm_variable": "Tapahtumat", "position": 20})
    assert response.status_code == 302

    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_EVENTS.encode(),
                         file_name="tapahtumat.csv", by=coordinator)
    annual_services.annual_reports_create(year=2024, notify=False)
    report = AnnualReport.objects.get(statistics_year__year=2024, municipality=humppila.municipality)
    assert report.figures["events"] == 17
    assert ("events", "Tapahtumat") in {(entry["code"], entry["okm_variable"]) for entry in report.details["metrics"]}


def test_a_base_column_outside_the_years_set_is_refused_and_no_longer_required(points, coordinator):
    """OKM dropped active customers from 2024's set: the column is refused by name, and a
    file without it is whole."""
    services.statistics_year_open(year=2024)
    MetricVersion.objects.filter(year=2024, metric__code="active_customers").delete()
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode())
    assert [(error.row, error.column) for error in parsed.errors] == [(1, "Aktiiviset asiakkaat")]
    without = "\r\n".join(line.rsplit(";", 1)[0] for line in POINTS_CSV.split("\r\n") if line) + "\r\n"
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=without.encode(),
                         file_name="ilman.csv", by=coordinator)
    assert not Figure.objects.filter(metric__code="active_customers").exists()
    assert Figure.objects.filter(metric__code="loans").count() == 3
    # The year's template leaves the column out too.
    template = exports.import_template(statistics_year=StatisticsYear.objects.get(year=2024),
                                       kind=StatsImport.Kind.SERVICE_POINTS,
                                       municipality_ids={p.library.municipality_id for p in points.values()})
    assert template.decode("utf-8-sig").splitlines()[0] == "Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus"


def test_a_shared_figure_outside_the_years_set_is_refused_naming_its_row(points, coordinator):
    services.statistics_year_open(year=2024)
    MetricVersion.objects.filter(year=2024, metric__code="ematerial_acquisitions").delete()
    text = "Tieto;Yhteensä\nfinna_visits;100\nematerial_acquisitions;40\n"
    with translation.override("en"):
        parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED, data=text.encode())
    assert [(error.row, error.column) for error in parsed.errors] == [(3, "Figure")]
    assert "not among the metrics of 2024" in parsed.errors[0].message
    # The year's template leaves that figure out, so the template as handed out imports.
    template = exports.import_template(
        statistics_year=StatisticsYear.objects.get(year=2024), kind=StatsImport.Kind.SHARED,
        municipality_ids={point.library.municipality_id for point in points.values()})
    rows = template.decode("utf-8-sig").splitlines()
    assert [row.split(";")[0] for row in rows[1:]] == [
        "finna_visits", "lounakirjailijat_visits", "ematerial_count", "ematerial_uses"]
    filled = "\n".join([rows[0], *[row.replace(";;", ";10;", 1) for row in rows[1:]]])
    assert services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED, data=filled.encode()).is_valid


def test_the_years_report_holds_only_its_sets_metrics(points, coordinator, humppila):
    """A figure of a metric outside the year's set (saved before the imports refused it)
    stays out of the year's report."""
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="pisteet.csv", by=coordinator)
    _events()
    statistics_year = services.statistics_year_open(year=2024)
    point = points["humppila"]
    services.figures_save(statistics_year=statistics_year,
                          figures={(point.pk, point.library.municipality_id, "events"): 17})
    annual_services.annual_reports_create(year=2024, notify=False)
    report = AnnualReport.objects.get(statistics_year__year=2024, municipality=humppila.municipality)
    codes = {entry["code"] for entry in report.details["metrics"]}
    assert set(report.figures) <= codes and "events" not in report.figures
    assert report.figures["loans"] == 58400
    assert all("events" not in entry["figures"] for entry in report.details["service_points"].values())


# ---------------------------------------------------------------- a year keeps the set it was reported under


def test_a_years_figures_and_report_keep_their_set_after_the_next_years_set_changes(
        client, points, coordinator, director, humppila):
    services.import_save(year=2023, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS_CSV.encode(),
                         file_name="2023.csv", by=coordinator)
    annual_services.annual_reports_create(year=2023, notify=False)
    first = AnnualReport.objects.get(statistics_year__year=2023, municipality=humppila.municipality)
    set_2023 = _set(2023)

    # 2024 is opened with a copy, then its set changes: active customers out, events in,
    # the loans variable renamed.
    services.statistics_year_open(year=2024)
    events = _events()
    MetricVersion.objects.filter(year=2024, metric__code="active_customers").delete()
    MetricVersion.objects.create(year=2024, metric=events, okm_variable="Tapahtumat", position=20)
    MetricVersion.objects.filter(year=2024, metric__code="loans").update(okm_variable="Lainaus yhteensä")

    assert _set(2023) == set_2023
    # 2023's figures are computed again under 2023's set: the same metrics and figures.
    annual_services.annual_reports_create(year=2023, notify=False)
    second = AnnualReport.objects.get(statistics_year__year=2023, municipality=humppila.municipality, version=2)
    assert second.details["metrics"] == first.details["metrics"]
    assert second.figures == first.figures and second.figures["active_customers"] == 1310
    assert ("loans", "Kokonaislainaus") in {(e["code"], e["okm_variable"]) for e in second.details["metrics"]}
    assert "events" not in {entry["code"] for entry in second.details["metrics"]}
    # The year page and the report page of 2023 show 2023's metrics.
    client.force_login(director)
    page = client.get(reverse("stats:annual_municipality", args=[2023, humppila.municipality_id]))
    assert [row["code"] for row in page.context["comparison"]] == [entry["code"] for entry in first.details["metrics"]]
    client.force_login(coordinator)
    year_page = client.get(reverse("stats:year_detail", args=[2023]))
    assert "active_customers" in [metric.code for metric in year_page.context["point_metrics"]]
    assert "events" not in [metric.code for metric in year_page.context["point_metrics"]]
    # 2023 still refuses the events column; 2024 takes it, and no active customers.
    assert [error.column for error in services.import_prepare(
        year=2023, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_EVENTS.encode()).errors] == ["Tapahtumia yhteensä"]
    assert [error.column for error in services.import_prepare(
        year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_EVENTS.encode()).errors] == [
        "Aktiiviset asiakkaat"]
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=WITH_EVENTS.replace(";Aktiiviset asiakkaat", "").replace(";5;17", ";17").encode(),
                         file_name="2024.csv", by=coordinator)
    annual_services.annual_reports_create(year=2024, notify=False)
    report_2024 = AnnualReport.objects.get(statistics_year__year=2024, municipality=humppila.municipality)
    assert report_2024.figures["events"] == 17 and "active_customers" not in report_2024.figures
    assert ("loans", "Lainaus yhteensä") in {(e["code"], e["okm_variable"]) for e in report_2024.details["metrics"]}


def test_a_web_sites_visits_feeding_a_figure_outside_the_years_set_are_kept_but_not_split(
        client, points, coordinator, no_sources):
    """The site's own visits are the site's figures whatever the set; splitting them into a
    municipality figure the year does not report would only make a figure no report carries
    (and the year page, which names the year's metrics, had no name for it)."""
    services.statistics_year_open(year=2024)
    MetricVersion.objects.filter(year=2024, metric__code="finna_visits").delete()
    finna = Service.objects.create(code="finna", name="Finna", kind=Service.Kind.WEB, matomo_site="3",
                                   feeds=Metric.objects.get(code="finna_visits"))
    data = codecs.BOM_UTF16_LE + "date,label,nb_visits\n2024-01,Finna,10001\n".encode("utf-16-le")

    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=data)
    assert parsed.is_valid and parsed.splits == []
    services.import_save(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=data, file_name="matomo.csv",
                         by=coordinator)

    assert list(ServiceFigure.objects.filter(service=finna).values_list("month", "value")) == [(1, 10001)]
    assert not SharedServiceTotal.objects.exists() and not municipality_parts("finna_visits")
    client.force_login(coordinator)
    assert client.get(reverse("stats:year_detail", args=[2024])).status_code == 200
