"""The OCDS 1.1 release package validates against the official schemas and the hand-made subset
(both offline, in procurement/schema/)."""

import copy
from datetime import date

import pytest

from procurement import ocds
from procurement.models import Answer, State
from procurement.tests.factories import (
    AgreementFactory,
    AppealFactory,
    AwardFactory,
    OptInFactory,
    ProcurementFactory,
    PurchasingBodyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(humppila, tammela):
    body = PurchasingBodyFactory(name="KL-Kuntahankinnat Oy", active_from=date(2007, 1, 1),
                                 active_until=date(2019, 12, 31))
    procurement = ProcurementFactory(state=State.IN_FORCE, purchasing_body=body, body_reference="KLKH150",
                                     title="E-kirjat, e-äänikirjat ja niiden lainausalusta 2018–2021")
    OptInFactory(procurement=procurement, library=humppila)
    OptInFactory(procurement=procurement, library=tammela, answer=Answer.INTERESTED)
    award = AwardFactory(procurement=procurement, supplier__name="Ellibs Oy", supplier__business_id="1234567-8")
    agreement = AgreementFactory(procurement=procurement, award=award, supplier=award.supplier,
                                 starts_on=date(2018, 11, 30), ends_on=date(2021, 11, 22), signed_on=date(2018, 11, 30))
    agreement.libraries.add(humppila)
    AppealFactory(procurement=procurement, status="dismissed", decided_on=date.today())
    return procurement


def test_release_package_validates_with_parties_roles_and_contracts(client, awarded):
    response = client.get(f"/procurement/{awarded.pk}/ocds.json")  # public open data, no login
    assert response.status_code == 200
    package = response.json()
    errors = sorted(ocds.validator().iter_errors(package), key=str)
    assert not errors, [error.message for error in errors]
    assert package["version"] == "1.1"
    assert package["uri"].endswith(f"/procurement/{awarded.pk}/ocds.json")
    release = package["releases"][0]
    assert release["ocid"] == awarded.ocid and release["tag"] == ["contract"]
    assert release["initiationType"] == "tender"
    roles = {party["name"]: party["roles"] for party in release["parties"]}
    assert roles["Humppilan kunnankirjasto"] == ["buyer"]
    assert roles["Tammelan kunnankirjasto"] == ["interestedParty"]
    assert roles["KL-Kuntahankinnat Oy"] == ["procuringEntity"]
    assert roles["Ellibs Oy"] == ["supplier"]
    assert roles["Markkinaoikeus"] == ["reviewBody"]
    assert release["tender"]["procuringEntity"]["name"] == "KL-Kuntahankinnat Oy"
    assert release["tender"]["techniques"]["hasFrameworkAgreement"] is True
    contract = release["contracts"][0]
    assert contract["awardID"] == release["awards"][0]["id"]
    assert contract["period"]["startDate"].startswith("2018-11-30")
    assert contract["period"]["endDate"].startswith("2021-11-22")
    assert contract["status"] == "terminated"


def test_call_off_is_its_own_process_linked_to_the_framework(awarded):
    call_off = ProcurementFactory(framework_parent=awarded, state=State.TENDERING)
    package = ocds.release_package(call_off)
    assert not list(ocds.validator().iter_errors(package))
    release = package["releases"][0]
    assert release["ocid"] != awarded.ocid
    assert release["relatedProcesses"] == [{
        "id": f"framework-{awarded.pk}", "relationship": ["framework"], "title": awarded.title, "scheme": "ocid",
        "identifier": awarded.ocid, "uri": f"http://127.0.0.1:8000/procurement/{awarded.pk}/ocds.json"}]
    assert release["tender"]["techniques"]["hasFrameworkAgreement"] is False


@pytest.mark.parametrize("state", list(State))
def test_every_state_gives_a_valid_package(state):
    from django.utils import timezone

    procurement = ProcurementFactory(state=state, opt_in_deadline=timezone.now())
    package = ocds.release_package(procurement)
    assert not list(ocds.validator().iter_errors(package))
    assert not list(ocds.official_validator().iter_errors(package))


@pytest.mark.parametrize("break_it", [
    lambda p: p.pop("publisher"),
    lambda p: p["releases"][0].pop("ocid"),
    lambda p: p["releases"][0].update(tag=["awarded"]),
    lambda p: p["releases"][0].update(initiationType="direct"),
    lambda p: p["releases"][0]["parties"][0].update(roles=["boss"]),
    lambda p: p["releases"][0].update(date="21.11.2026"),
    lambda p: p["releases"][0]["contracts"][0].pop("awardID"),
    lambda p: p.update(releases=[]),
])
def test_the_schema_catches_broken_packages(awarded, break_it):
    package = copy.deepcopy(ocds.release_package(awarded))
    break_it(package)
    assert list(ocds.validator().iter_errors(package))


def test_answers_are_not_published_while_the_opt_in_is_open(client, humppila, tammela, other_director):
    """While libraries are still answering, each answer is seen only by its own library and
    staff (another library gets 404 in the portal), so the public package must not show
    who committed or is interested; once the opt-in closes they are published."""
    from procurement.tests.factories import OpenProcurementFactory

    procurement = OpenProcurementFactory()
    OptInFactory(procurement=procurement, library=humppila)
    OptInFactory(procurement=procurement, library=tammela, answer=Answer.INTERESTED, answered_by=other_director)
    package = client.get(f"/procurement/{procurement.pk}/ocds.json").json()
    assert not list(ocds.validator().iter_errors(package))
    names = {party["name"] for party in package["releases"][0]["parties"]}
    assert "Humppilan kunnankirjasto" not in names and "Tammelan kunnankirjasto" not in names
    assert "buyer" not in package["releases"][0]

    procurement.state = State.CLOSED
    procurement.save()
    roles = {party["name"]: party["roles"]
             for party in client.get(f"/procurement/{procurement.pk}/ocds.json").json()["releases"][0]["parties"]}
    assert roles["Humppilan kunnankirjasto"] == ["buyer"]
    assert roles["Tammelan kunnankirjasto"] == ["interestedParty"]


def test_a_full_package_validates_against_the_official_ocds_schema(awarded):
    """The official release package and release schemas (schema/official/), not only the
    hand-made subset: what we publish is what OCDS tools accept."""
    package = ocds.release_package(awarded)
    errors = [f"{list(error.path)}: {error.message}" for error in ocds.official_validator().iter_errors(package)]
    assert not errors, errors
    assert package["releases"][0]["contracts"] and package["releases"][0]["awards"]


def test_the_official_schema_refuses_what_ocds_forbids(awarded):
    package = ocds.release_package(awarded)
    package["releases"][0]["tag"] = ["signedContract"]  # not in the closed releaseTag codelist
    del package["publishedDate"]
    messages = [error.message for error in ocds.official_validator().iter_errors(package)]
    assert any("publishedDate" in message for message in messages)
    assert any("signedContract" in message for message in messages)
