"""Staff's write paths through the pages: bad input is refused with a message that names
the field, and nothing is saved."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.models import Appeal, Award, FrameworkAgreement, State, Supplier
from procurement.tests.factories import AgreementFactory, AppealFactory, ProcurementFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def tendering(db):
    return ProcurementFactory(state=State.TENDERING)


@pytest.mark.parametrize("value", ["-5", "paljon", "1e400000"])
def test_a_bad_award_value_names_the_value_field_and_saves_nothing(client, staff_user, tendering, value):
    client.force_login(staff_user)
    response = client.post(f"/procurement/{tendering.pk}/award/", {
        "supplier_name": "Uusi Toimittaja Oy", "decision_date": date.today().isoformat(), "value": value},
        follow=True)
    texts = messages_of(response)
    assert len(texts) == 1 and texts[0].startswith("Arvo (€): "), texts
    assert "arvio" not in texts[0].lower()  # the award's value is no estimate
    assert not Award.objects.exists() and not Supplier.objects.filter(name="Uusi Toimittaja Oy").exists()


def test_award_accepts_a_finnish_amount(client, staff_user, tendering):
    client.force_login(staff_user)
    client.post(f"/procurement/{tendering.pk}/award/", {
        "supplier_name": "Ellibs Oy", "decision_date": date.today().isoformat(), "value": "1 234 567,50"})
    assert str(Award.objects.get().value) == "1234567.50"


def test_award_decision_cannot_be_dated_in_the_future(client, staff_user, tendering):
    client.force_login(staff_user)
    response = client.post(f"/procurement/{tendering.pk}/award/", {
        "supplier_name": "Ellibs Oy", "decision_date": (date.today() + timedelta(days=3)).isoformat()}, follow=True)
    texts = messages_of(response)
    assert texts and texts[0].startswith("Hankintapäätöksen päivämäärä: "), texts
    assert not Award.objects.exists()


def test_appeal_decision_cannot_be_dated_in_the_future(client, staff_user):
    appeal = AppealFactory()
    client.force_login(staff_user)
    response = client.post(f"/procurement/appeals/{appeal.pk}/decide/", {
        "status": "dismissed", "decided_on": (date.today() + timedelta(days=10)).isoformat()}, follow=True)
    texts = messages_of(response)
    assert texts and texts[0].startswith("Päätöspäivä: "), texts
    assert Appeal.objects.get().status == Appeal.Status.PENDING


def test_signing_cannot_be_dated_in_the_future(client, staff_user):
    agreement = AgreementFactory()
    client.force_login(staff_user)
    response = client.post(f"/procurement/agreements/{agreement.pk}/sign/", {
        "signed_on": (date.today() + timedelta(days=1)).isoformat()}, follow=True)
    texts = messages_of(response)
    assert texts and texts[0].startswith("Allekirjoitettu: "), texts
    assert FrameworkAgreement.objects.get().signed_on is None


def test_a_move_without_a_reason_names_the_field(client, staff_user):
    procurement = ProcurementFactory(state=State.FOLLOWED)
    client.force_login(staff_user)
    response = client.post(f"/procurement/{procurement.pk}/move/", {"to_state": "preparation", "reason": ""},
                           follow=True)
    assert messages_of(response)[0].startswith("Syy: ")


def test_a_non_numeric_agreement_on_upload_is_not_found(client, staff_user):
    agreement = AgreementFactory()
    client.force_login(staff_user)
    response = client.post(f"/procurement/{agreement.procurement_id}/documents/", {
        "title": "Sopimus", "kind": "agreement", "agreement": "abc", "file": SimpleUploadedFile("s.pdf", PDF)})
    assert response.status_code == 404
    assert not agreement.procurement.documents.exists()
