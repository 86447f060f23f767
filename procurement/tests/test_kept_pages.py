"""The procurement list is a kept page (consortium.pagecache): an answer saved is on the next
load of every person of the library, and a library never sees another library's copy."""

import pytest
from django.urls import reverse

from procurement.tests.test_views import form_data

pytestmark = pytest.mark.django_db


def test_an_opt_in_is_on_the_next_load_of_the_librarys_list(client, open_procurement, humppila, contact, director):
    url = reverse("procurement:list")
    client.force_login(contact)
    assert "sitova sitoumus" not in client.get(url).content.decode()
    assert not client.get(url).templates, "the list is kept"
    client.force_login(director)
    assert "sitova sitoumus" not in client.get(url).content.decode()
    opt_in_url = reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk])
    assert client.post(opt_in_url, form_data()).status_code == 302
    for person in (director, contact):
        client.force_login(person)
        assert "sitova sitoumus, 12\xa0500,50\xa0€" in client.get(url).content.decode()


def test_another_library_never_gets_a_librarys_kept_list(client, open_procurement, humppila, tammela, contact,
                                                         other_director):
    client.force_login(contact)
    assert client.post(reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk]),
                       form_data()).status_code == 302
    url = reverse("procurement:list")
    assert "sitova sitoumus" in client.get(url).content.decode()  # with the one-off message: not kept
    client.get(url)
    assert not client.get(url).templates  # kept for Humppila's contact
    client.force_login(other_director)
    tammela_page = client.get(url).content.decode()
    assert "sitova sitoumus" not in tammela_page
    assert reverse("procurement:opt_in", args=[open_procurement.pk, tammela.pk]) in tammela_page
    assert reverse("procurement:opt_in", args=[open_procurement.pk, humppila.pk]) not in tammela_page


def test_staff_editing_a_procurement_is_on_the_members_next_load(client, open_procurement, contact, staff_user):
    from procurement.models import Procurement

    url = reverse("procurement:list")
    client.force_login(contact)
    client.get(url)
    # Bulk update: no model signal, as a data fix from the shell would be.
    Procurement.objects.filter(pk=open_procurement.pk).update(title_fi="Aikakauslehdet, uusi nimi")
    assert "Aikakauslehdet, uusi nimi" in client.get(url).content.decode()
