"""A Swedish-speaking member library reads a procurement's title and description in Swedish
when staff wrote them, and the Finnish text marked lang="fi" when not."""

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Procurement

pytestmark = pytest.mark.django_db


def test_staff_write_an_optional_swedish_version_and_a_swedish_reader_gets_it(client, staff_user, open_procurement,
                                                                                tampere_contact):
    services.procurement_save(procurement=open_procurement, by=staff_user, title_sv="Tidskrifter 2027–2030",
                              description_fi="Lehtitilaukset kilpailutetaan.", description_sv="Tidskrifterna upphandlas.")
    tampere_contact.language = "sv"
    tampere_contact.save(update_fields=["language"])
    client.force_login(tampere_contact)
    html = client.get(reverse("procurement:detail", args=[open_procurement.pk])).content.decode()
    assert "<h1>Tidskrifter 2027–2030</h1>" in html
    assert '<p lang="sv">Tidskrifterna upphandlas.</p>' in html
    listing = client.get(reverse("procurement:list")).content.decode()
    assert "Tidskrifter 2027–2030" in listing


def test_without_a_swedish_text_the_finnish_one_is_shown_marked_as_finnish(client, open_procurement, tampere_contact):
    tampere_contact.language = "sv"
    tampere_contact.save(update_fields=["language"])
    client.force_login(tampere_contact)
    html = client.get(reverse("procurement:detail", args=[open_procurement.pk])).content.decode()
    assert '<h1><span lang="fi">Aikakauslehdet 2027–2030</span></h1>' in html


def test_the_finnish_title_is_required_whatever_the_writers_language(client, staff_user, open_procurement):
    staff_user.language = "sv"
    staff_user.save(update_fields=["language"])
    client.force_login(staff_user)
    response = client.post(reverse("procurement:edit", args=[open_procurement.pk]), {
        "title_fi": "", "title_sv": "Bara på svenska", "category": open_procurement.category,
        "purchasing_body": open_procurement.purchasing_body_id})
    assert response.status_code == 200
    assert Procurement.objects.get(pk=open_procurement.pk).title_fi == "Aikakauslehdet 2027–2030"
