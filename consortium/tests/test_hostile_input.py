"""Hostile input (hypothesis) to the services behind the main forms and the subscriber import:
a clear ValidationError or a clean result, never another exception, never half-saved; and
text that looks like a formula is never a formula in an Excel export."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook, load_workbook

from consortium.models import Role
from consortium.spreadsheets import FORMULA_STARTS, append_row, safe_cell
from consortium.tests.factories import LounaLibraryFactory, user_with_role
from newsletters import services as newsletter_services
from newsletters.models import Item, Subscriber
from procurement import services as procurement_services
from procurement.models import OptIn
from procurement.tests.factories import OpenProcurementFactory

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-1+1", "=HYPERLINK(\"http://x\")",
            "\t=1", "\r=1"]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(FORMULAS + ["\x00", "\x00\x01\x1f\x7f", "<script>alert(1)</script>", "’\u202e\ufeff", " "]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=140, max_size=5000),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

pytestmark = pytest.mark.django_db


def _fails_cleanly_or_saves(call):
    """Run a service in a savepoint, as a view would see it: a ValidationError or a result."""
    try:
        with transaction.atomic():
            return call(), None
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return None, error


# ---------------------------------------------------------------- newsletter item


@FUZZ
@given(title=HOSTILE_TEXT, body=HOSTILE_TEXT, link=HOSTILE_TEXT)
def test_newsletter_item_save_with_hostile_text(title, body, link):
    staff = user_with_role(Role.STAFF)
    before = Item.objects.count()
    item, error = _fails_cleanly_or_saves(lambda: newsletter_services.item_save(
        by=staff, data={"title": title, "body": body, "link": link}))
    if error:
        assert Item.objects.count() == before
    else:
        saved = Item.objects.get(pk=item.pk)
        assert (saved.title, saved.body) == (title, body)


# ---------------------------------------------------------------- subscription


@FUZZ
@given(email=HOSTILE_TEXT, name=HOSTILE_TEXT, language=st.one_of(st.sampled_from(["fi", "sv", "en"]), HOSTILE_TEXT))
def test_subscription_request_with_hostile_input(email, name, language):
    before = Subscriber.objects.count()
    subscriber, error = _fails_cleanly_or_saves(lambda: newsletter_services.subscriber_request(
        email=email, name=name, language=language))
    if error:
        assert Subscriber.objects.count() == before
    else:
        assert Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.PENDING).exists()


# ---------------------------------------------------------------- procurement opt-in

MONEY = st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2),
                  st.sampled_from([10 ** 15, -1, 0, "12 500,50", "1e309"]))


@FUZZ
@given(answer=st.sampled_from(["committed", "interested", "declined", "withdrawn", "", "=1+1"]), estimate=MONEY,
       text=HOSTILE_TEXT, decision_date=st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))))
def test_opt_in_answer_with_hostile_input(answer, estimate, text, decision_date):
    library = LounaLibraryFactory()
    contact = user_with_role(Role.CONTACT, library=library)
    procurement = OpenProcurementFactory()
    opt_in, error = _fails_cleanly_or_saves(lambda: procurement_services.opt_in_answer(
        procurement=procurement, library=library, by=contact, answer=answer, expected_version=0,
        yearly_estimate=estimate, contact_name=text, contact_email="", contact_phone=text[:40],
        decision_maker=text, decision_date=decision_date, decision_number=text, decline_reason=text))
    if error:
        assert not OptIn.objects.filter(procurement=procurement, library=library).exists()
    else:
        assert OptIn.objects.get(pk=opt_in.pk).answer == answer


# ---------------------------------------------------------------- subscriber import

CELLS = st.one_of(HOSTILE_TEXT, st.emails(), st.sampled_from(["fi", "sv", "en", "'", '"', ";", ",", "\n"]))


def _csv(rows, delimiter: str, encoding: str) -> bytes:
    text = "\r\n".join(delimiter.join(row) for row in rows)
    return text.encode(encoding, errors="replace")


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=8), delimiter=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_subscriber_import_with_hostile_files(rows, delimiter, encoding):
    staff = user_with_role(Role.STAFF)
    before = set(Subscriber.objects.values_list("email", flat=True))
    report, error = _fails_cleanly_or_saves(lambda: newsletter_services.subscribers_import(
        content=_csv(rows, delimiter, encoding), basis="Kirjaston asiakasrekisteri", by=staff))
    after = set(Subscriber.objects.values_list("email", flat=True))
    if error:
        assert after == before  # nothing half-saved
    else:
        assert after - before == set(report.added)


@FUZZ
@given(noise=st.binary(max_size=2000))
def test_subscriber_import_with_random_bytes(noise):
    staff = user_with_role(Role.STAFF)
    _fails_cleanly_or_saves(lambda: newsletter_services.subscribers_import(content=noise, basis="x", by=staff))


def test_a_cell_over_the_csv_field_limit_is_a_clear_error_naming_the_line():
    staff = user_with_role(Role.STAFF)
    content = ("sähköposti;nimi\nmaija@example.fi;Maija\nmatti@example.fi;" + "x" * 131_073 + "\n").encode()
    with pytest.raises(ValidationError) as caught:
        newsletter_services.subscribers_import(content=content, basis="Lomake", by=staff)
    message = caught.value.message_dict["file"][0]
    assert "3" in message and "131072" in message
    assert not Subscriber.objects.exists()


# ---------------------------------------------------------------- Excel exports


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.sampled_from(FORMULAS), st.text(max_size=50).map(lambda t: "=" + t), st.text(max_size=50)))
def test_no_text_ever_becomes_an_active_formula(value):
    value = "".join(char for char in value if char >= " " or char in "\t\r\n")  # what openpyxl can store
    workbook = Workbook()
    append_row(workbook.active, [value])
    saved = io.BytesIO()
    workbook.save(saved)
    cell = load_workbook(io.BytesIO(saved.getvalue())).active["A1"]
    assert cell.data_type != "f"
    if value.startswith(FORMULA_STARTS):
        assert cell.quotePrefix
        assert not str(safe_cell(value)).startswith(FORMULA_STARTS)
