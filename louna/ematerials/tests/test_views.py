"""Who sees and changes Louna's e-materials, and what the pages show each of them."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from consortium.models import Role
from consortium.tests.factories import user_with_role
from louna.ematerials import services
from louna.ematerials.models import Order, OrderImport

from .conftest import YEAR

pytestmark = pytest.mark.django_db

VIEW_URLS = [("louna_ematerials:overview_year", [YEAR]), ("louna_ematerials:principles", [YEAR]),
             ("louna_ematerials:orders", []), ("louna_ematerials:cataloguing", [])]
MANAGE_URLS = [("louna_ematerials:principle_add", [YEAR]), ("louna_ematerials:budget_add", [YEAR]),
               ("louna_ematerials:order_add", []), ("louna_ematerials:import", [])]


@pytest.fixture
def order(budget, principle, coordinator, order_fields):
    return services.order_record(budget=budget, principle=principle, by=coordinator, **order_fields)


@pytest.mark.parametrize("who, view, manage", [
    ("coordinator", 200, 200), ("staff_user", 200, 200), ("director", 200, 403),
    ("contact", 403, 403), ("tampere_contact", 403, 403), ("nobody", 403, 403)])
def test_each_role_sees_and_changes_what_it_may(client, request, order, who, view, manage):
    client.force_login(request.getfixturevalue(who))
    for name, args in VIEW_URLS + [("louna_ematerials:order_detail", [order.pk])]:
        assert client.get(reverse(name, args=args)).status_code == view, name
    for name, args in MANAGE_URLS + [("louna_ematerials:budget_edit", [order.budget_id])]:
        assert client.get(reverse(name, args=args)).status_code == manage, name
    response = client.post(reverse("louna_ematerials:order_advance", args=[order.pk]),
                           {"state": "received", "on": "4.3.2026"})
    assert response.status_code == (302 if manage == 200 else 403)
    assert Order.objects.get(pk=order.pk).state == ("received" if manage == 200 else "ordered")


def test_anonymous_is_sent_to_log_in(client, order):
    response = client.get(reverse("louna_ematerials:overview"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_director_sees_their_own_municipalitys_share_marked(client, director, order, towns):
    client.force_login(director)
    html = client.get(reverse("louna_ematerials:overview_year", args=[YEAR])).content.decode()
    assert "Suomenkieliset e-kirjat ensin." in html  # the principles
    row = html[html.index('<table class="table" id="shares">'):]
    humppila_row = row[row.index("Humppila"):][:600]
    assert "sinun kuntasi" in humppila_row
    assert "8,70\xa0€" in humppila_row  # Humppila's share of the 100 € order (2 174 of 24 990 people)


def test_an_order_form_over_the_budget_shows_the_warning_and_saves_with_the_confirmation(
        client, coordinator, budget, principle):
    client.force_login(coordinator)
    data = {"budget": budget.pk, "principle": principle.pk, "titles": "Iso paketti", "title_count": 300,
            "licence_model": "subscription", "licences": 1, "price": "1 200,00", "ordered_on": "2.3.2026"}
    response = client.post(reverse("louna_ematerials:order_add") + f"?year={YEAR}", data)
    assert response.status_code == 200
    assert "yli budjetin" in response.content.decode() or "over its budget" in response.content.decode()
    assert not Order.objects.exists()
    response = client.post(reverse("louna_ematerials:order_add") + f"?year={YEAR}", {**data, "allow_over_budget": "on"})
    assert response.status_code == 302
    assert Order.objects.get().price == Decimal("1200.00")


def test_an_import_preview_is_its_uploaders_only(client, coordinator, staff_user, budget, principle):
    data = ("Palvelu;Nimekkeet;Lisenssimalli;Hinta;Tilattu\r\nEllibs e-kirjat;Kalevala;subscription;10;3.2.2026\r\n")
    draft = services.orders_import_preview(data=data.encode(), file_name="a.csv", year=YEAR, by=coordinator)
    client.force_login(staff_user)
    assert client.get(reverse("louna_ematerials:import_preview", args=[draft.pk])).status_code == 404
    assert client.post(reverse("louna_ematerials:import_confirm", args=[draft.pk])).status_code == 404
    client.force_login(coordinator)
    assert client.get(reverse("louna_ematerials:import_preview", args=[draft.pk])).status_code == 200
    assert client.post(reverse("louna_ematerials:import_confirm", args=[draft.pk])).status_code == 302
    assert OrderImport.objects.get().state == "confirmed" and Order.objects.count() == 1


def test_the_upload_page_previews_and_names_refused_rows(client, coordinator, budget, principle):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    text = "Palvelu;Nimekkeet;Lisenssimalli;Hinta;Tilattu\r\nEllibs e-kirjat;Kalevala;subscription;kymmenen;3.2.2026\r\n"
    response = client.post(reverse("louna_ematerials:import") + f"?year={YEAR}",
                           {"file": SimpleUploadedFile("t.csv", text.encode("cp1252"))}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="refused-rows"' in html
    assert "kymmenen" in html and not Order.objects.exists()


@pytest.mark.parametrize("orders", [2, 40])
def test_the_overview_keeps_its_queries_as_orders_grow(client, director, budget, principle, coordinator,
                                                       django_assert_max_num_queries, orders):
    Order.objects.bulk_create(Order(budget=budget, principle=principle, titles=f"T{n}", licence_model="one_copy",
                                    price=Decimal("1.00"), ordered_on=date(YEAR, 2, 1)) for n in range(orders))
    client.force_login(director)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("louna_ematerials:overview_year", args=[YEAR])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("louna_ematerials:orders") + f"?year={YEAR}").status_code == 200


def test_a_director_of_a_library_outside_louna_sees_nothing(client, tampere, order):
    client.force_login(user_with_role(Role.DIRECTOR, library=tampere))
    assert client.get(reverse("louna_ematerials:overview")).status_code == 403
    assert client.get(reverse("louna_ematerials:order_detail", args=[order.pk])).status_code == 403
