"""The participants list for the purchasing body: Excel and CSV, with sums by category."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from procurement.models import Answer, Category
from procurement.selectors import sums_by_category
from procurement.tests.factories import OpenProcurementFactory, OptInFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(humppila, tammela, tampere):
    procurement = OpenProcurementFactory(category=Category.PERIODICALS, body_reference="KLKH150")
    OptInFactory(procurement=procurement, library=humppila, yearly_estimate=Decimal("1200.50"),
                 contact_name="=HYPERLINK(\"http://evil.example\")", decision_number="§ 7")
    OptInFactory(procurement=procurement, library=tammela, yearly_estimate=Decimal("800.25"),
                 contact_name="+358 40 123", decision_number="-5")
    OptInFactory(procurement=procurement, library=tampere, answer=Answer.INTERESTED, yearly_estimate=Decimal("99"))
    other = OpenProcurementFactory(category=Category.BOOKS)
    OptInFactory(procurement=other, library=humppila, yearly_estimate=Decimal("5000"))
    OptInFactory(procurement=other, library=tammela, answer=Answer.DECLINED, yearly_estimate=None)
    return procurement


def test_excel_opens_and_its_sums_equal_the_commitments(client, staff_user, answered):
    client.force_login(staff_user)
    response = client.get(f"/procurement/{answered.pk}/participants.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="klkh150-osallistujat.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    data = [row for row in rows if row[0] in ("103", "834", "837")]
    assert [(row[0], row[3]) for row in data] == [("103", "sitova sitoumus"), ("834", "sitova sitoumus"),
                                                  ("837", "kiinnostunut")]
    assert data[0][1] == "Humppila" and data[0][2] == "Humppilan kunnankirjasto"
    committed = sum(Decimal(str(row[7])) for row in data if row[3] == "sitova sitoumus")
    total_row = rows[-1]
    assert Decimal(str(total_row[7])) == committed == Decimal("2000.75")
    # Formula injection: text that would run as a formula is a text cell, shown as written
    # (no apostrophe the reader would see).
    assert data[0][4].startswith("=HYPERLINK")
    assert data[1][4] == "+358 40 123" and data[1][10] == "-5"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    sums = {row[0]: row for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(sums["aikakauslehdet"][3])) == Decimal("2000.75")
    assert Decimal(str(sums["kirjat"][3])) == Decimal("5000")
    assert sums["kirjat"][2] == 1
    expected = {row["label"]: row["total"] for row in sums_by_category()}
    assert Decimal(str(sums["kirjat"][3])) == expected[Category.BOOKS.label]


def test_csv_is_semicolon_separated_utf8_with_bom_and_decimal_commas(client, staff_user, answered):
    client.force_login(staff_user)
    response = client.get(f"/procurement/{answered.pk}/participants.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Kuntanumero"
    humppila = next(row for row in rows if row[0] == "103")
    assert humppila[7] == "1200,50"
    assert humppila[4].startswith("'=")


def test_exports_are_for_staff_only(client, contact, answered):
    client.force_login(contact)
    assert client.get(f"/procurement/{answered.pk}/participants.xlsx").status_code == 403
    assert client.get(f"/procurement/{answered.pk}/participants.csv").status_code == 403
