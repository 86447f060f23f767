"""The web sites and e-material services are kept on the statistics pages (/stats/services/):
the coordinator and staff add and change them, and a change shows in the next import."""

import codecs

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stats import services
from stats.models import Metric, Service, ServiceFigure, StatsImport
from stats.service_registry import service_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def finna(db):
    return Service.objects.create(code="finna", name="Finna", kind=Service.Kind.WEB, matomo_site="3",
                                  feeds=Metric.objects.get(code="finna_visits"))


def _post(client, url, **fields):
    data = {"name": "", "code": "", "kind": "web", "matomo_site": "", "feeds": "", "is_active": "on", **fields}
    return client.post(url, data)


def test_the_coordinator_adds_an_ematerial_service_and_finds_it_in_the_list(client, coordinator):
    client.force_login(coordinator)
    response = _post(client, reverse("stats:service_create"), name="Ellibs", code="ellibs", kind="ematerial")
    assert response.status_code == 302 and response.url == reverse("stats:service_list")
    service = Service.objects.get(code="ellibs")
    assert (service.name, service.kind, service.is_active) == ("Ellibs", "ematerial", True)
    page = client.get(reverse("stats:service_list")).content.decode()
    assert "Ellibs" in page and reverse("stats:service_edit", args=[service.pk]) in page


def test_a_new_matomo_site_is_what_the_next_web_analytics_export_is_read_by(client, staff_user, finna, points):
    client.force_login(staff_user)
    response = _post(client, reverse("stats:service_edit", args=[finna.pk]), name="Finna", code="finna",
                     matomo_site="Finna.fi", feeds=str(finna.feeds_id))
    assert response.status_code == 302
    services.statistics_year_open(year=2024)
    export = codecs.BOM_UTF16_LE + "date,label,nb_visits\n2024-01,Finna.fi,31200".encode("utf-16-le")
    parsed = services.import_prepare(year=2024, kind=StatsImport.Kind.WEB_VISITS, data=export)
    assert parsed.is_valid, parsed.errors
    assert [(row.service, row.month, row.value) for row in parsed.rows] == [(finna, 1, 31200)]


@pytest.mark.parametrize("fields, field, message", [
    # Another active web site is already known by this name: a file's row would be ambiguous.
    # (The coordinator's pages are in Finnish.)
    ({"name": "Lounakirjailijat", "code": "kirjailijat2", "matomo_site": "Finna"}, "matomo_site",
     "Finna tunnetaan jo nimellä ”Finna”"),
    ({"name": "Kirjastot.fi", "code": "FINNA"}, "code", "Finna tunnetaan jo nimellä ”FINNA”"),
    ({"name": "Ellibs", "code": "ellibs", "kind": "ematerial", "matomo_site": "7"}, "matomo_site",
     "Vain verkkosivustolla on Matomo-sivusto."),
    ({"name": "x", "code": "with space"}, "code", "vain kirjaimista, numeroista"),
    ({"name": "", "code": "empty"}, "name", "Tämä kenttä vaaditaan."),
])
def test_a_bad_service_is_refused_naming_the_field_and_nothing_is_saved(client, coordinator, finna, fields, field,
                                                                         message):
    client.force_login(coordinator)
    response = _post(client, reverse("stats:service_create"), **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert list(Service.objects.values_list("code", flat=True)) == ["finna"]


def test_an_ematerial_service_cannot_feed_a_shared_figure(coordinator, finna):
    with pytest.raises(ValidationError) as refused:
        service_save(code="ellibs", name="Ellibs", kind="ematerial", feeds=finna.feeds)
    assert "feeds" in refused.value.message_dict
    assert not Service.objects.filter(code="ellibs").exists()


def test_a_service_with_figures_keeps_its_type_and_an_inactive_one_frees_its_names(client, coordinator, finna):
    statistics_year = services.statistics_year_open(year=2024)
    record = StatsImport.objects.create(statistics_year=statistics_year, kind="web_visits", file_name="m.csv", rows=1)
    ServiceFigure.objects.create(statistics_year=statistics_year, service=finna, metric=Metric.objects.get(
        code="web_visits"), month=1, value=10, source_import=record)
    client.force_login(coordinator)
    url = reverse("stats:service_edit", args=[finna.pk])
    response = _post(client, url, name="Finna", code="finna", kind="ematerial")
    assert "Palvelulla on lukuja" in " ".join(response.context["form"].errors["kind"])
    assert Service.objects.get(pk=finna.pk).kind == "web"
    # Taken out of use, Finna's names may be given to a new site (the old one keeps its figures).
    assert _post(client, url, name="Finna", code="finna", matomo_site="3", is_active="").status_code == 302
    assert _post(client, reverse("stats:service_create"), name="Finna", code="finna-uusi",
                 matomo_site="3").status_code == 302
    assert Service.objects.get(pk=finna.pk).figures.count() == 1


@pytest.mark.parametrize("extra", [0, 30])
def test_the_service_list_asks_the_same_few_queries_however_many_services(client, staff_user, extra,
                                                                          django_assert_max_num_queries):
    Service.objects.bulk_create([Service(code=f"palvelu-{n}", name=f"Palvelu {n}", kind="ematerial")
                                 for n in range(extra)])
    client.force_login(staff_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("stats:service_list"))
    assert response.status_code == 200
    assert response.content.decode().count("/stats/services/") >= extra


def test_the_service_code_is_not_called_a_municipality_code(client, coordinator, finna):
    """Seen on the demo: the form's code field and the list's column read "Kuntanumero"
    (the catalogue's word for a bare "Code", which elsewhere is the municipality code)."""
    client.force_login(coordinator)
    for url in (reverse("stats:service_create"), reverse("stats:service_list")):
        page = client.get(url).content.decode()
        assert "Koodi" in page and "Kuntanumero" not in page, url
