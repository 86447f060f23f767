"""The newsletter's items and issues keep their Swedish versions on the portal's one
mechanism for member texts (django-modeltranslation): the Finnish text is title_fi, the
Swedish one title_sv, whatever language the writer's own screen is in."""

import pytest
from django.urls import reverse
from django.utils import translation

from newsletters.models import Item

from .factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_a_writer_using_swedish_still_writes_the_finnish_text_as_finnish(client, staff_user):
    staff_user.language = "sv"
    staff_user.save(update_fields=["language"])
    client.force_login(staff_user)
    response = client.post(reverse("newsletters:item_create"), {
        "title_fi": "Joulun aukioloajat", "body_fi": "Kirjastot ovat kiinni.", "title_sv": "Öppettider under julen",
        "body_sv": "Biblioteken är stängda.", "area": ""})
    assert response.status_code == 302
    item = Item.objects.get()
    assert (item.title_fi, item.title_sv) == ("Joulun aukioloajat", "Öppettider under julen")
    with translation.override("sv"):
        assert item.title == "Öppettider under julen"
    with translation.override("fi"):
        assert item.title == "Joulun aukioloajat"


def test_without_a_swedish_text_a_swedish_reader_gets_the_finnish_one():
    item = ItemFactory(title="Vain suomeksi")
    with translation.override("sv"):
        assert item.title == "Vain suomeksi"
    assert item.title_sv in (None, "")
