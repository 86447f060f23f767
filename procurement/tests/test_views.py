"""Pages and who may use them: members answer only for their own library (404 for any
other), staff manage; lists, overview, cards, navigation and the newsletter section."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from consortium.registry import cards_for, nav_for, newsletter_sections
from consortium.permissions import roles_of
from procurement.models import Answer, OptIn, OptInEvent, Procurement, State
from procurement.tests.factories import (
    AgreementFactory,
    AppealFactory,
    OpenProcurementFactory,
    OptInFactory,
    ProcurementFactory,
    PurchasingBodyFactory,
    working_day_deadline,
)

pytestmark = pytest.mark.django_db


def form_data(version=0, **overrides):
    data = {"answer": "committed", "yearly_estimate": "12 500,50", "contact_name": "Heikki Yhteyshenkilö",
            "contact_email": "heikki@humppila.example", "decision_maker": "Sivistyslautakunta",
            "decision_date": (date.today() - timedelta(days=2)).isoformat(), "decision_number": "§ 42",
            "version": version}
    data.update(overrides)
    return data


# ---------------------------------------------------------------- permission matrix

STAFF_URLS = ["procurement:overview", "procurement:create"]


@pytest.mark.parametrize("url_name", STAFF_URLS)
@pytest.mark.parametrize("who, status", [("staff_user", 200), ("contact", 403), ("director", 403),
                                         ("coordinator", 403), ("nobody", 403)])
def test_staff_pages(client, request, url_name, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(url_name)).status_code == status


def test_anonymous_is_sent_to_login_except_for_open_data(client, open_procurement):
    for path in ["/procurement/", f"/procurement/{open_procurement.pk}/", "/procurement/our/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(f"/procurement/{open_procurement.pk}/ocds.json").status_code == 200


@pytest.mark.parametrize("who", ["contact", "director"])
def test_director_and_contact_answer_for_their_library(client, request, open_procurement, humppila, who):
    person = request.getfixturevalue(who)
    client.force_login(person)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data())
    assert response.status_code == 302
    opt_in = OptIn.objects.get()
    assert opt_in.answered_by == person and opt_in.yearly_estimate == Decimal("12500.50")


def test_another_librarys_answer_is_not_found(client, open_procurement, humppila, tammela, contact, other_director,
                                              coordinator, tampere_contact):
    OptInFactory(procurement=open_procurement, library=tammela, answered_by=other_director)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, tammela.pk])
    for person in (contact, coordinator, tampere_contact):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(version=1)).status_code == 404
    assert OptIn.objects.get().answered_by == other_director
    client.force_login(contact)
    assert client.get(reverse("procurement:opt_in", args=[open_procurement.pk, 99999])).status_code == 404
    assert client.get(reverse("procurement:opt_in", args=[99999, humppila.pk])).status_code == 404


def test_bad_answer_shows_the_field_error_and_saves_nothing(client, open_procurement, humppila, contact):
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    response = client.post(url, form_data(yearly_estimate="-100", decision_number=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert "yearly_estimate" in form.errors and "decision_number" in form.errors
    assert not OptIn.objects.exists() and not OptInEvent.objects.exists()


def test_stale_form_gets_a_clear_message(client, open_procurement, humppila, contact, director):
    OptInFactory(procurement=open_procurement, library=humppila, answered_by=director, yearly_estimate=Decimal(5))
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    response = client.post(url, form_data(version=0, yearly_estimate="7"))
    assert response.status_code == 200
    assert "sillä aikaa, kun muokkasit" in " ".join(response.context["form"].non_field_errors())
    assert OptIn.objects.get().yearly_estimate == Decimal(5)
    # The page now shows the other answer and carries its version: sending again is knowing.
    assert 'name="version" value="1"' in response.content.decode()
    assert client.post(url, form_data(version=1, yearly_estimate="7")).status_code == 302
    assert OptIn.objects.get().yearly_estimate == Decimal(7)


def test_frozen_after_the_deadline(client, humppila, contact):
    procurement = OpenProcurementFactory()
    OptInFactory(procurement=procurement, library=humppila, answered_by=contact)
    Procurement.objects.filter(pk=procurement.pk).update(opt_in_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[procurement.pk, humppila.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["is_open"]
    assert b'name="answer"' not in page.content
    client.post(url, form_data(version=1, yearly_estimate="1"))
    client.post(url, {"action": "withdraw", "version": 1})
    assert OptIn.objects.get().yearly_estimate == Decimal("1000.00")
    assert OptIn.objects.get().answer == Answer.COMMITTED


def test_withdraw_through_the_page(client, open_procurement, humppila, contact):
    OptInFactory(procurement=open_procurement, library=humppila, answered_by=contact)
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    client.post(url, {"action": "withdraw", "version": 1})
    assert OptIn.objects.get().answer == Answer.WITHDRAWN
    assert OptInEvent.objects.get().action == "withdrawn"


def test_members_cannot_use_staff_actions(client, open_procurement, contact):
    client.force_login(contact)
    for name in ["move", "award_add", "appeal_add", "document_upload"]:
        assert client.post(reverse(f"procurement:{name}", args=[open_procurement.pk]), {}).status_code == 403
    assert client.get(reverse("procurement:audit", args=[open_procurement.pk])).status_code == 403
    assert client.get(reverse("procurement:edit", args=[open_procurement.pk])).status_code == 403


# ---------------------------------------------------------------- pages


# "Days left" counts Helsinki's calendar days: late in the evening the machine's (UTC) date
# and Helsinki's differ, so these tests run on a fixed Helsinki morning.
A_WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


@time_machine.travel(A_WEDNESDAY_MORNING, tick=False)
def test_member_list_shows_open_first_with_days_left_and_our_answer(client, humppila, contact):
    now = timezone.now()
    ProcurementFactory(title="Seurattava", state=State.FOLLOWED)
    later = OpenProcurementFactory(title="Myöhempi", opt_in_deadline=now + timedelta(days=20, hours=1))
    soon = OpenProcurementFactory(title="Pian", opt_in_deadline=now + timedelta(days=3, hours=1))
    OptInFactory(procurement=later, library=humppila, yearly_estimate=Decimal("2500"))
    client.force_login(contact)
    response = client.get(reverse("procurement:list"))
    titles = [p.title for p in response.context["page"]]
    assert titles[:2] == ["Pian", "Myöhempi"] and titles[-1] == "Seurattava"
    text = response.content.decode()
    assert "3 päivää jäljellä" in text
    assert "sitova sitoumus, 2\xa0500,00\xa0€" in text
    assert reverse("procurement:opt_in", args=[soon.pk, humppila.pk]) in text


def test_staff_overview_counts_joined_declined_and_no_answer(client, staff_user, humppila, tammela, tampere):
    procurement = OpenProcurementFactory(title="Lehdet")
    OptInFactory(procurement=procurement, library=humppila, yearly_estimate=Decimal("100"))
    OptInFactory(procurement=procurement, library=tammela, answer=Answer.INTERESTED, yearly_estimate=None)
    client.force_login(staff_user)
    response = client.get(reverse("procurement:overview"))
    row = next(p for p in response.context["procurements"] if p.pk == procurement.pk)
    assert (row.joined, row.committed, row.declined, row.no_answer) == (2, 1, 0, 1)
    OptInFactory(procurement=procurement, library=tampere, answer=Answer.DECLINED, yearly_estimate=None)
    row = next(p for p in client.get(reverse("procurement:overview")).context["procurements"]
               if p.pk == procurement.pk)
    assert (row.joined, row.declined, row.no_answer) == (2, 1, 0)


def test_procurement_page_shows_pending_appeal_and_staff_tools(client, staff_user, contact):
    appeal = AppealFactory()
    client.force_login(contact)
    text = client.get(reverse("procurement:detail", args=[appeal.procurement_id])).content.decode()
    assert "sopimusta ei voi allekirjoittaa" in text
    assert 'name="to_state"' not in text
    client.force_login(staff_user)
    response = client.get(reverse("procurement:detail", args=[appeal.procurement_id]))
    assert response.context["move_form"] is not None


def test_staff_moves_and_records_through_the_pages(client, staff_user, humppila):
    body = PurchasingBodyFactory()
    client.force_login(staff_user)
    response = client.post(reverse("procurement:create"), {
        "title_fi": "Kirjat 2027", "category": "books", "purchasing_body": body.pk, "body_reference": "H-1",
        "opt_in_deadline": timezone.localtime(working_day_deadline(10)).strftime("%Y-%m-%dT%H:%M")})
    procurement = Procurement.objects.get(title="Kirjat 2027")
    assert response.status_code == 302
    url = reverse("procurement:move", args=[procurement.pk])
    client.post(url, {"to_state": "preparation", "reason": "Aloitetaan"})
    client.post(url, {"to_state": "tendering", "reason": "Ohitus"})  # not allowed from preparation
    procurement.refresh_from_db()
    assert procurement.state == State.PREPARATION
    assert list(procurement.transitions.values_list("to_state", flat=True)) == ["followed", "preparation"]


@time_machine.travel(A_WEDNESDAY_MORNING, tick=False)
def test_our_agreements_lists_agreements_and_joining_window(client, humppila, tammela, contact):
    mine = AgreementFactory(ends_on=date.today() + timedelta(days=90))
    mine.libraries.add(humppila)
    AgreementFactory().libraries.add(tammela)
    joinable = AgreementFactory(joining_until=date.today() + timedelta(days=12))
    OptInFactory(procurement=joinable.procurement, library=humppila, answer=Answer.INTERESTED)
    client.force_login(contact)
    response = client.get(reverse("procurement:our_agreements"))
    assert [a.pk for a in response.context["agreements"]] == [mine.pk]
    assert [a.pk for a in response.context["joinable"]] == [joinable.pk]
    assert "12 päivää jäljellä" in response.content.decode()
    client.post(reverse("procurement:agreement_join", args=[joinable.pk, humppila.pk]))
    assert humppila in joinable.libraries.all()
    assert client.post(reverse("procurement:agreement_join", args=[joinable.pk, tammela.pk])).status_code == 404


@time_machine.travel(A_WEDNESDAY_MORNING, tick=False)
def test_front_page_card_nav_and_newsletter(rf, humppila, contact, staff_user):
    procurement = OpenProcurementFactory(title="Lehdet 2027", opt_in_deadline=timezone.now() + timedelta(days=5,
                                                                                                          hours=2))
    request = rf.get("/")
    request.user = contact
    cards = cards_for(request, roles_of(contact))
    card = next(c for c in cards if c.items and c.items[0].label == "Lehdet 2027")
    assert card.items[0].urgent and "5" in card.items[0].note
    OptInFactory(procurement=procurement, library=humppila)
    cards = cards_for(request, roles_of(contact))
    assert not any(item.label == "Lehdet 2027" for c in cards for item in c.items)
    assert "procurement:list" in [e.url_name for e in nav_for(contact)]
    assert "procurement:overview" not in [e.url_name for e in nav_for(contact)]
    assert "procurement:overview" in [e.url_name for e in nav_for(staff_user)]

    now = timezone.now()
    sections = newsletter_sections(since=now - timedelta(days=30), until=now)
    section = next(s for s in sections if s.key == "procurement")
    assert [e.title for e in section.entries] == ["Lehdet 2027"]
    assert section.entries[0].url == f"/procurement/{procurement.pk}/"
    assert section.entries[0].note


def test_staff_see_each_librarys_answer_on_the_procurement_page(client, staff_user, humppila, tammela,
                                                                 django_assert_max_num_queries):
    procurement = OpenProcurementFactory()
    OptInFactory(procurement=procurement, library=humppila, yearly_estimate=Decimal("1234.5"))
    OptInFactory(procurement=procurement, library=tammela, answer=Answer.DECLINED, yearly_estimate=None,
                 decline_reason="Oma sopimus")
    client.force_login(staff_user)
    with django_assert_max_num_queries(20):
        text = client.get(reverse("procurement:detail", args=[procurement.pk])).content.decode()
    assert "1\xa0234,50\xa0€" in text and "ei osallistu: Oma sopimus" in text


def test_new_procurement_defaults_to_the_body_active_today(client, staff_user):
    from procurement.models import PurchasingBody

    PurchasingBody.objects.create(name="KL-Kuntahankinnat Oy", active_from=date(2007, 1, 1),
                                  active_until=date(2019, 12, 31))
    hansel = PurchasingBody.objects.create(name="Hansel Oy", active_from=date(2020, 1, 1))
    client.force_login(staff_user)
    assert client.get(reverse("procurement:create")).context["form"].initial["purchasing_body"] == hansel.pk


def test_pages_speak_swedish(client, contact, open_procurement):
    contact.language = "sv"
    contact.save()
    client.force_login(contact)
    client.cookies["django_language"] = "sv"
    text = client.get(reverse("procurement:list"), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "<h1>Upphandlingar</h1>" in text and "öppen för anmälan" in text


def test_member_list_after_the_deadline_shows_no_days_left_and_no_answer_link(client, humppila, contact):
    """A procurement still in the state "open" whose deadline has passed (staff have not
    yet moved it to "opt-in closed") is frozen: the list must not say "closes today" or
    invite an answer, as the opt-in page and the service refuse it."""
    passed = OpenProcurementFactory(title="Umpeutunut")
    Procurement.objects.filter(pk=passed.pk).update(opt_in_deadline=timezone.now() - timedelta(days=3))
    later_today = OpenProcurementFactory(title="Tänään myöhemmin")
    Procurement.objects.filter(pk=later_today.pk).update(opt_in_deadline=timezone.now() - timedelta(minutes=5))
    client.force_login(contact)
    text = client.get(reverse("procurement:list")).content.decode()
    assert "päättyy tänään" not in text
    assert reverse("procurement:opt_in", args=[passed.pk, humppila.pk]) not in text
    assert reverse("procurement:opt_in", args=[later_today.pk, humppila.pk]) not in text


@pytest.mark.parametrize("typed", ["15.12.2026", "2026-12-15"])
def test_a_deadline_given_as_a_date_means_the_end_of_that_day_in_helsinki(client, staff_user, typed):
    from zoneinfo import ZoneInfo

    body = PurchasingBodyFactory()
    client.force_login(staff_user)
    response = client.post(reverse("procurement:create"), {
        "title_fi": "Lehdet 2027", "category": "periodicals", "purchasing_body": body.pk, "opt_in_deadline": typed})
    assert response.status_code == 302, response.context["form"].errors
    deadline = Procurement.objects.get().opt_in_deadline.astimezone(ZoneInfo("Europe/Helsinki"))
    assert (deadline.date(), deadline.hour, deadline.minute) == (date(2026, 12, 15), 23, 59)
    procurement = Procurement.objects.get()
    assert procurement.days_left(date(2026, 12, 15)) == 0  # "closes today" on the day itself
    procurement.state = State.OPEN
    assert procurement.is_open_for_answers(now=deadline - timedelta(minutes=1))
    assert not procurement.is_open_for_answers(now=deadline)


def test_the_form_refuses_a_deadline_on_a_public_holiday_at_the_field(client, staff_user):
    body = PurchasingBodyFactory()
    client.force_login(staff_user)
    response = client.post(reverse("procurement:create"), {
        "title_fi": "Lehdet 2031", "category": "periodicals", "purchasing_body": body.pk, "opt_in_deadline": "25.12.2030"})
    assert response.status_code == 200
    assert response.context["form"].errors["opt_in_deadline"] == [
        "25.12.2030 on joulupäivä: valitse työpäivä, esimerkiksi 27.12.2030."]
    assert "25.12.2030 on joulupäivä" in response.content.decode()
    assert not Procurement.objects.exists()


def test_a_deadline_with_a_time_is_kept_as_typed(client, staff_user):
    body = PurchasingBodyFactory()
    client.force_login(staff_user)
    client.post(reverse("procurement:create"), {
        "title_fi": "Lehdet 2027", "category": "periodicals", "purchasing_body": body.pk,
        "opt_in_deadline": "2026-12-15T12:00"})
    deadline = timezone.localtime(Procurement.objects.get().opt_in_deadline)
    assert (deadline.day, deadline.hour, deadline.minute) == (15, 12, 0)


def test_empty_tables_span_exactly_their_columns(client, staff_user, humppila, contact):
    """The "nothing here" row spans as many columns as the table has (a screen reader
    announces the table's size from them)."""
    import re

    def check(html):
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            columns = len(re.findall(r'<th scope="col"', table.split("</thead>")[0]))
            for span in re.findall(r'colspan="(\d+)"', table):
                assert int(span) == columns, table

    procurement = OpenProcurementFactory()
    client.force_login(staff_user)
    check(client.get(reverse("procurement:list") + "?state=ended").content.decode())
    client.force_login(contact)
    check(client.get(reverse("procurement:list") + "?state=ended").content.decode())
    check(client.get(reverse("procurement:opt_in", args=[procurement.pk, humppila.pk])).content.decode())
    check(client.get(reverse("procurement:our_agreements")).content.decode())


def test_our_agreements_does_not_offer_an_unsigned_agreement_for_orders(client, humppila, contact):
    """An agreement not signed yet (for example while an appeal is pending) covers the
    library but cannot be ordered under: the page says so instead of an order-until date."""
    signed = AgreementFactory(signed_on=date.today() - timedelta(days=5), ends_on=date(2030, 6, 30))
    unsigned = AgreementFactory(ends_on=date(2031, 6, 30))
    AppealFactory(procurement=unsigned.procurement)
    starting = AgreementFactory(signed_on=date.today(), starts_on=date.today() + timedelta(days=40),
                                ends_on=date(2032, 6, 30))
    for agreement in (signed, unsigned, starting):
        agreement.libraries.add(humppila)
    client.force_login(contact)
    html = client.get(reverse("procurement:our_agreements")).content.decode()
    rows = {agreement.pk: next(row for row in html.split("<tr>") if f"/agreements/{agreement.pk}/" in row)
            for agreement in (signed, unsigned, starting)}
    assert "30.6.2030" in rows[signed.pk] and "ei vielä allekirjoitettu" not in rows[signed.pk]
    assert "ei vielä allekirjoitettu" in rows[unsigned.pk] and "30.6.2031" not in rows[unsigned.pk]
    start = starting.starts_on
    assert f"{start.day}.{start.month}.{start.year} alkaen" in rows[starting.pk]


def test_contract_note_effective_date_reads_as_finnish(client, staff_user):
    from procurement.models import ContractNote

    agreement = AgreementFactory()
    ContractNote.objects.create(agreement=agreement, kind="price", text="Hinnat +2 %", effective_on=date(2027, 1, 1))
    client.force_login(staff_user)
    html = client.get(reverse("procurement:agreement_detail", args=[agreement.pk])).content.decode()
    assert "1.1.2027 alkaen" in html and "mistä" not in html


def test_front_page_card_still_asks_when_only_one_of_my_libraries_answered(rf, humppila, tammela, contact):
    """A person who answers for two libraries (a joint director in the Louna area) keeps
    the procurement on the card until both have answered."""
    from consortium.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=contact, role=Role.CONTACT, library=tammela)
    procurement = OpenProcurementFactory(title="Lehdet 2028")
    OptInFactory(procurement=procurement, library=humppila)
    request = rf.get("/")
    request.user = contact
    contact._portal_roles = None
    items = [item.label for card in cards_for(request, roles_of(contact)) for item in card.items]
    assert "Lehdet 2028" in items
    OptInFactory(procurement=procurement, library=tammela)
    items = [item.label for card in cards_for(request, roles_of(contact)) for item in card.items]
    assert "Lehdet 2028" not in items


@pytest.mark.parametrize("state", [State.FOLLOWED, State.PREPARATION])
def test_opt_in_page_of_a_procurement_not_yet_open_does_not_call_it_closed(client, humppila, contact, state):
    procurement = ProcurementFactory(state=state)
    client.force_login(contact)
    text = client.get(reverse("procurement:opt_in", args=[procurement.pk, humppila.pk])).content.decode()
    assert "Tähän hankintaan ei voi nyt ilmoittautua" in text
    assert "vastausta ei voi enää muuttaa" not in text.lower()


def test_staff_can_edit_an_open_procurement_whose_deadline_has_passed(client, staff_user):
    """The edit form shows the deadline to the minute; sending it back unchanged is no move
    of the deadline, even when the stored one has seconds."""
    procurement = OpenProcurementFactory(title="Vanha otsikko")
    passed = timezone.now() - timedelta(hours=1, seconds=17)
    Procurement.objects.filter(pk=procurement.pk).update(opt_in_deadline=passed)
    client.force_login(staff_user)
    form = client.get(reverse("procurement:edit", args=[procurement.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data["opt_in_deadline"] = timezone.localtime(passed).strftime("%Y-%m-%dT%H:%M")
    data["title_fi"] = "Uusi otsikko"
    response = client.post(reverse("procurement:edit", args=[procurement.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Procurement.objects.get(pk=procurement.pk).title_fi == "Uusi otsikko"


@pytest.mark.parametrize("typed, message", [
    ("-100", "Arvio ei voi olla negatiivinen."),
    ("10 000 000 000", "Arvio on liian suuri."),
    ("12.500,00", "Anna arvio euromääränä, esim. 12 500,00."),
    ("1e3", "Anna arvio euromääränä, esim. 12 500,00."),
])
def test_an_estimate_that_is_not_an_amount_is_refused_with_its_reason(client, open_procurement, humppila, contact,
                                                                     typed, message):
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    response = client.post(url, form_data(yearly_estimate=typed))
    assert response.status_code == 200
    assert message in response.context["form"].errors["yearly_estimate"]
    assert not OptIn.objects.exists()


def test_an_estimate_typed_the_finnish_way_is_saved_as_euros(client, open_procurement, humppila, contact):
    client.force_login(contact)
    url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    client.post(url, form_data(yearly_estimate="12\u00a0500,5 €"))
    assert OptIn.objects.get().yearly_estimate == Decimal("12500.50")
