"""Each page for each role: who sees, who changes, and another library's objects are 404."""

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from ..models import Offering, Participation, Proposal, Stage, TakeUp
from .factories import (
    EvaluatorFactory,
    OfferingFactory,
    ParticipationFactory,
    ProposalFactory,
    ReportFactory,
    TakeUpFactory,
)

pytestmark = pytest.mark.django_db

DURING = time_machine.travel("2026-10-15 10:00 +03:00", tick=False)


def test_the_public_catalogue_lists_offered_services_and_hides_negotiations(client):
    OfferingFactory(name_fi="Ellibs", stage=Stage.OFFERED)
    secret = OfferingFactory(name_fi="Salainen neuvottelu", stage=Stage.NEGOTIATING)
    page = client.get(reverse("eservices:catalogue")).content.decode()
    assert "Ellibs" in page and "Salainen neuvottelu" not in page
    assert client.get(reverse("eservices:offering_detail", args=[secret.pk])).status_code == 404


def test_the_catalogue_filters_by_kind_language_and_stage(client):
    OfferingFactory(name_fi="Naxos", kind="music", languages=",other,")
    OfferingFactory(name_fi="ePress", kind="magazines", languages=",fi,")
    OfferingFactory(name_fi="Zinio", kind="magazines", languages=",en,", stage=Stage.DISCONTINUED)
    url = reverse("eservices:catalogue")
    assert "Naxos" in client.get(url, {"kind": "music"}).content.decode()
    page = client.get(url, {"language": "fi"}).content.decode()
    assert "ePress" in page and "Naxos" not in page
    page = client.get(url, {"stage": "discontinued"}).content.decode()
    assert "Zinio" in page and "ePress" not in page


def test_the_offering_page_shows_which_members_use_it(client, humppila):
    take_up = TakeUpFactory(library=humppila, reference="SOP-SALAINEN")
    page = client.get(reverse("eservices:offering_detail", args=[take_up.offering_id])).content.decode()
    assert "Humppilan kunnankirjasto" in page
    assert "SOP-SALAINEN" not in page  # contract references are for staff


def test_staff_create_and_move_an_offering_and_members_see_the_announcement(client, staff_user, contact):
    client.force_login(staff_user)
    response = client.post(reverse("eservices:offering_create"), {
        "name": "Viddla", "vendor": "Suomen Kirjastopalvelu Oy", "kind": "films", "languages": ["fi"],
        "description": "Elokuvia."})
    offering = Offering.objects.get()
    assert response.url == reverse("eservices:offering_detail", args=[offering.pk])
    move = reverse("eservices:offering_move", args=[offering.pk])
    client.post(move, {"to_stage": "negotiating"})
    client.post(move, {"to_stage": "offered", "announcement_text": "Nyt tarjolla jäsenille!"})
    offering.refresh_from_db()
    assert offering.stage == Stage.OFFERED
    client.force_login(contact)
    front_page = client.get("/").content.decode()
    assert reverse("eservices:offering_detail", args=[offering.pk]) in front_page and "Viddla" in front_page


def test_a_refused_move_is_explained(client, staff_user):
    offering = OfferingFactory(stage=Stage.OFFERED, name_fi="Ellibs")
    client.force_login(staff_user)
    response = client.post(reverse("eservices:offering_move", args=[offering.pk]),
                           {"to_stage": "negotiating"}, follow=True)
    assert "Kerro" in response.content.decode() or "Say why" in response.content.decode()
    offering.refresh_from_db()
    assert offering.stage == Stage.OFFERED


@pytest.mark.parametrize("who, status", [("contact", 403), ("director", 403), ("nobody", 403), ("staff_user", 200)])
def test_only_staff_manage_the_catalogue(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("eservices:offering_create")).status_code == status
    assert client.get(reverse("eservices:take_ups_export")).status_code == status


def test_a_contact_takes_up_for_their_own_library_only(client, contact, humppila, tampere):
    offering = OfferingFactory()
    client.force_login(contact)
    url = reverse("eservices:take_up", args=[offering.pk])
    response = client.post(url, {"library": tampere.pk, "since": "1.3.2026"})
    assert response.status_code == 200 and not TakeUp.objects.exists()  # not a choice for them
    client.post(url, {"library": humppila.pk, "since": "1.3.2026", "reference": "SOP-1"})
    assert TakeUp.objects.get().library == humppila


def test_a_director_without_the_contact_role_cannot_record_take_ups(client, director):
    client.force_login(director)
    assert client.get(reverse("eservices:take_up", args=[OfferingFactory().pk])).status_code == 404


def test_staff_export_the_take_ups_to_excel(client, staff_user, humppila):
    TakeUpFactory(library=humppila, reference="=HYPERLINK()")
    client.force_login(staff_user)
    response = client.get(reverse("eservices:take_ups_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][3] == "Humppilan kunnankirjasto"
    assert rows[1][6] == "=HYPERLINK()" and sheet.cell(row=2, column=7).data_type == "s"


# ---------------------------------------------------------------- evaluation groups


@DURING
def test_a_contact_of_another_library_gets_404_for_an_individual_report(client, group, humppila, tampere,
                                                                        humppila_evaluator, tampere_contact,
                                                                        contact, staff_user):
    report = ReportFactory(evaluator=EvaluatorFactory(participation=ParticipationFactory(group=group,
                                                                                          library=humppila),
                                                      user=humppila_evaluator))
    ParticipationFactory(group=group, library=tampere)
    url = reverse("eservices:report_detail", args=[report.pk])
    client.force_login(tampere_contact)
    assert client.get(url).status_code == 404
    for who in (contact, humppila_evaluator, staff_user):
        client.force_login(who)
        assert client.get(url).status_code == 200


@DURING
def test_only_the_evaluator_writes_their_report(client, humppila_in_group, humppila_evaluator, contact):
    evaluator = EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator)
    url = reverse("eservices:report_write", args=[evaluator.pk])
    client.force_login(contact)
    assert client.get(url).status_code == 404
    client.force_login(humppila_evaluator)
    data = {"usefulness": 4, "ease_of_use": 3, "content": 5, "accessibility": 4, "value": 2, "text": "Hyvä.",
            "recommend": "yes"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert evaluator.report.recommend is True


def test_a_report_is_frozen_after_the_trial(client, humppila_in_group, humppila_evaluator):
    report = ReportFactory(evaluator=EvaluatorFactory(participation=humppila_in_group, user=humppila_evaluator))
    client.force_login(humppila_evaluator)
    with time_machine.travel("2026-12-01 10:00 +02:00", tick=False):
        response = client.post(reverse("eservices:report_write", args=[report.evaluator_id]), {
            "usefulness": 1, "ease_of_use": 1, "content": 1, "accessibility": 1, "value": 1, "text": "Muutos",
            "recommend": "no"})
    assert response.status_code == 200
    assert "30.11.2026" in response.content.decode()
    report.refresh_from_db()
    assert report.text != "Muutos"


def test_after_the_summary_every_member_sees_it_with_averages_but_not_the_reports(client, group, humppila,
                                                                                 humppila_evaluator,
                                                                                 tampere_contact, staff_user):
    report = ReportFactory(evaluator=EvaluatorFactory(participation=ParticipationFactory(group=group,
                                                                                          library=humppila),
                                                      user=humppila_evaluator), text="Yksittäinen kokemus")
    url = reverse("eservices:group_detail", args=[group.pk])
    client.force_login(tampere_contact)
    assert client.get(url).status_code == 404  # not invited, not summarised yet
    client.force_login(staff_user)
    with time_machine.travel("2026-12-02 10:00 +02:00", tick=False):
        client.post(reverse("eservices:group_summary", args=[group.pk]), {"summary": "Hyödyllinen palvelu."})
    client.force_login(tampere_contact)
    page = client.get(url).content.decode()
    assert "Hyödyllinen palvelu." in page and "Yksittäinen kokemus" not in page
    assert reverse("eservices:report_detail", args=[report.pk]) not in page
    assert "4,0" in page  # usefulness average


@DURING
def test_a_contact_accepts_and_names_an_evaluator_of_their_library(client, group, humppila, contact,
                                                                   humppila_evaluator, tampere_contact):
    participation = ParticipationFactory(group=group, library=humppila, state=Participation.State.INVITED)
    client.force_login(tampere_contact)
    assert client.post(reverse("eservices:participation_answer", args=[participation.pk]),
                       {"accept": "yes"}).status_code == 404
    client.force_login(contact)
    client.post(reverse("eservices:participation_answer", args=[participation.pk]), {"accept": "yes"})
    participation.refresh_from_db()
    assert participation.state == Participation.State.ACCEPTED
    client.post(reverse("eservices:evaluator_add", args=[participation.pk]), {"user": humppila_evaluator.pk})
    assert participation.evaluators.get().user == humppila_evaluator


# ---------------------------------------------------------------- proposals and the plan


def test_members_propose_and_back_and_staff_triage_with_a_reason(client, contact, tampere_contact, staff_user,
                                                                 humppila, tampere):
    client.force_login(contact)
    client.post(reverse("eservices:proposal_create"), {
        "library": humppila.pk, "year": 2027, "title": "Äänikirjat", "description": "Lisää.", "need": "Tarve."})
    proposal = Proposal.objects.get()
    client.force_login(tampere_contact)
    client.post(reverse("eservices:proposal_support", args=[proposal.pk]), {"library": tampere.pk})
    assert proposal.supports.get().library == tampere
    assert client.post(reverse("eservices:proposal_triage", args=[proposal.pk]),
                       {"state": "declined", "reason": "x"}).status_code == 403
    client.force_login(staff_user)
    client.post(reverse("eservices:proposal_triage", args=[proposal.pk]),
                {"state": "declined", "reason": "Ei tänä vuonna rahaa."})
    client.force_login(contact)
    assert "Ei tänä vuonna rahaa." in client.get(reverse("eservices:proposal_detail", args=[proposal.pk])).content.decode()


def test_a_contact_cannot_back_a_proposal_for_another_library(client, contact, tampere):
    proposal = ProposalFactory()
    client.force_login(contact)
    assert client.post(reverse("eservices:proposal_support", args=[proposal.pk]),
                       {"library": tampere.pk}).status_code == 404


def test_members_see_only_the_published_plan_and_staff_see_proposal_counts(client, staff_user, contact):
    client.force_login(staff_user)
    proposal = ProposalFactory(year=2027)
    client.post(reverse("eservices:plan_item_add", args=[2027]), {
        "title": "Äänikirjat", "aim": "Lisää kuunneltavaa.", "theme": "ematerials", "schedule": "kevät",
        "status": "planned", "proposals": [proposal.pk]})
    client.force_login(contact)
    assert client.get(reverse("eservices:plan_year", args=[2027])).status_code == 404
    client.force_login(staff_user)
    client.post(reverse("eservices:plan_publish", args=[2027]))
    client.force_login(contact)
    page = client.get(reverse("eservices:plan_year", args=[2027])).content.decode()
    assert "Äänikirjat" in page and "Lisää kuunneltavaa." in page


@pytest.mark.parametrize("url_name", ["eservices:groups", "eservices:proposals"])
def test_member_pages_need_a_role(client, nobody, url_name):
    client.force_login(nobody)
    assert client.get(reverse(url_name)).status_code == 403


def test_a_swedish_reader_sees_the_swedish_name_when_written(client):
    OfferingFactory(name_fi="Elokuvapalvelu", name_sv="Filmtjänst")
    OfferingFactory(name_fi="Lehtipalvelu")
    page = client.get(reverse("eservices:catalogue"), headers={"accept-language": "sv"}).content.decode()
    assert "Filmtjänst" in page and "Elokuvapalvelu" not in page
    assert '<span lang="fi">Lehtipalvelu</span>' in page
