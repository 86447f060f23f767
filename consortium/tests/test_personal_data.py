"""A person's own data: exported as JSON and erased on request; audit trails keep a pseudonym."""

import json

import pytest
from django.urls import reverse

from consortium.models import RoleAssignment, User
from newsletters.models import Subscriber
from newsletters.tests.factories import SubscriberFactory
from procurement import services as procurement_services
from procurement.models import OptInEvent
from procurement.tests.factories import OpenProcurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(contact, humppila):
    """The contact subscribed to the newsletter and opted Humppila into a procurement."""
    SubscriberFactory(email=contact.email.upper(), name=contact.full_name)
    procurement = OpenProcurementFactory()
    procurement_services.opt_in_answer(procurement=procurement, library=humppila, by=contact, answer="declined",
                                       expected_version=0, decline_reason="Ei tarvetta")
    return procurement


def test_staff_export_everything_kept_about_a_person(client, staff_user, contact, humppila, answered):
    client.force_login(staff_user)
    response = client.get(reverse("person_data_export", args=[contact.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{contact.pk}.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == contact.email and data["account"]["name"] == contact.full_name
    assert data["roles"] == [{"role": "contact", "library": humppila.name}]
    assert [subscription["email"] for subscription in data["newsletter"]] == [contact.email.upper()]


def test_erasure_removes_subscription_and_roles_and_keeps_a_pseudonym_in_the_audit_trail(
        client, staff_user, contact, answered):
    events_before = OptInEvent.objects.count()
    client.force_login(staff_user)
    response = client.post(reverse("person_data_erase", args=[contact.pk]), {"confirm": "erase"}, follow=True)
    assert response.status_code == 200
    erased = User.objects.get(pk=contact.pk)
    assert erased.email == f"erased-{contact.pk}@erased.invalid" and contact.full_name not in erased.full_name
    assert not erased.is_active and not erased.has_usable_password() and erased.phone == ""
    assert not RoleAssignment.objects.filter(user=erased).exists()
    assert not Subscriber.objects.filter(email__iexact=contact.email).exists()
    assert OptInEvent.objects.count() == events_before  # the audit trail is whole, and names the pseudonym
    page = client.get(reverse("procurement:audit", args=[answered.pk])).content.decode()
    assert contact.full_name not in page and contact.email not in page


def test_erasure_needs_the_confirmation_and_staff_cannot_erase_themselves(client, staff_user, contact):
    client.force_login(staff_user)
    client.post(reverse("person_data_erase", args=[contact.pk]))
    assert User.objects.get(pk=contact.pk).email == contact.email
    client.post(reverse("person_data_erase", args=[staff_user.pk]), {"confirm": "erase"})
    assert User.objects.get(pk=staff_user.pk).email == staff_user.email


@pytest.mark.parametrize("who", ["director", "contact", "coordinator"])
def test_only_staff_who_manage_people_export_or_erase(client, request, who, tampere_contact):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("person_data_export", args=[tampere_contact.pk])).status_code in (403, 404)
    assert client.post(reverse("person_data_erase", args=[tampere_contact.pk]),
                       {"confirm": "erase"}).status_code in (403, 404)
    assert User.objects.get(pk=tampere_contact.pk).is_active


def test_anonymous_is_sent_to_log_in(client, contact):
    response = client.get(reverse("person_data_export", args=[contact.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
