"""A lock per municipality: Louna's figures reported and locked before the rest of the
country has finished. Once Forssa is locked, no import adds, changes or replaces a Forssa
figure (refused in the preview naming the row and Forssa), no import holding Forssa's
figures is reverted, and the annual job leaves Forssa's version as it was while it computes
the others. Who may lock: staff any member's, the coordinator Louna's, a director nobody's."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from consortium.models import JobRun, MunicipalityPopulation, ServicePointExternalId
from consortium.tests.factories import LounaLibraryFactory, MunicipalityFactory, ServicePointFactory
from stats import annual_services, permissions, services, servicefigures, tasks
from stats.models import AllocationKey, AnnualReport, Figure, MunicipalityLock, MunicipalityYearTotal, StatsImport
from stats.tests.factories import EMaterialServiceFactory

# Only the figure sources a test registers (stats/tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

HEADER = "Tunniste;Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\n"
POINTS = (HEADER + "LOUNA-103-1;;1 204;1 530;31 200;58 400;1 310\n"
          "LOUNA-061-1;;3 000;3 500;90 000;250 000;9 000\n"
          "quria:Q-834;;2 010;2 400;45 100;91 250;2 000\n")
# Humppila's loans corrected, and Forssa's: the second row is Forssa's.
WITH_FORSSA = HEADER + "LOUNA-103-1;;1 204;1 530;31 200;60 000;1 310\nLOUNA-061-1;;3 000;3 500;90 000;251 000;9 000\n"
WITHOUT_FORSSA = HEADER + "LOUNA-103-1;;1 204;1 530;31 200;60 000;1 310\n"


@pytest.fixture
def forssa(db):
    library = LounaLibraryFactory(name="Forssan kaupunginkirjasto",
                                  municipality=MunicipalityFactory(code="061", name_fi="Forssa", name_sv="Forssa"))
    point = ServicePointFactory(library=library, name="Forssan pääkirjasto")
    ServicePointExternalId.objects.create(service_point=point, source="mikromarc", value="LOUNA-061-1")
    MunicipalityPopulation.objects.create(municipality=library.municipality, year=2020, population=16900)
    return library


@pytest.fixture
def computed(points, forssa, coordinator):
    """Forssa, Humppila and Tammela imported and the job run once (version 1 each)."""
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS.encode(),
                         file_name="pisteet.csv", by=coordinator)
    _run(coordinator)
    return forssa.municipality


@pytest.fixture
def locked(computed, coordinator):
    annual_services.municipality_lock(year=2024, municipality=computed, by=coordinator,
                                      municipality_ids=permissions.managed_municipality_ids(coordinator))
    return computed


def _run(by=None) -> JobRun:
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK, created_by=by, task_kwargs={"year": 2024})
    tasks.compute_year.apply(kwargs={"year": 2024, "job_run_id": run.pk}).get()
    run.refresh_from_db()
    return run


def _versions(code: str) -> list[int]:
    return list(AnnualReport.objects.filter(municipality__code=code).order_by("version")
                .values_list("version", flat=True))


def test_locking_delivers_the_newest_version_and_records_who_and_when(locked, coordinator):
    lock = MunicipalityLock.objects.get(municipality=locked)
    assert lock.locked_by == coordinator and lock.locked_at is not None
    assert lock.report.version == 1 and lock.report.delivered and lock.report.delivered_by == coordinator
    with pytest.raises(ValidationError, match="Forssa for 2024 are locked already"):
        annual_services.municipality_lock(year=2024, municipality=locked, by=coordinator,
                                          municipality_ids=permissions.managed_municipality_ids(coordinator))


def test_a_file_with_a_forssa_row_is_refused_naming_the_row_and_forssa(locked, coordinator, humppila):
    before = list(Figure.objects.order_by("pk").values_list("pk", "value", "replaced_by"))
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_FORSSA.encode(),
                                     by=coordinator)
    assert [(error.row, error.column) for error in parsed.errors] == [(3, "Forssan pääkirjasto")]
    assert "Forssa" in parsed.errors[0].message and "locked" in parsed.errors[0].message
    with pytest.raises(services.ImportRefused):
        services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITH_FORSSA.encode(),
                             file_name="korjaus.csv", by=coordinator)
    # Nothing saved: not even Humppila's row of that file.
    assert list(Figure.objects.order_by("pk").values_list("pk", "value", "replaced_by")) == before
    assert not StatsImport.objects.filter(file_name="korjaus.csv").exists()
    # The other municipalities' figures still come in, in a file without Forssa's rows.
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITHOUT_FORSSA.encode(),
                         file_name="humppila.csv", by=coordinator)
    assert Figure.objects.get(municipality=humppila.municipality, metric__code="loans",
                              replaced_by__isnull=True).value == 60000


def test_the_command_line_refuses_it_too(locked, capsys, tmp_path):
    path = tmp_path / "korjaus.csv"
    path.write_bytes(WITH_FORSSA.encode())
    with pytest.raises(SystemExit):
        call_command("import_figures", str(path), "--year", "2024", "--dry-run")
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])["files"][0]
    assert [(row, column) for row, column, _message in result["errors"]] == [(3, "Forssan pääkirjasto")]
    assert "Forssa" in result["errors"][0][2]


def test_a_shared_figure_split_among_louna_forssa_included_is_refused(locked, coordinator):
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.SHARED,
                                     data=b"Tieto;Yhteensa\nfinna_visits;10001\n", by=coordinator)
    assert [(error.row, error.column) for error in parsed.errors] == [(2, "finna_visits")]
    assert "Forssa" in parsed.errors[0].message


def test_e_material_figures_split_among_louna_are_refused(locked, coordinator):
    service = EMaterialServiceFactory(name="Ellibs")
    data = ("Palvelu;Kuukausi;Lainat;Nimekkeet;Hankinnat euroa;Hankinnat kpl\n"
            "Ellibs;2024-01;120;;;\n").encode()
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.EMATERIAL, data=data, by=coordinator)
    assert [(error.row, error.column) for error in parsed.errors] == [(2, "Ellibs")]
    assert "Forssa" in parsed.errors[0].message
    with pytest.raises(ValidationError, match="Forssa"):
        servicefigures.ematerial_year_enter(year=2024, service=service, values={"ematerial_titles": 40},
                                            by=coordinator)


def test_an_import_holding_forssas_figures_is_not_reverted(locked, coordinator):
    first = StatsImport.objects.get(file_name="pisteet.csv")
    with pytest.raises(ValidationError, match="Forssa"):
        services.import_revert(stats_import=first, by=coordinator)
    first.refresh_from_db()
    assert first.reverted_at is None and first.figures.count() == 15
    # One without Forssa's figures is reverted as before.
    later = services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITHOUT_FORSSA.encode(),
                                 file_name="humppila.csv", by=coordinator)
    services.import_revert(stats_import=later, by=coordinator)


def test_the_job_run_twice_leaves_forssa_one_version_and_says_so(locked, coordinator):
    forssa_total = MunicipalityYearTotal.objects.get(municipality=locked)
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=WITHOUT_FORSSA.encode(),
                         file_name="humppila.csv", by=coordinator)
    run = _run(coordinator)
    assert _versions("061") == [1]
    assert _versions("103") == [1, 2] and _versions("834") == [1, 2]
    assert run.state == JobRun.State.DONE and "locked: Forssa" in run.message
    # Its totals stay as they were reported, too.
    assert MunicipalityYearTotal.objects.get(municipality=locked).computed_at == forssa_total.computed_at


def test_a_lock_needs_a_version_that_the_figures_still_give(points, forssa, coordinator):
    ids = permissions.managed_municipality_ids(coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS, data=POINTS.encode(),
                         file_name="pisteet.csv", by=coordinator)
    with pytest.raises(ValidationError, match="run the annual job first"):
        annual_services.municipality_lock(year=2024, municipality=forssa.municipality, by=coordinator,
                                          municipality_ids=ids)
    _run(coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=(HEADER + "LOUNA-061-1;;3 000;3 500;90 000;252 000;9 000\n").encode(),
                         file_name="forssa.csv", by=coordinator)
    with pytest.raises(ValidationError, match="changed since version 1"):
        annual_services.municipality_lock(year=2024, municipality=forssa.municipality, by=coordinator,
                                          municipality_ids=ids)
    assert not MunicipalityLock.objects.exists()


def test_the_coordinator_cannot_lock_tampere_and_a_director_nobody(client, computed, coordinator, staff_user,
                                                                    director, tampere):
    annual_services.annual_reports_create(year=2024, municipality_ids=[tampere.municipality_id], notify=False)
    url = reverse("stats:annual_lock", args=[2024, tampere.municipality_id])
    client.force_login(coordinator)
    assert client.post(url).status_code == 404
    with pytest.raises(ValidationError, match="Tampere"):
        annual_services.municipality_lock(year=2024, municipality=tampere.municipality, by=coordinator,
                                          municipality_ids=permissions.managed_municipality_ids(coordinator))
    client.force_login(director)
    assert client.post(reverse("stats:annual_lock", args=[2024, computed.pk])).status_code == 403
    assert not MunicipalityLock.objects.exists()
    # Staff lock any member's municipality.
    client.force_login(staff_user)
    assert client.post(url).status_code == 302
    assert MunicipalityLock.objects.get().municipality == tampere.municipality


def test_the_overview_shows_the_locks_and_the_buttons(client, computed, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("stats:annual_overview", args=[2024])).content.decode()
    # The pages are in Finnish (the coordinator's language).
    assert "Lukitse kunnan Forssa luvut (versio 1)" in page
    response = client.post(reverse("stats:annual_lock", args=[2024, computed.pk]), follow=True)
    page = response.content.decode()
    assert "Kunnan Forssa vuoden 2024 luvut on lukittu." in page
    assert "Lukitse kunnan Forssa" not in page and "Lukitse kunnan Humppila luvut (versio 1)" in page
    assert "Kalle Koordinaattori" in page


def test_web_visits_feeding_a_shared_figure_are_refused(locked, coordinator):
    from stats.models import Metric, Service
    from stats.tests.test_servicefigures import matomo

    Service.objects.create(code="finna", name="Finna", kind=Service.Kind.WEB, matomo_site="3",
                           feeds=Metric.objects.get(code="finna_visits"))
    Service.objects.create(code="kotisivu", name="Kotisivu", kind=Service.Kind.WEB, matomo_site="9")
    data = matomo("date,label,nb_visits\n2024-01,Finna,31200\n2024-01,Kotisivu,500")
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=data, by=coordinator)
    # Finna's visits are split among Louna, Forssa included; the site of no shared figure is not.
    assert [(error.row, error.column) for error in parsed.errors] == [(2, "Finna")]
    assert "Forssa" in parsed.errors[0].message
    services.import_save(year=2024, kind=StatsImport.Kind.WEB_VISITS, file_name="kotisivu.csv", by=coordinator,
                         data=matomo("date,label,nb_visits\n2024-01,Kotisivu,500"))


def test_the_import_page_previews_the_refusal(client, locked, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    response = client.post(reverse("stats:import", args=[2024]), {
        "kind": "service_points", "file": SimpleUploadedFile("korjaus.csv", WITH_FORSSA.encode(), "text/csv")})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<th scope="row">3</th>' in page and "Kunnan Forssa vuoden 2024 luvut on raportoitu ja lukittu." in page
    assert not StatsImport.objects.filter(file_name="korjaus.csv").exists()


def test_a_revert_from_the_year_page_names_forssa(client, locked, coordinator):
    first = StatsImport.objects.get(file_name="pisteet.csv")
    client.force_login(coordinator)
    response = client.post(reverse("stats:import_revert", args=[2024, first.pk]), follow=True)
    assert "Forssa" in response.content.decode()
    first.refresh_from_db()
    assert first.reverted_at is None


def test_a_delivered_version_whose_figures_changed_since_is_not_locked(computed, coordinator):
    annual_services.annual_report_deliver(report=AnnualReport.objects.get(municipality=computed), by=coordinator)
    services.import_save(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                         data=(HEADER + "LOUNA-061-1;;3 000;3 500;90 000;252 000;9 000\n").encode(),
                         file_name="forssa.csv", by=coordinator)
    with pytest.raises(ValidationError, match="revert the imports made since"):
        annual_services.municipality_lock(year=2024, municipality=computed, by=coordinator,
                                          municipality_ids=permissions.managed_municipality_ids(coordinator))
    services.import_revert(stats_import=StatsImport.objects.get(file_name="forssa.csv"), by=coordinator)
    lock = annual_services.municipality_lock(year=2024, municipality=computed, by=coordinator,
                                             municipality_ids=permissions.managed_municipality_ids(coordinator))
    assert lock.report.version == 1


def test_a_draft_previewed_before_the_lock_is_refused_at_its_confirmation(computed, coordinator):
    parsed, draft = services.import_draft_create(year=2024, kind=StatsImport.Kind.SERVICE_POINTS,
                                                 data=WITH_FORSSA.encode(), file_name="korjaus.csv", by=coordinator)
    assert parsed.is_valid and draft is not None
    annual_services.municipality_lock(year=2024, municipality=computed, by=coordinator,
                                      municipality_ids=permissions.managed_municipality_ids(coordinator))
    with pytest.raises(services.ImportRefused) as refused:
        services.import_draft_confirm(year=2024, draft_id=draft.pk, sha256=draft.sha256, by=coordinator)
    assert [(error.row, "Forssa" in error.message) for error in refused.value.parsed.errors] == [(3, True)]
    assert not StatsImport.objects.filter(file_name="korjaus.csv").exists()


def test_with_a_louna_municipality_locked_the_years_keys_no_longer_change(locked, coordinator):
    # The e-material services' figures are split among every Louna municipality by the
    # annual job; a new key would split the others' parts from another total than Forssa's.
    with pytest.raises(ValidationError) as refused:
        services.allocation_key_save(year=2024, metric="ematerial_uses", method="equal", by=coordinator)
    assert "Forssa" in " ".join(refused.value.messages)
    assert not AllocationKey.objects.filter(statistics_year__year=2024, metric="ematerial_uses").exists()
    # Another year is not locked.
    services.allocation_key_save(year=2023, metric="ematerial_uses", method="equal", by=coordinator)


def test_the_report_page_says_the_figures_are_locked_and_asks_no_more_for_it(client, locked, coordinator, humppila):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    queries = {}
    for municipality in (humppila.municipality, locked):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("stats:annual_municipality", args=[2024, municipality.pk])).content.decode()
        queries[municipality.name] = len(captured)
        assert ("Luvut on ilmoitettu ja lukittu" in page) == (municipality == locked)
    assert "(versio 1)" in page
    assert queries["Forssa"] == queries["Humppila"]
