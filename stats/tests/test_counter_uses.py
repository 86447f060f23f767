"""E-material uses from COUNTER reach the municipalities: each use counted once (one report
per platform and month, by the rule in stats/counteruses.py), only the counts in force, each
service's year of uses split by the key chosen for `ematerial_uses` with parts adding up
exactly and the key beside the figure, and a platform no service claims named in the
year's completeness."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consortium.models import JobRun
from stats import annual_selectors, services, tasks
from stats.allocation import largest_remainder
from stats.counteruses import counter_uses
from stats.models import AnnualReport, CounterPlatform, SplitMethod, StatisticsYear
from stats.tests.factories import CounterPlatformFactory, EMaterialServiceFactory

from .test_counter import tabular
from .test_municipality_lock import forssa  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

USES = "ematerial_uses"
MONTHS = ["Jan-2024", "Feb-2024", "Mar-2024"]
NAMES = {"PR": "Platform Master Report", "PR_P1": "Platform Usage", "TR": "Title Master Report",
         "TR_B1": "Book Requests (Excluding OA_Gold)", "TR_J1": "Journal Requests (Excluding OA_Gold)",
         "TR_B3": "Book Usage by Access Type", "TR_J3": "Journal Usage by Access Type", "DR": "Database Master Report"}


def report(report_id: str, rows: list[tuple], *, platform="Ellibs", institution="ISNI:0000000000000000",
           months=MONTHS) -> bytes:
    """A release 5 report of January–March 2024. `rows`: (title, access method, metric type,
    [count per month]); a platform report (PR…) has a row per platform and no title."""
    header = [("Report_Name", NAMES.get(report_id, report_id)), ("Report_ID", report_id), ("Release", "5"),
              ("Institution_Name", "Louna-kirjastot"), ("Institution_ID", institution),
              ("Metric_Types", "Total_Item_Requests; Unique_Item_Requests"), ("Report_Filters", ""),
              ("Report_Attributes", ""), ("Exceptions", ""),
              ("Reporting_Period", f"Begin_Date=2024-01-01; End_Date=2024-{len(months):02d}-28"),
              ("Created", "2024-04-05T10:00:00Z"), ("Created_By", "Demo Vendor")]
    if report_id.startswith("PR"):
        columns = ["Platform", "Data_Type", "Access_Method", "Metric_Type", "Reporting_Period_Total", *months]
        lines = [[platform, "Book", method, metric, str(sum(counts)), *map(str, counts)]
                 for _title, method, metric, counts in rows]
    else:
        columns = ["Title", "Publisher", "Platform", "Access_Method", "Metric_Type", "Reporting_Period_Total", *months]
        lines = [[title, "Demo", platform, method, metric, str(sum(counts)), *map(str, counts)]
                 for title, method, metric, counts in rows]
    return tabular(header, columns, lines)


def imported(report_id, rows, **kwargs):
    return services.counter_import_save(data=report(report_id, rows, **kwargs),
                                        file_name=f"{report_id}-{kwargs.get('platform', 'Ellibs')}.tsv", by=None)


# A vendor's TR: two books and a journal, plus text and data mining, which the views leave out.
TR_ROWS = [("Kirja A", "Regular", "Total_Item_Requests", [10, 20, 30]),
           ("Kirja A", "Regular", "Unique_Item_Requests", [5, 5, 5]),
           ("Kirja B", "Regular", "Total_Item_Requests", [1, 2, 3]),
           ("Lehti C", "Regular", "Total_Item_Requests", [100, 0, 100]),
           ("Kirja A", "TDM", "Total_Item_Requests", [7, 7, 7])]
# Its view of the journal alone: the same uses, in another report.
TR_J1_ROWS = [("Lehti C", "Regular", "Total_Item_Requests", [100, 0, 100])]
TR_B1_ROWS = [("Kirja A", "Regular", "Total_Item_Requests", [10, 20, 30]),
              ("Kirja B", "Regular", "Total_Item_Requests", [1, 2, 3])]


@pytest.fixture
def ellibs():
    service = EMaterialServiceFactory(code="ellibs", name="Ellibs")
    CounterPlatformFactory(service=service, name="Ellibs")
    return service


def _run(coordinator) -> JobRun:
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK, created_by=coordinator, task_kwargs={"year": 2024})
    tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()
    run.refresh_from_db()
    return run


def _newest(municipality_id) -> AnnualReport:
    return AnnualReport.objects.filter(municipality_id=municipality_id).order_by("-version").first()


def test_a_master_report_and_its_view_count_each_use_once(ellibs):
    imported("TR", TR_ROWS)
    imported("TR_J1", TR_J1_ROWS)
    uses = counter_uses(year=2024).services[ellibs.pk]
    # From TR alone (Regular, Total_Item_Requests): not TR + TR_J1, and no TDM.
    assert uses["months"] == {1: 111, 2: 22, 3: 133}
    assert uses["total"] == 266 and uses["sources"] == ["TR"]


def test_the_platform_report_goes_before_the_title_reports(ellibs):
    imported("TR", TR_ROWS)
    imported("PR", [("", "Regular", "Total_Item_Requests", [120, 30, 140]),
                    ("", "TDM", "Total_Item_Requests", [50, 50, 50])])
    uses = counter_uses(year=2024).services[ellibs.pk]
    assert uses["months"] == {1: 120, 2: 30, 3: 140} and uses["sources"] == ["PR"]


def test_only_the_book_and_journal_views_add_up(ellibs):
    imported("TR_B1", TR_B1_ROWS)
    imported("TR_J1", TR_J1_ROWS)
    uses = counter_uses(year=2024).services[ellibs.pk]
    assert uses["months"] == {1: 111, 2: 22, 3: 133} and uses["sources"] == ["TR_B1+TR_J1"]


def test_each_month_takes_its_own_first_source(ellibs):
    # TR for January only, the views for all three months: January from TR, the rest from the views.
    imported("TR", [("Kirja A", "Regular", "Total_Item_Requests", [1000])], months=MONTHS[:1])
    imported("TR_B1", TR_B1_ROWS)
    imported("TR_J1", TR_J1_ROWS)
    uses = counter_uses(year=2024).services[ellibs.pk]
    assert uses["months"] == {1: 1000, 2: 22, 3: 133} and uses["sources"] == ["TR", "TR_B1+TR_J1"]


def test_two_institutions_uses_add_up(ellibs):
    imported("TR_J1", TR_J1_ROWS)
    imported("TR_J1", TR_J1_ROWS, institution="ISNI:1111111111111111")
    assert counter_uses(year=2024).services[ellibs.pk]["total"] == 400


def test_replaced_and_reverted_counts_are_not_counted(ellibs, coordinator):
    first = imported("TR_J1", TR_J1_ROWS)
    corrected = services.counter_import_save(
        data=report("TR_J1", [("Lehti C", "Regular", "Total_Item_Requests", [90, 1, 90])]),
        file_name="TR_J1-corrected.tsv", by=None)
    assert corrected.replaced and counter_uses(year=2024).services[ellibs.pk]["total"] == 181
    services.import_revert(stats_import=corrected, by=coordinator)
    assert counter_uses(year=2024).services[ellibs.pk]["total"] == 200  # the first in force again
    services.import_revert(stats_import=first, by=coordinator)
    assert counter_uses(year=2024).services == {}


def test_the_annual_job_splits_each_services_uses_by_the_key(client, points, ellibs, coordinator, director,
                                                              humppila, tammela):
    bookbites = EMaterialServiceFactory(code="bookbites", name="BookBites")
    CounterPlatformFactory(service=bookbites, name="BookBites")
    imported("TR", TR_ROWS)  # Ellibs: 266
    imported("TR_B1", [("Kirja D", "Regular", "Total_Item_Requests", [3, 4, 5])], platform=" bookbites ")  # 12
    run = _run(coordinator)
    assert run.state == JobRun.State.DONE, run.message
    h, t = humppila.municipality_id, tammela.municipality_id
    population = {h: 2174, t: 6016}
    parts = {pk: _newest(pk).figures[USES] for pk in population}
    assert parts == largest_remainder(278, population) and sum(parts.values()) == 278
    split = _newest(h).details["splits"][USES]
    assert (split["total"], split["key"], split["population_year"], split["weight"], split["weights_total"]) == (
        278, SplitMethod.POPULATION, 2020, 2174, 8190)
    assert split["services"] == [["BookBites (COUNTER: TR_B1)", 12], ["Ellibs (COUNTER: TR)", 266]]
    # The report page shows the key and its inputs beside the figure.
    client.force_login(director)
    page = client.get(reverse("stats:annual_municipality", args=[2024, h])).content.decode()
    cell = page[page.index("Yhteiset e-aineistot: käyttökerrat"):]
    cell = cell[:cell.index("</tr>")]
    assert "asukaslukujen suhteessa" in cell and "2\xa0174 / 8\xa0190" in cell
    assert "Ellibs (COUNTER: TR) 266" in cell and "BookBites (COUNTER: TR_B1) 12" in cell
    # Agreed shares chosen for the uses: the next version follows them, still adding up.
    services.allocation_key_save(year=2024, metric=USES, method=SplitMethod.AGREED,
                                 agreed_shares={h: 1, t: 2}, by=coordinator)
    assert _run(coordinator).state == JobRun.State.DONE
    assert {pk: _newest(pk).figures[USES] for pk in population} == {h: 93, t: 185}
    assert _newest(h).details["splits"][USES]["inputs"] == {str(h): 1, str(t): 2}


def test_the_uses_win_over_a_shared_files_hand_typed_figure(points, ellibs, coordinator, humppila, tammela):
    services.import_save(year=2024, kind="shared", data=b"Tieto;Yhteensa\nematerial_uses;999\n",
                         file_name="yhteiset.csv", by=coordinator)
    imported("TR_J1", TR_J1_ROWS)
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    assert sum(inputs.figures[pk][USES] for pk in (humppila.municipality_id, tammela.municipality_id)) == 200


def test_a_platform_no_service_claims_is_named_in_the_completeness(client, points, ellibs, coordinator):
    EMaterialServiceFactory(code="bookbites", name="BookBites")  # no platform named
    imported("TR_J1", TR_J1_ROWS)
    imported("TR_B1", [("Kirja D", "Regular", "Total_Item_Requests", [3, 4, 5])], platform="BookBites")
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    assert inputs.counter_unclaimed == [("BookBites", 12)] and inputs.counter_unlinked == ["BookBites"]
    assert not inputs.complete
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    assert "BookBites: 12" in page and "ilman COUNTER-alustaa: BookBites" in page
    run = _run(coordinator)  # the job still runs (the claimed uses are right), and says so
    assert run.state == JobRun.State.DONE and "BookBites (12)" in run.message
    # Named, the platform's uses reach the municipalities at the next run.
    CounterPlatformFactory(service_id=EMaterialServiceFactory(code="bookbites").pk, name="bookbites")
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    assert inputs.counter_unclaimed == [] and inputs.counter_unlinked == []


def test_a_platform_belongs_to_one_service_whatever_its_case(ellibs):
    other = EMaterialServiceFactory(code="other", name="Other")
    with pytest.raises(ValidationError, match="already claims"):
        CounterPlatform(service=other, name=" ELLIBS ").full_clean()
    with pytest.raises(ValidationError, match="e-material"):
        CounterPlatform(service=EMaterialServiceFactory(code="finna", name="Finna", kind="web"),
                        name="Finna").full_clean()


def test_the_admin_edits_a_services_platforms(admin_client, ellibs):
    url = reverse("admin:stats_service_change", args=[ellibs.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="Ellibs"' in page and "counter_platforms-TOTAL_FORMS" in page
    platform = ellibs.counter_platforms.get()
    data = {"code": "ellibs", "name": "Ellibs", "kind": "ematerial", "matomo_site": "", "feeds": "", "is_active": "on",
            "counter_platforms-TOTAL_FORMS": "3", "counter_platforms-INITIAL_FORMS": "1",
            "counter_platforms-MIN_NUM_FORMS": "0", "counter_platforms-MAX_NUM_FORMS": "1000",
            "counter_platforms-0-id": platform.pk, "counter_platforms-0-service": ellibs.pk,
            "counter_platforms-0-name": "Ellibs", "counter_platforms-1-service": ellibs.pk,
            "counter_platforms-1-name": "Ellibs Plus", "counter_platforms-2-service": ellibs.pk,
            "counter_platforms-2-name": "ellibs plus "}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "Sama COUNTER-alusta on annettu kahdesti." in response.content.decode()
    data["counter_platforms-2-name"] = "Ellibs Audio"
    assert admin_client.post(url, data).status_code == 302
    assert sorted(ellibs.counter_platforms.values_list("name", flat=True)) == ["Ellibs", "Ellibs Audio", "Ellibs Plus"]
    # A web site's page has no platforms to edit.
    site = EMaterialServiceFactory(code="finna", name="Finna", kind="web")
    assert "counter_platforms-TOTAL_FORMS" not in admin_client.get(
        reverse("admin:stats_service_change", args=[site.pk])).content.decode()


def test_the_demo_links_its_services_to_their_platforms_and_splits_their_uses():
    from consortium.demo_data import seed_core
    from stats.demo_data import seed_stats

    seed_core()
    seed_stats()
    seed_stats()  # idempotent: nothing imported twice
    assert sorted(CounterPlatform.objects.values_list("service__name", "name")) == [
        ("BookBites", "BookBites"), ("Ellibs", "Ellibs")]
    uses = counter_uses(year=2023)
    assert uses.unclaimed == [] and {entry["name"]: entry["sources"] for entry in uses.services.values()} == {
        "BookBites": ["TR_B1"], "Ellibs": ["PR"]}
    reports = AnnualReport.objects.filter(statistics_year__year=2023, details__splits__has_key=USES)
    assert reports.exists()
    assert sum(report.figures[USES] for report in reports) == uses.total
    assert [name for name, _value in reports[0].details["splits"][USES]["services"]] == [
        "BookBites (COUNTER: TR_B1)", "Ellibs (COUNTER: PR)"]


def test_the_ematerial_page_shows_each_services_uses_by_month(client, ellibs, coordinator):
    imported("TR", TR_ROWS)
    imported("TR_J1", TR_J1_ROWS)
    imported("TR_B1", [("Kirja D", "Regular", "Total_Item_Requests", [3, 4, 5])], platform="Tuntematon")
    client.force_login(coordinator)
    response = client.get(reverse("stats:ematerial_year", args=[2024]))
    row = next(row for row in response.context["rows"] if row["service"] == ellibs)
    assert row["uses"]["months"] == {1: 111, 2: 22, 3: 133} and row["uses"]["total"] == 266
    page = response.content.decode()
    assert "Käyttökerrat COUNTER-raporteista kuukausittain" in page and "266 <span" in page and "(TR)" in page
    assert "Tuntematon: 12" in page  # the platform no service claims


def test_uses_only_in_reports_the_rule_does_not_take_are_named(client, points, ellibs, coordinator):
    imported("TR_J1", [("Lehti C", "Regular", "Total_Item_Requests", [100])], months=MONTHS[:1])  # January
    imported("TR_J4", [("Lehti C", "Regular", "Total_Item_Requests", [5, 6, 7])])  # TR_J4 alone in Feb and Mar
    uses = counter_uses(year=2024)
    assert uses.services[ellibs.pk]["months"] == {1: 100}
    assert uses.uncounted == [("Ellibs", ["TR_J4"], 13)]
    inputs = annual_selectors.report_inputs(statistics_year=StatisticsYear.objects.get(year=2024))
    assert inputs.counter_uncounted == [("Ellibs", ["TR_J4"], 13)] and not inputs.complete
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    assert "Ellibs: 13 käyttökertaa raportissa TR_J4" in page


def test_the_services_form_names_its_platforms(client, coordinator, ellibs):
    from stats.models import Service

    client.force_login(coordinator)
    url = reverse("stats:service_edit", args=[ellibs.pk])
    assert "Ellibs" in client.get(url).context["form"].initial["counter_platforms"]
    data = {"name": "Ellibs", "code": "ellibs", "kind": "ematerial", "matomo_site": "", "feeds": "",
            "is_active": "on", "counter_platforms": "Ellibs\r\n Ellibs Audio \r\n\r\n"}
    assert client.post(url, data).status_code == 302
    assert sorted(ellibs.counter_platforms.values_list("name", flat=True)) == ["Ellibs", "Ellibs Audio"]
    assert "Ellibs Audio" in client.get(reverse("stats:service_list")).content.decode()
    # Another service may not claim one of them; the form names whose it is.
    other = EMaterialServiceFactory(code="bookbites", name="BookBites")
    response = client.post(reverse("stats:service_edit", args=[other.pk]), {
        **data, "name": "BookBites", "code": "bookbites", "counter_platforms": "BookBites\nELLIBS AUDIO"})
    assert response.status_code == 200
    assert "Ellibs omistaa jo COUNTER-alustan Ellibs Audio." in response.content.decode()
    assert not other.counter_platforms.exists()  # nothing half-saved
    # Emptied, the list is gone; a web site may not have one.
    data["counter_platforms"] = ""
    assert client.post(url, data).status_code == 302 and not ellibs.counter_platforms.exists()
    site = Service.objects.create(code="finna", name="Finna", kind="web")
    response = client.post(reverse("stats:service_edit", args=[site.pk]), {
        **data, "name": "Finna", "code": "finna", "kind": "web", "counter_platforms": "Finna"})
    assert "Vain e-aineistopalvelulla on COUNTER-alustoja." in response.content.decode()


def test_a_louna_municipality_locked_stops_new_or_reverted_uses_of_a_claimed_platform(points, forssa, ellibs,
                                                                                       coordinator):
    from stats import annual_services, permissions

    from .test_municipality_lock import POINTS, _run

    services.import_save(year=2024, kind="service_points", data=POINTS.encode(), file_name="pisteet.csv",
                         by=coordinator)
    first = imported("TR_J1", TR_J1_ROWS)
    _run(coordinator)
    annual_services.municipality_lock(year=2024, municipality=forssa.municipality, by=coordinator,
                                      municipality_ids=permissions.managed_municipality_ids(coordinator))
    # New uses of Ellibs would change every Louna municipality's part, Forssa's included.
    with pytest.raises(ValidationError, match="Forssa.*Ellibs"):
        imported("TR", TR_ROWS)
    parsed, replaces = services.counter_import_preview(data=report("TR", TR_ROWS), file_name="tr.tsv")
    assert replaces is None and "Forssa" in parsed.errors[0][1]
    with pytest.raises(ValidationError, match="Forssa"):
        services.import_revert(stats_import=first, by=coordinator)
    # A platform no service claims reaches no municipality: imported as before.
    imported("TR_J1", TR_J1_ROWS, platform="Tuntematon")


def test_a_platforms_claim_does_not_change_while_a_louna_municipality_locked_a_year_of_its_uses(
        points, forssa, ellibs, coordinator):
    """Claiming a platform with uses in a locked year, or giving one up, would move those
    uses into or out of the split the locked municipality's part came from: refused, naming
    the municipality, the platform and the year; a platform with no uses in a locked year
    changes freely."""
    from django.utils import translation

    from stats import annual_services, permissions, service_registry

    from .test_municipality_lock import POINTS, _run

    services.import_save(year=2024, kind="service_points", data=POINTS.encode(), file_name="pisteet.csv",
                         by=coordinator)
    imported("TR_J1", TR_J1_ROWS)  # Ellibs's uses of 2024
    imported("TR_B1", TR_B1_ROWS, platform="BookBites")  # unclaimed uses of 2024
    bookbites = EMaterialServiceFactory(code="bookbites", name="BookBites")
    _run(coordinator)
    annual_services.municipality_lock(year=2024, municipality=forssa.municipality, by=coordinator,
                                      municipality_ids=permissions.managed_municipality_ids(coordinator))

    def save(service, platforms):
        return service_registry.service_save(service=service, code=service.code, name=service.name,
                                             kind=service.kind, counter_platforms=platforms)

    with translation.override("en"):
        with pytest.raises(ValidationError, match=r"Forssa.*BookBites has uses in 2024"):
            save(bookbites, ["BookBites"])
        with pytest.raises(ValidationError, match=r"Forssa.*Ellibs has uses in 2024"):
            save(ellibs, [])
    assert list(bookbites.counter_platforms.values_list("name", flat=True)) == []
    assert list(ellibs.counter_platforms.values_list("name", flat=True)) == ["Ellibs"]
    # A platform with no uses in a locked year, and a corrected spelling of a claimed one's case.
    save(bookbites, ["Elisa Kirja"])
    save(ellibs, ["ELLIBS"])
    assert list(ellibs.counter_platforms.values_list("name", flat=True)) == ["ELLIBS"]
    assert list(bookbites.counter_platforms.values_list("name", flat=True)) == ["Elisa Kirja"]


def test_a_platforms_claim_does_not_change_once_the_year_of_its_uses_is_reported(ellibs, coordinator):
    """A year reported as a whole has no municipality lock rows, and is locked all the same;
    a platform whose months in it are all zeros moves no use and changes freely."""
    from django.utils import translation

    from stats import service_registry

    imported("TR_J1", TR_J1_ROWS)
    imported("TR_B1", [("Kirja D", "Regular", "Total_Item_Requests", [0, 0, 0])], platform="BookBites")
    StatisticsYear.objects.filter(year=2024).update(state=StatisticsYear.State.REPORTED)
    bookbites = EMaterialServiceFactory(code="bookbites", name="BookBites")
    with translation.override("en"), pytest.raises(ValidationError, match=r"2024 have been reported.*Ellibs"):
        service_registry.service_save(service=ellibs, code=ellibs.code, name=ellibs.name, kind=ellibs.kind,
                                      counter_platforms=[])
    service_registry.service_save(service=bookbites, code=bookbites.code, name=bookbites.name, kind=bookbites.kind,
                                  counter_platforms=["BookBites"])
    assert list(bookbites.counter_platforms.values_list("name", flat=True)) == ["BookBites"]
