"""The newsletter's part of a person's data: exported with the person, erased on request."""

import json

import pytest
from django.urls import reverse

from newsletters.models import Subscriber
from newsletters.tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_a_subscription_is_exported_and_erased_with_the_person(client, staff_user, contact):
    SubscriberFactory(email=contact.email.upper(), name=contact.full_name)  # found by address, any case
    client.force_login(staff_user)
    data = json.loads(client.get(reverse("person_data_export", args=[contact.pk])).content)
    assert [subscription["email"] for subscription in data["newsletter"]] == [contact.email.upper()]
    client.post(reverse("person_data_erase", args=[contact.pk]), {"confirm": "erase"})
    assert not Subscriber.objects.filter(email__iexact=contact.email).exists()
