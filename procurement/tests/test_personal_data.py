"""Erasing a person keeps the procurement audit trail whole, naming a pseudonym."""

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import OptInEvent
from procurement.tests.factories import OpenProcurementFactory

pytestmark = pytest.mark.django_db


def test_the_opt_in_audit_trail_stays_whole_and_shows_the_pseudonym(client, staff_user, contact, humppila):
    procurement = OpenProcurementFactory()
    services.opt_in_answer(procurement=procurement, library=humppila, by=contact, answer="declined",
                           expected_version=0, decline_reason="Ei tarvetta")
    events = OptInEvent.objects.count()
    client.force_login(staff_user)
    client.post(reverse("person_data_erase", args=[contact.pk]), {"confirm": "erase"})
    assert OptInEvent.objects.count() == events
    page = client.get(reverse("procurement:audit", args=[procurement.pk])).content.decode()
    assert contact.full_name not in page and contact.email not in page
    assert f"erased-{contact.pk}" in page or "Poistettu henkilö" in page
