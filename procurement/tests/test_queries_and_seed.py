"""The member list and staff overview keep a constant number of SQL queries from demo size
to `--scale 10` (hundreds of procurements and their answers); the seeder is idempotent."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consortium.calendar import is_working_day
from consortium.demo_data import DEMO_PASSWORD, demo_email
from consortium.models import User
from procurement.models import OptIn, OptInEvent, Procurement, ProcurementTransition

pytestmark = pytest.mark.django_db


def seed(scale):
    call_command("seed_demo", scale=scale, quiet=True, stdout=io.StringIO())


@pytest.mark.parametrize("scale", [0, 10])
def test_member_list_and_staff_overview_queries_stay_constant(client, django_assert_max_num_queries, scale):
    seed(scale)
    if scale:
        assert Procurement.objects.count() >= 300
        assert OptIn.objects.count() >= 1000
    # The demo sets its open deadlines as staff must: on working days.
    open_deadlines = Procurement.objects.filter(state="open").values_list("opt_in_deadline", flat=True)
    assert all(is_working_day(timezone.localtime(deadline).date()) for deadline in open_deadlines)
    contact = User.objects.get(email=demo_email("yhteyshenkilo.humppila"))
    staff = User.objects.get(email=demo_email("henkilokunta"))
    client.force_login(contact)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("procurement:list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("procurement:our_agreements")).status_code == 200
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("procurement:overview"))
    assert response.status_code == 200
    if scale:
        assert len(response.context["procurements"]) >= 150
    with django_assert_max_num_queries(12):
        assert client.get(reverse("procurement:list")).status_code == 200


def test_seeder_is_idempotent_and_keeps_the_real_example():
    seed(0)
    counts = (Procurement.objects.count(), OptIn.objects.count(), OptInEvent.objects.count(),
              ProcurementTransition.objects.count())
    seed(0)
    assert counts == (Procurement.objects.count(), OptIn.objects.count(), OptInEvent.objects.count(),
                      ProcurementTransition.objects.count())
    klkh150 = Procurement.objects.get(body_reference="KLKH150")
    assert klkh150.purchasing_body.name == "KL-Kuntahankinnat Oy"
    agreement = klkh150.agreements.get()
    assert (agreement.starts_on.isoformat(), agreement.ends_on.isoformat()) == ("2018-11-30", "2021-11-22")
    assert agreement.supplier.name == "Ellibs Oy"
    assert Procurement.objects.filter(state="open").exists()
    assert User.objects.get(email=demo_email("yhteyshenkilo.humppila")).check_password(DEMO_PASSWORD)


def _grow(procurement, size, staff):
    """`size` answering libraries, documents, awards with agreements covering them, appeals,
    lifecycle moves and contract notes on one procurement."""
    from datetime import date, timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from consortium.tests.factories import LibraryFactory
    from procurement import services
    from procurement.models import Answer, ContractNote
    from procurement.tests.factories import AgreementFactory, AppealFactory, AwardFactory, OptInFactory

    libraries = [LibraryFactory() for _ in range(size)]
    for index, library in enumerate(libraries):
        OptInFactory(procurement=procurement, library=library,
                     answer=[Answer.COMMITTED, Answer.INTERESTED, Answer.DECLINED][index % 3],
                     yearly_estimate=None if index % 3 == 2 else 100 + index, answered_by=staff)
    for index in range(size):
        services.document_upload(procurement=procurement, uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"),
                                 kind="tender", title=f"Asiakirja {index}", by=staff)
        award = AwardFactory(procurement=procurement)
        agreement = AgreementFactory(procurement=procurement, award=award, supplier=award.supplier,
                                     joining_until=date.today() + timedelta(days=30))
        agreement.libraries.add(*[library for i, library in enumerate(libraries) if i % 3 != 2])
        ContractNote.objects.create(agreement=agreement, kind="price", text="Hinnat", by=staff,
                                    library=libraries[0])
        AppealFactory(procurement=procurement)
    return agreement


@pytest.mark.parametrize("size", [1, 12])
def test_procurement_agreement_and_audit_pages_keep_their_query_counts(client, django_assert_max_num_queries,
                                                                       staff_user, contact, humppila, size):
    from procurement.tests.factories import OpenProcurementFactory

    procurement = OpenProcurementFactory()
    agreement = _grow(procurement, size, staff_user)
    agreement.libraries.add(humppila)
    for person, urls in [
        (staff_user, [f"/procurement/{procurement.pk}/", f"/procurement/agreements/{agreement.pk}/",
                      f"/procurement/{procurement.pk}/audit/"]),
        (contact, [f"/procurement/{procurement.pk}/", f"/procurement/agreements/{agreement.pk}/",
                   f"/procurement/{procurement.pk}/opt-in/{humppila.pk}/", "/procurement/our/"]),
    ]:
        client.force_login(person)
        for url in urls:
            with django_assert_max_num_queries(16):
                assert client.get(url).status_code == 200, url
