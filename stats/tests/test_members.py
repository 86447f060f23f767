"""Statistics for every member of the consortium, not Louna's alone: staff import and compute
every member municipality's figures, the Louna coordinator Louna's; a director of any member
library sees their own municipality's annual report and files (another's is not found) and
is told through the outbox; a contact person sees no municipality's report."""

import codecs
import re
from datetime import date

import pytest
from django.urls import reverse

from consortium.models import JobRun, OutboxMessage, Role
from consortium.tests.factories import LibraryFactory, MunicipalityFactory, ServicePointFactory, user_with_role
from stats import annual_services, services, tasks
from stats.models import AnnualReport, Figure, MunicipalityYearTotal, StatsImport
from stats.tests.conftest import POINTS_CSV

# Only the figure sources a test registers (stats/tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_sources")]

# One national export: a Louna point and two points of members outside Louna.
NATIONAL = ("Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\r\n"
            "Humppilan pääkirjasto;1;2;3;4000;5\r\n"
            "Tampereen pääkirjasto;10;20;30;400000;50\r\n"
            "Turun pääkirjasto;11;21;31;300000;51\r\n").encode()
OULU = "Palvelupiste;Poistot;Hankinnat;Kokoelma;Lainaus;Aktiiviset asiakkaat\nOulun pääkirjasto;1;1;1;7;1\n"


@pytest.fixture
def turku(db):
    return LibraryFactory(name="Turun kaupunginkirjasto",
                          municipality=MunicipalityFactory(code="853", name_fi="Turku", name_sv="Åbo"))


@pytest.fixture
def members(points, tampere, turku):
    """Tampere's and Turku's libraries are members outside Louna, each with a main library and
    a director; Oulu's library has not joined (no member_since)."""
    oulu = LibraryFactory(name="Oulun kaupunginkirjasto", member_since=None,
                          municipality=MunicipalityFactory(code="564", name_fi="Oulu", name_sv="Uleåborg"))
    return {
        "tampere_point": ServicePointFactory(library=tampere, name="Tampereen pääkirjasto"),
        "turku_point": ServicePointFactory(library=turku, name="Turun pääkirjasto"),
        "oulu_point": ServicePointFactory(library=oulu, name="Oulun pääkirjasto"),
        "tampere_director": user_with_role(Role.DIRECTOR, library=tampere, full_name="Taisto Tammerkoski"),
        "turku_director": user_with_role(Role.DIRECTOR, library=turku, full_name="Tuula Turkulainen"),
        "oulu_director": user_with_role(Role.DIRECTOR, library=oulu, full_name="Olli Oululainen"),
        "oulu": oulu,
    }


def _save(by, data=NATIONAL, year=2024, name="kansallinen.csv"):
    return services.import_save(year=year, kind=StatsImport.Kind.SERVICE_POINTS, data=data, file_name=name, by=by)


def _run(year=2024, **kwargs) -> JobRun:
    run = JobRun.objects.create(task_name=tasks.COMPUTE_TASK, task_kwargs={"year": year, **kwargs})
    tasks.compute_year.apply(kwargs={"year": year, "job_run_id": run.pk, **kwargs}).get()
    return run


def _codes(queryset) -> list[str]:
    return sorted(queryset.values_list("municipality__code", flat=True))


# ---------------------------------------------------------------- imports


def test_staff_import_a_national_export_and_the_coordinator_only_louna(members, staff_user, coordinator):
    with pytest.raises(services.ImportRefused) as refused:
        _save(coordinator)
    # The Tampere and Turku rows are named (Excel's row numbers); Humppila's row is fine.
    assert [(e.row, e.message) for e in refused.value.parsed.errors] == [
        (3, "No service point in the municipalities whose figures you import is called “Tampereen pääkirjasto”."),
        (4, "No service point in the municipalities whose figures you import is called “Turun pääkirjasto”.")]
    assert not Figure.objects.exists()
    record = _save(staff_user)
    assert record.rows == 3
    loans = dict(Figure.objects.filter(metric__code="loans").values_list("municipality__code", "value"))
    assert loans == {"103": 4000, "837": 400000, "853": 300000}
    # A library that has not joined the consortium reports nothing through the portal.
    with pytest.raises(services.ImportRefused):
        _save(staff_user, data=OULU.replace("7", "1").encode(), name="oulu.csv")


def test_the_templates_list_the_persons_own_service_points(client, members, staff_user, coordinator):
    services.statistics_year_open(year=2024)
    url = reverse("stats:import_template", args=[2024, StatsImport.Kind.SERVICE_POINTS])
    client.force_login(staff_user)
    staff = client.get(url).content.decode("utf-8-sig")
    client.force_login(coordinator)
    louna = client.get(url).content.decode("utf-8-sig")
    assert "Tampereen pääkirjasto" in staff and "Turun pääkirjasto" in staff and "Humppilan pääkirjasto" in staff
    assert "Oulun pääkirjasto" not in staff
    assert "Humppilan pääkirjasto" in louna and "Tampereen pääkirjasto" not in louna


def test_the_coordinator_sees_and_reverts_louna_imports_only(client, members, staff_user, coordinator):
    national = _save(staff_user)
    louna = _save(coordinator, data=codecs.BOM_UTF8 + POINTS_CSV.encode(), name="louna.csv")
    client.force_login(coordinator)
    for url in (reverse("stats:year_detail", args=[2024]), reverse("stats:annual_overview", args=[2024])):
        assert [i.pk for i in client.get(url).context["imports"]] == [louna.pk]
    # Reverting the national export would take the rest of the country's figures: not theirs.
    assert client.post(reverse("stats:import_revert", args=[2024, national.pk])).status_code == 404
    assert not StatsImport.objects.filter(reverted_at__isnull=False).exists()
    client.force_login(staff_user)
    for url in (reverse("stats:year_detail", args=[2024]), reverse("stats:annual_overview", args=[2024])):
        assert sorted(i.pk for i in client.get(url).context["imports"]) == sorted([national.pk, louna.pk])
    assert client.post(reverse("stats:import_revert", args=[2024, louna.pk])).status_code == 302
    assert client.post(reverse("stats:import_revert", args=[2024, national.pk])).status_code == 302
    assert StatsImport.objects.filter(reverted_at__isnull=False).count() == 2


# ---------------------------------------------------------------- the annual job


def test_the_job_computes_every_member_and_tells_every_members_director(members, staff_user, director,
                                                                      contact, tampere_contact):
    _save(staff_user)
    _run()
    # Every member municipality, with figures or not (Tammela is owed its points' figures);
    # Oulu's library has not joined and has no figures: no report.
    assert _codes(AnnualReport.objects.all()) == ["103", "834", "837", "853"]
    assert _codes(MunicipalityYearTotal.objects.all()) == ["103", "834", "837", "853"]
    tampere = AnnualReport.objects.get(municipality__code="837")
    assert tampere.figures["loans"] == 400000
    assert [p["name"] for p in tampere.details["service_points"].values()] == ["Tampereen pääkirjasto"]
    mail = OutboxMessage.objects.filter(kind="stats.annual_report")
    # The directors of the member libraries; no contact person, nobody outside the consortium.
    assert sorted(mail.values_list("to", flat=True)) == sorted(
        [director.email, members["tampere_director"].email, members["turku_director"].email])
    message = mail.get(to=members["tampere_director"].email)
    assert f"/stats/2024/municipalities/{tampere.municipality_id}/report/" in message.body_text


def test_a_municipality_outside_the_members_with_figures_gets_a_report_too(members, staff_user):
    # Figures of a library that has since left still make a report: the figures are the year's.
    _save(staff_user)
    members["oulu"].member_since = date(2020, 1, 1)
    members["oulu"].save()
    _save(staff_user, data=OULU.encode(), name="oulu.csv")
    members["oulu"].member_since = None
    members["oulu"].save()
    _run()
    assert AnnualReport.objects.get(municipality__code="564").figures["loans"] == 7


def test_the_coordinators_run_makes_louna_versions_only(client, members, staff_user, coordinator,
                                                       django_capture_on_commit_callbacks):
    _save(staff_user)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("stats:compute", args=[2024])).status_code == 302
    assert _codes(AnnualReport.objects.all()) == ["103", "834"]
    assert not OutboxMessage.objects.filter(to=members["tampere_director"].email).exists()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("stats:compute", args=[2024])).status_code == 302
    versions = dict(AnnualReport.objects.filter(version=2).values_list("municipality__code", "version"))
    assert sorted(versions) == ["103", "834"]
    assert _codes(AnnualReport.objects.filter(version=1)) == ["103", "834", "837", "853"]


def test_the_coordinator_cannot_lock_a_year_holding_other_members_figures(client, members, staff_user, coordinator,
                                                                          django_capture_on_commit_callbacks):
    """Marking the year reported locks every municipality's figures: with Tampere's and
    Turku's in it, that is staff's to do; the coordinator is told why and nothing changes."""
    _save(staff_user)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stats:compute", args=[2024]))
    client.force_login(coordinator)
    response = client.post(reverse("stats:report", args=[2024]), follow=True)
    refusal = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(refusal) == 1 and all(name in refusal[0] for name in ("Tampere", "Turku", "konsortion henkilökunta"))
    year = services.StatisticsYear.objects.get(year=2024)
    assert not year.is_locked and not AnnualReport.objects.filter(delivered=True).exists()
    client.force_login(staff_user)
    client.post(reverse("stats:report", args=[2024]))
    assert services.StatisticsYear.objects.get(year=2024).is_locked
    assert _codes(AnnualReport.objects.filter(delivered=True)) == ["103", "834", "837", "853"]


# ---------------------------------------------------------------- who sees what


def _report_urls(municipality_id):
    return [reverse("stats:annual_municipality", args=[2024, municipality_id]),
            reverse("stats:annual_municipality_xlsx", args=[2024, municipality_id]),
            reverse("stats:annual_municipality_csv", args=[2024, municipality_id]),
            reverse("stats:municipality_detail", args=[2024, municipality_id]),
            reverse("stats:municipality_export", args=[2024, municipality_id])]


def test_a_members_director_sees_their_own_report_and_no_other(client, members, staff_user, tampere, turku):
    _save(staff_user)
    _run()
    for who, own, other in (("tampere_director", tampere, turku), ("turku_director", turku, tampere)):
        client.force_login(members[who])
        assert [client.get(url).status_code for url in _report_urls(own.municipality_id)] == [200] * 5
        # The other member's id in the same URLs: not found, so its existence is not confirmed.
        assert [client.get(url).status_code for url in _report_urls(other.municipality_id)] == [404] * 5
        page = client.get(_report_urls(own.municipality_id)[0])
        assert page.context["report"].municipality_id == own.municipality_id
        assert client.get(reverse("stats:annual_overview", args=[2024])).status_code == 403
        # The year's own pages hold their municipality only.
        rows = client.get(reverse("stats:year_detail", args=[2024])).context["rows"]
        assert [row["municipality"].pk for row in rows] == [own.municipality_id]


def test_a_contact_and_a_non_members_director_see_no_report(client, members, staff_user, tampere_contact, tampere):
    _save(staff_user)
    _run()
    for user in (tampere_contact, members["oulu_director"]):
        client.force_login(user)
        assert [client.get(url).status_code for url in _report_urls(tampere.municipality_id)] == [403] * 5
        assert client.get(reverse("stats:national", args=[2024])).status_code == 200


def test_the_overview_shows_staff_every_member_and_the_coordinator_louna(client, members, staff_user, coordinator,
                                                                       tampere, humppila):
    _save(staff_user)
    _run()
    client.force_login(staff_user)
    response = client.get(reverse("stats:annual_overview", args=[2024]))
    assert [row["municipality"].code for row in response.context["completeness"]] == ["103", "834", "837", "853"]
    assert sorted({r.municipality.code for r in response.context["reports"]}) == ["103", "834", "837", "853"]
    assert client.get(_report_urls(tampere.municipality_id)[0]).status_code == 200
    tampere_report = AnnualReport.objects.get(municipality=tampere.municipality)
    humppila_report = AnnualReport.objects.get(municipality=humppila.municipality)
    client.force_login(coordinator)
    response = client.get(reverse("stats:annual_overview", args=[2024]))
    assert [row["municipality"].code for row in response.context["completeness"]] == ["103", "834"]
    assert sorted({r.municipality.code for r in response.context["reports"]}) == ["103", "834"]
    assert "Tampere" not in response.content.decode()
    assert [client.get(url).status_code for url in _report_urls(tampere.municipality_id)] == [404] * 5
    # Delivering: Louna's report yes, Tampere's is not the coordinator's (not found).
    assert client.post(reverse("stats:annual_deliver", args=[2024, tampere_report.pk])).status_code == 404
    assert client.post(reverse("stats:annual_deliver", args=[2024, humppila_report.pk])).status_code == 302
    assert list(AnnualReport.objects.filter(delivered=True)) == [humppila_report]
    rows = client.get(reverse("stats:year_detail", args=[2024])).context["rows"]
    assert [row["municipality"].code for row in rows] == ["103", "834"]
    client.force_login(staff_user)
    assert client.post(reverse("stats:annual_deliver", args=[2024, tampere_report.pk])).status_code == 302


# ---------------------------------------------------------------- query counts at two sizes

# Measured: the same at both sizes (the session and the user are two of them; a director's
# page also asks two for the other apps' navigation, which the coordinator's role answers).
# The overview also splits the e-material services' figures (their totals, the keys, the
# population) and reads the joint library organisations.
PAGE_QUERIES = {"overview": 14, "municipality": 8, "year": 15}


@pytest.fixture(params=[0, 2], ids=["demo", "scale2"])
def country(request):
    """The demo (5 Louna and 22 other member municipalities) or the demo at scale 2 (60
    municipalities, 150 service points), every member's figures and reports made."""
    from consortium.demo_data import seed_core
    from stats.demo_data import seed_stats

    seed_core(scale=request.param)
    seed_stats(scale=request.param)
    annual_services.annual_reports_create(year=2024, notify=False)
    return request.param


@pytest.mark.parametrize("who,url_name", [("henkilokunta", "overview"), ("koordinaattori", "overview"),
                                          ("henkilokunta", "year"), ("johtaja.tampere", "municipality")])
def test_query_counts_are_constant_for_every_member(client, country, who, url_name,
                                                    django_assert_max_num_queries):
    from consortium.demo_data import demo_email
    from consortium.models import Municipality, User

    tampere = Municipality.objects.get(code="837")
    members = AnnualReport.objects.filter(statistics_year__year=2024, version=2).count()
    assert members >= (60 if country else 27)
    urls = {"overview": reverse("stats:annual_overview", args=[2024]),
            "year": reverse("stats:year_detail", args=[2024]),
            "municipality": reverse("stats:annual_municipality", args=[2024, tampere.pk])}
    client.force_login(User.objects.get(email=demo_email(who)))
    with django_assert_max_num_queries(PAGE_QUERIES[url_name]):
        response = client.get(urls[url_name])
    assert response.status_code == 200
    if url_name == "overview":
        shown = len(response.context["completeness"])
        assert shown == (5 if who == "koordinaattori" else members)
    elif url_name == "year":
        assert len(response.context["rows"]) == members
    else:
        assert response.context["report"].municipality_id == tampere.pk
        assert len(response.context["point_rows"]) == 1


def test_the_years_workbook_holds_the_persons_municipalities(client, members, staff_user, coordinator):
    import io

    from openpyxl import load_workbook

    _save(staff_user)
    _run()

    def names(user):
        client.force_login(user)
        response = client.get(reverse("stats:export", args=[2024]))
        assert response["Content-Disposition"] == 'attachment; filename="tilastot-2024.xlsx"'
        cells = {cell for sheet in load_workbook(io.BytesIO(response.content)).worksheets
                 for row in sheet.iter_rows(values_only=True) for cell in row}
        return {name for name in ("Humppila", "Tammela", "Tampere", "Turku", "Oulu") if name in cells}

    assert names(staff_user) == {"Humppila", "Tammela", "Tampere", "Turku"}
    assert names(coordinator) == {"Humppila", "Tammela"}
    assert names(members["turku_director"]) == {"Turku"}

    # Louna's shared services' totals are a sheet only where a Louna municipality is.
    def sheets(user):
        client.force_login(user)
        return load_workbook(io.BytesIO(client.get(reverse("stats:export", args=[2024])).content)).sheetnames

    assert "Yhteiset palvelut" in sheets(coordinator) and "Yhteiset palvelut" in sheets(staff_user)
    assert sheets(members["turku_director"]) == ["Kunnat", "Palvelupisteet"]


def test_a_member_outside_louna_shows_no_figure_for_louna_s_shared_services(client, members, staff_user, tampere):
    """Seen on the demo as Tampere's director: the year page and its Excel gave Tampere 0
    Finna visits and 0 shared e-material uses, figures Tampere never had (Louna's shared
    services); a zero is a figure, so a missing one shows as "–" and an empty cell."""
    import io

    from openpyxl import load_workbook

    _save(staff_user)
    services.import_save(year=2024, kind=StatsImport.Kind.SHARED, file_name="yhteiset.csv", by=staff_user,
                         data=b"Tieto;Yhteensa\nfinna_visits;1000\n")
    client.force_login(members["tampere_director"])
    response = client.get(reverse("stats:year_detail", args=[2024]))
    page = response.content.decode()
    shared = page[page.index('aria-labelledby="shared"'):]
    row = shared[shared.index("Tampere"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r"<td>([^<]*)</td>", row) == ["–"] * 5
    workbook = load_workbook(io.BytesIO(client.get(reverse("stats:export", args=[2024])).content))
    header, tampere_row = list(workbook["Kunnat"].iter_rows(min_row=4, max_row=5, values_only=True))
    cells = dict(zip(header, tampere_row, strict=True))
    assert cells["Lainaus (ml. uusinnat)"] == 400000 and cells["Finnan verkkokäynnit"] is None
    # Humppila, in Louna, has its part of the split (the coordinator's view of the same year).
    client.force_login(staff_user)
    rows = {row["municipality"].name_fi: row for row in client.get(
        reverse("stats:year_detail", args=[2024])).context["rows"]}
    assert rows["Humppila"]["figures"]["finna_visits"] > 0 and rows["Tampere"]["figures"]["finna_visits"] is None


def test_a_version_without_changes_is_told_in_words_not_as_zero(members, staff_user):
    """Seen in the demo's outbox: a second version with nothing changed read "0 lukua
    muuttui edellisestä versiosta" ("0 figures changed")."""
    _save(staff_user)
    _run()
    _run()
    message = OutboxMessage.objects.filter(kind="stats.annual_report", to=members["tampere_director"].email,
                                           subject__contains="versio 2").get()
    assert "Mikään luku ei muuttunut edellisestä versiosta." in message.body_text
    assert "0 lukua" not in message.body_text
