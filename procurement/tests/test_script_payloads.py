"""Script and event-handler payloads in an opt-in's text fields come back as text."""

import pytest
from django.urls import reverse

from consortium.models import Role
from consortium.tests.factories import user_with_role
from consortium.tests.hostile import PAYLOADS, assert_shown_as_text
from procurement.models import OptIn
from procurement.tests.factories import OpenProcurementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("payload", PAYLOADS)
def test_opt_in_texts(client, humppila, payload):
    procurement = OpenProcurementFactory()
    client.force_login(user_with_role(Role.CONTACT, library=humppila))
    url = reverse("procurement:opt_in", args=[procurement.pk, humppila.pk])
    response = client.post(url, {"version": 0, "answer": "declined", "contact_name": payload, "contact_email": "",
                                 "contact_phone": "", "decision_maker": payload, "decision_date": "",
                                 "decision_number": "", "decline_reason": payload})
    assert response.status_code == 302, response.content.decode()[:300]
    assert OptIn.objects.get().decline_reason == payload
    assert_shown_as_text(client, [url])
    client.force_login(user_with_role(Role.STAFF))
    assert_shown_as_text(client, [reverse("procurement:detail", args=[procurement.pk]),
                                  reverse("procurement:audit", args=[procurement.pk])])
