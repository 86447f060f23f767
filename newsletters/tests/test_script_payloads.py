"""Script and event-handler payloads in a newsletter item come back as text."""

import pytest
from django.urls import reverse

from consortium.models import Role
from consortium.tests.factories import user_with_role
from consortium.tests.hostile import PAYLOADS, assert_shown_as_text
from newsletters.models import Item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("payload", PAYLOADS)
def test_item_title_and_body(client, payload):
    client.force_login(user_with_role(Role.STAFF))
    response = client.post(reverse("newsletters:item_create"), {"title_fi": payload, "body_fi": payload, "area": ""})
    assert response.status_code == 302
    item = Item.objects.get()
    assert_shown_as_text(client, [reverse("newsletters:index"), reverse("newsletters:item_edit", args=[item.pk])])
