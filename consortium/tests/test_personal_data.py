"""A person's own data: exported as JSON and erased on request; the account stays, pseudonymised."""

import json

import pytest
from django.urls import reverse

from consortium.models import RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_staff_export_the_account_and_roles(client, staff_user, contact, humppila):
    client.force_login(staff_user)
    response = client.get(reverse("person_data_export", args=[contact.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{contact.pk}.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == contact.email and data["account"]["name"] == contact.full_name
    assert data["roles"] == [{"role": "contact", "library": humppila.name}]


def test_erasure_removes_roles_and_pseudonymises_the_account(client, staff_user, contact):
    client.force_login(staff_user)
    response = client.post(reverse("person_data_erase", args=[contact.pk]), {"confirm": "erase"}, follow=True)
    assert response.status_code == 200
    erased = User.objects.get(pk=contact.pk)
    assert erased.email == f"erased-{contact.pk}@erased.invalid" and contact.full_name not in erased.full_name
    assert not erased.is_active and not erased.has_usable_password() and erased.phone == ""
    assert not RoleAssignment.objects.filter(user=erased).exists()


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
