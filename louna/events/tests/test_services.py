"""The rules of writing: whose an item is, who checks it, what an event needs."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consortium.models import OutboxMessage
from louna.events import services
from louna.events.models import Item
from louna.events.tests.factories import at

pytestmark = pytest.mark.django_db

NOW = at(date(2026, 10, 1), 12)


def _event(**fields):
    values = dict(kind=Item.Kind.EVENT, title_fi="Satutunti", text_fi="Satuja lapsille.",
                  starts_at=at(date(2026, 10, 6)), ends_at=at(date(2026, 10, 6), 19), publish_from=NOW)
    values.update(fields)
    return Item(**values)


def test_a_library_contacts_item_waits_for_the_coordinator_and_is_then_published(contact, coordinator, humppila):
    item = services.item_save(item=_event(library=humppila), libraries=[], by=contact, now=NOW)
    assert item.state == Item.State.PENDING
    assert list(item.municipalities.all()) == [humppila.municipality]  # concerns its own library
    approved = services.item_approve(item=item, by=coordinator, now=NOW)
    assert approved.state == Item.State.PUBLISHED
    assert approved.approved_by == coordinator
    mail = OutboxMessage.objects.get(kind="louna_events.approved")
    assert (mail.to, mail.recipient) == (contact.email, contact)
    assert mail.subject == "Julkaistu: Satutunti"
    services.item_approve(item=item, by=coordinator, now=NOW)  # pressed twice: one mail
    assert OutboxMessage.objects.count() == 1


def test_a_libraries_change_after_approval_needs_a_new_check(contact, coordinator, humppila):
    item = services.item_save(item=_event(library=humppila), libraries=[], by=contact, now=NOW)
    services.item_approve(item=item, by=coordinator, now=NOW)
    item = Item.objects.get(pk=item.pk)
    item.title_fi = "Satutunti ja askartelu"
    services.item_save(item=item, libraries=[], by=contact, now=NOW)
    assert Item.objects.get(pk=item.pk).state == Item.State.PENDING


def test_the_coordinators_shared_item_is_published_at_once(coordinator):
    item = services.item_save(item=_event(), libraries=[], all_of_louna=True, by=coordinator, now=NOW)
    assert item.state == Item.State.PUBLISHED
    assert item.all_of_louna and not item.municipalities.exists()


def test_a_library_cannot_write_for_another_library(contact, humppila, tammela):
    with pytest.raises(PermissionDenied):
        services.item_save(item=_event(library=tammela), libraries=[tammela], by=contact, now=NOW)
    assert not Item.objects.exists()


def test_a_library_cannot_edit_another_librarys_item(contact, tammela_contact, tammela):
    item = services.item_save(item=_event(library=tammela), libraries=[], by=tammela_contact, now=NOW)
    item.title_fi = "Kaapattu"
    with pytest.raises(PermissionDenied):
        services.item_save(item=item, libraries=[], by=contact, now=NOW)
    assert Item.objects.get(pk=item.pk).title_fi == "Satutunti"


def test_a_library_cannot_write_a_shared_item_nor_for_all_of_louna(contact, humppila, tammela):
    with pytest.raises(PermissionDenied):
        services.item_save(item=_event(), libraries=[], all_of_louna=True, by=contact, now=NOW)
    # As its own library, the choice of all of Louna or of other libraries is ignored.
    item = services.item_save(item=_event(library=humppila), libraries=[tammela], all_of_louna=True,
                              by=contact, now=NOW)
    assert not item.all_of_louna
    assert list(item.libraries.all()) == [humppila]


def test_only_the_coordinator_approves(client, contact, director, humppila):
    # Who may approve is decided before the service is called (docs/architecture.md).
    item = services.item_save(item=_event(library=humppila), libraries=[], by=contact, now=NOW)
    client.force_login(director)
    assert client.post(reverse("louna_events:approve", args=[item.pk])).status_code == 403
    assert Item.objects.get(pk=item.pk).state == Item.State.PENDING


def test_library_outside_louna_cannot_write(tampere_contact, tampere):
    with pytest.raises(PermissionDenied):
        services.item_save(item=_event(library=tampere), libraries=[], by=tampere_contact, now=NOW)


def test_coordinator_cannot_concern_a_library_outside_louna(coordinator, tampere):
    with pytest.raises(ValidationError) as error:
        services.item_save(item=_event(), libraries=[tampere], by=coordinator, now=NOW)
    assert "libraries" in error.value.error_dict


@pytest.mark.parametrize(("fields", "field"), [
    ({"ends_at": at(date(2026, 10, 6), 17)}, "ends_at"),
    ({"starts_at": None}, "starts_at"),
    ({"repeat": Item.Repeat.WEEKLY}, "repeat_until"),
    ({"repeat": Item.Repeat.WEEKLY, "repeat_until": date(2026, 10, 1)}, "repeat_until"),
    ({"repeat": Item.Repeat.DAILY, "repeat_until": date(2028, 12, 1)}, "repeat_until"),
    ({"publish_until": NOW - timedelta(days=1)}, "publish_until"),
])
def test_an_invalid_event_is_refused_naming_the_field_and_nothing_is_saved(coordinator, fields, field):
    with pytest.raises(ValidationError) as error:
        services.item_save(item=_event(**fields), libraries=[], all_of_louna=True, by=coordinator, now=NOW)
    assert field in error.value.error_dict
    assert not Item.objects.exists()


def test_an_image_needs_its_alt_text(coordinator):
    # The smallest valid GIF: ImageField checks that the file is an image.
    gif = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
           b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
    item = _event(image=SimpleUploadedFile("kuva.gif", gif, content_type="image/gif"))
    with pytest.raises(ValidationError) as error:
        services.item_save(item=item, libraries=[], all_of_louna=True, by=coordinator, now=NOW)
    assert "image_alt_fi" in error.value.error_dict
    item.image_alt_fi = "Lapsia kuuntelemassa satua"
    saved = services.item_save(item=item, libraries=[], all_of_louna=True, by=coordinator, now=NOW)
    assert saved.image.name.endswith(".gif")


def test_news_keeps_no_times_and_swedish_text_is_optional(coordinator, humppila):
    item = services.item_save(item=Item(kind=Item.Kind.NEWS, title_fi="Uutinen", text_fi="Teksti",
                                        starts_at=NOW, ends_at=NOW, publish_from=NOW),
                              libraries=[humppila], by=coordinator, now=NOW)
    item.refresh_from_db()
    assert item.starts_at is None and item.title_sv in (None, "")


def test_the_coordinator_writing_as_a_library_publishes_at_once_but_editing_keeps_the_check(
        coordinator, contact, humppila):
    written = services.item_save(item=_event(library=humppila), libraries=[humppila], by=coordinator, now=NOW)
    assert (written.library, written.state) == (humppila, Item.State.PUBLISHED)
    waiting = services.item_save(item=_event(library=humppila), libraries=[], by=contact, now=NOW)
    waiting = Item.objects.get(pk=waiting.pk)
    waiting.title_fi = "Korjattu otsikko"
    services.item_save(item=waiting, libraries=[humppila], by=coordinator, now=NOW)
    assert Item.objects.get(pk=waiting.pk).state == Item.State.PENDING


def test_the_coordinator_returns_an_item_with_a_note_and_the_librarys_next_save_asks_again(
        contact, coordinator, humppila):
    item = services.item_save(item=_event(library=humppila), libraries=[], by=contact, now=NOW)
    with pytest.raises(ValidationError) as error:
        services.item_return(item=item, by=coordinator, note="  ")
    assert "check_note" in error.value.error_dict
    returned = services.item_return(item=item, by=coordinator, note="Lisää tapahtumapaikan osoite.")
    assert (returned.state, returned.check_note) == (Item.State.RETURNED, "Lisää tapahtumapaikan osoite.")
    mail = OutboxMessage.objects.get(kind="louna_events.returned")
    assert mail.to == contact.email and "Lisää tapahtumapaikan osoite." in mail.body_text
    with pytest.raises(ValidationError):  # not waiting any more
        services.item_return(item=returned, by=coordinator, note="Toinen huomautus")
    returned = Item.objects.get(pk=item.pk)
    returned.place_fi = "Humppilan kirjasto, Kirjastotie 1"
    assert services.item_save(item=returned, libraries=[], by=contact, now=NOW).state == Item.State.PENDING
    assert services.item_approve(item=returned, by=coordinator, now=NOW).check_note == ""


def test_only_the_coordinator_returns(client, contact, director, humppila):
    item = services.item_save(item=_event(library=humppila), libraries=[], by=contact, now=NOW)
    client.force_login(director)
    assert client.post(reverse("louna_events:return", args=[item.pk]), {"check_note": "Ei käy"}).status_code == 403
    assert Item.objects.get(pk=item.pk).state == Item.State.PENDING
