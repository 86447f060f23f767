"""Orders: recorded against a budget and a version of the principles, warned before the
budget is exceeded, moved step by step until customers can see them in Finna; imported
from a vendor's file only after a preview that names every refused row."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from louna.ematerials import selectors, services
from louna.ematerials.models import Order, OrderImport

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_an_order_that_would_exceed_the_budget_is_refused_until_confirmed(budget, principle, coordinator, order_fields):
    services.order_record(budget=budget, principle=principle, by=coordinator, **{**order_fields, "price": Decimal("950")})
    with pytest.raises(ValidationError) as error:
        services.order_record(budget=budget, principle=principle, by=coordinator,
                              **{**order_fields, "price": Decimal("60")})
    assert error.value.message_dict["price"] == [
        "This order takes Ellibs e-kirjat over its budget: 950.00\xa0€ already ordered of 1,000.00\xa0€, "
        "10.00\xa0€ over. Confirm to record it anyway."]
    assert Order.objects.count() == 1
    services.order_record(budget=budget, principle=principle, by=coordinator, allow_over_budget=True,
                          **{**order_fields, "price": Decimal("60")})
    line = selectors.year_overview(YEAR).lines[0]
    assert line.over and line.left == Decimal("-10.00")


def test_principles_of_another_year_are_refused(budget, decision, coordinator, order_fields):
    old = services.principle_adopt(year=YEAR - 1, text="Vanhat periaatteet", decision=decision, by=coordinator)
    with pytest.raises(ValidationError, match="principles are for 2025 but the budget for 2026"):
        services.order_record(budget=budget, principle=old, by=coordinator, **order_fields)


def test_a_new_wording_of_the_principles_is_a_new_version(decision, coordinator):
    first = services.principle_adopt(year=YEAR, text="Ensimmäinen", decision=decision, by=coordinator)
    second = services.principle_adopt(year=YEAR, text="Toinen", decision=decision, by=coordinator)
    assert (first.version, second.version) == (1, 2)
    assert selectors.current_principle(YEAR) == second
    with pytest.raises(ValidationError):
        services.principle_adopt(year=YEAR, text="  ", decision=decision, by=coordinator)


def test_an_order_moves_forward_to_visible_in_finna_with_dates(budget, principle, coordinator, order_fields):
    order = services.order_record(budget=budget, principle=principle, by=coordinator, **order_fields)
    today = date(YEAR, 4, 1)
    services.order_advance(order=order, state=Order.State.CATALOGUED, on=date(YEAR, 3, 10), today=today)
    order.refresh_from_db()
    # The step passed over (received) gets the same day: it happened by then.
    assert (order.state, order.received_on, order.catalogued_on) == ("catalogued", date(YEAR, 3, 10), date(YEAR, 3, 10))
    with pytest.raises(ValidationError, match="already catalogued"):
        services.order_advance(order=order, state=Order.State.RECEIVED, on=date(YEAR, 3, 11), today=today)
    with pytest.raises(ValidationError, match="future"):
        services.order_advance(order=order, state=Order.State.VISIBLE, on=date(YEAR, 4, 2), today=today)
    with pytest.raises(ValidationError, match="before the order date"):
        services.order_advance(order=order, state=Order.State.VISIBLE, on=date(YEAR, 3, 1), today=today)
    services.order_advance(order=order, state=Order.State.VISIBLE, on=date(YEAR, 3, 12), today=today)
    assert selectors.cataloguing_queue(today=today) == []


def test_the_cataloguing_queue_lists_what_waits_oldest_first(budget, principle, coordinator, order_fields):
    late = services.order_record(budget=budget, principle=principle, by=coordinator,
                                 **{**order_fields, "ordered_on": date(YEAR, 1, 5)})
    recent = services.order_record(budget=budget, principle=principle, by=coordinator, **order_fields)
    assert selectors.cataloguing_queue(today=date(YEAR, 3, 12)) == [(late, 66), (recent, 10)]


# ---------------------------------------------------------------- importing a file

HEADER = "Palvelu;Nimekkeet;Nimekkeitä;Lisenssimalli;Lisenssejä;Hinta;Tilattu;Viite\r\n"


def csv_file(*rows: str) -> bytes:
    return ("\ufeff" + HEADER + "".join(row + "\r\n" for row in rows)).encode("utf-8")


GOOD = "Ellibs e-kirjat;Tuntematon sotilas;1;one copy, one user;2;24,90;3.2.2026;INV-1"


def test_every_refused_row_is_named_and_nothing_is_saved(budget, principle, coordinator):
    data = csv_file(GOOD, "Tuntematon palvelu;X;1;subscription;1;10;3.2.2026;",
                    "Ellibs e-kirjat;;1;outo malli;0;-5;32.2.2026;", "Ellibs e-kirjat;Y;1;subscription;1;10;3.2.2025;")
    draft = services.orders_import_preview(data=data, file_name="tilaukset.csv", year=YEAR, by=coordinator)
    assert [row["row"] for row in draft.rows] == [2]
    reasons = dict(draft.errors)
    assert reasons[3] == "no 2026 budget for the service “Tuntematon palvelu”"
    assert "the titles are empty" in reasons[4] and "unknown licence model “outo malli”" in reasons[4]
    assert "“0” is not a whole number above zero" in reasons[4] and "“-5” is not a price in euros" in reasons[4]
    assert "“32.2.2026” is not a date" in reasons[4]
    assert reasons[5] == "the order date 3.2.2025 is not in 2026"
    with pytest.raises(ValidationError, match="nothing was saved"):
        services.orders_import_confirm(draft=draft, by=coordinator)
    assert not Order.objects.exists()


def test_a_clean_file_is_saved_once_and_the_same_file_again_is_recognised(budget, principle, coordinator):
    data = csv_file(GOOD, "Ellibs e-kirjat;Seitsemän veljestä;3;Simultaneous use;5;1 250,00;4.2.2026;")
    draft = services.orders_import_preview(data=data, file_name="tilaukset.csv", year=YEAR, by=coordinator)
    orders = services.orders_import_confirm(draft=draft, by=coordinator, allow_over_budget=True)
    assert [(o.titles, o.licence_model, o.price) for o in orders] == [
        ("Tuntematon sotilas", "one_copy", Decimal("24.90")), ("Seitsemän veljestä", "simultaneous", Decimal("1250.00"))]
    assert all(order.imported_from == draft and order.principle == principle for order in orders)
    with pytest.raises(ValidationError, match="already imported"):
        services.orders_import_confirm(draft=draft, by=coordinator)
    with pytest.raises(ValidationError, match="already imported on"):
        services.orders_import_preview(data=data, file_name="sama.csv", year=YEAR, by=coordinator)
    assert Order.objects.count() == 2


def test_an_import_over_the_budget_names_the_row(budget, principle, coordinator):
    data = csv_file("Ellibs e-kirjat;Paketti;40;subscription;1;1 200;3.2.2026;")
    draft = services.orders_import_preview(data=data, file_name="paketti.csv", year=YEAR, by=coordinator)
    with pytest.raises(ValidationError, match="Row 2: This order takes Ellibs e-kirjat over its budget"):
        services.orders_import_confirm(draft=draft, by=coordinator)
    assert not Order.objects.exists() and OrderImport.objects.get().state == "draft"


def test_an_excel_file_imports_like_a_csv(budget, principle, coordinator):
    workbook = Workbook()
    workbook.active.append(["Palvelu", "Nimekkeet", "Nimekkeitä", "Lisenssimalli", "Lisenssejä", "Hinta", "Tilattu"])
    workbook.active.append(["Ellibs e-kirjat", "Kalevala", 2.0, "pay per use", 1, 15.5, date(YEAR, 5, 4)])
    saved = io.BytesIO()
    workbook.save(saved)
    draft = services.orders_import_preview(data=saved.getvalue(), file_name="lasku.xlsx", year=YEAR, by=coordinator)
    assert draft.errors == []
    assert draft.rows[0] | {} == {**draft.rows[0], "title_count": 2, "licence_model": "pay_per_use", "price": "15.50",
                                  "ordered_on": "2026-05-04"}


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe\x00\x00garbage", "not text"),
    ("Palvelu;Hinta\r\n\x81\x8d\x8f;1\r\n".encode("latin-1"), "not text"),
    (b"%PDF-1.7 not an order file", "not a CSV or Excel"),
    (("Palvelu;Hinta\r\nEllibs e-kirjat;" + "9" * 200_000 + "\r\n").encode(), "Row 2 cannot be read"),
    ("Palvelu;Hinta\r\nEllibs e-kirjat;9\r\n".encode(), "Columns missing: nimekkeet, lisenssimalli, tilattu"),
    (("\ufeff" + HEADER + "Ellibs e-kirjat;" + "x" * 140_000 + ";1;subscription;1;1;3.2.2026;\r\n").encode(), ""),
])
def test_hostile_files_get_a_reason_not_a_crash(budget, principle, coordinator, data, reason):
    draft = services.orders_import_preview(data=data, file_name="x.csv", year=YEAR, by=coordinator)
    assert draft.errors and not draft.rows
    assert reason in " ".join(str(message) for _row, message in draft.errors)
