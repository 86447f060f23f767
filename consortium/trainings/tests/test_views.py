"""Each page for each role: who may see, who may change; another library's people and
registrations are not found (404); the online link only for registered people."""

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from consortium.trainings.models import Registration, Training

from .factories import NOW, RegistrationFactory, TrainingFactory, WebinarFactory

pytestmark = pytest.mark.django_db
State = Registration.State


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_calendar_and_training_page_are_public_but_drafts_are_not(client):
    published = TrainingFactory(title_fi="Julkaistu koulutus")
    draft = TrainingFactory(title_fi="Luonnoskoulutus", state=Training.State.DRAFT)
    page = client.get(reverse("trainings:calendar")).content.decode()
    assert "Julkaistu koulutus" in page and "Luonnoskoulutus" not in page
    assert client.get(reverse("trainings:detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("trainings:detail", args=[draft.pk])).status_code == 404


def test_calendar_filters_by_kind_and_theme_and_shows_a_month(client):
    TrainingFactory(title_fi="Päivä metadatasta", theme="Metadata")
    WebinarFactory(title_fi="Webinaari e-kirjastosta", theme="E-kirjasto")
    page = client.get(reverse("trainings:calendar"), {"kind": "webinar"}).content.decode()
    assert "Webinaari e-kirjastosta" in page and "Päivä metadatasta" not in page
    page = client.get(reverse("trainings:calendar"), {"theme": "Metadata"}).content.decode()
    assert "Päivä metadatasta" in page and "Webinaari e-kirjastosta" not in page
    page = client.get(reverse("trainings:calendar"), {"month": "2026-11"}).content.decode()
    assert "Päivä metadatasta" in page and "Torstai 19.11.2026" in page
    assert "Päivä metadatasta" not in client.get(reverse("trainings:calendar"), {"month": "2026-12"}).content.decode()


def test_the_swedish_title_is_shown_in_swedish_and_the_finnish_otherwise(client):
    training = TrainingFactory(title_fi="E-aineistot näkyviksi", title_sv="E-material synliga")
    client.cookies["django_language"] = "sv"
    assert "E-material synliga" in client.get(reverse("trainings:detail", args=[training.pk]),
                                              HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    client.cookies["django_language"] = "fi"
    assert "E-aineistot näkyviksi" in client.get(reverse("trainings:detail", args=[training.pk]),
                                                 HTTP_ACCEPT_LANGUAGE="fi").content.decode()


def test_the_online_link_is_shown_only_to_registered_people(client, contact, humppila):
    webinar = WebinarFactory()
    url = reverse("trainings:detail", args=[webinar.pk])
    assert webinar.online_link not in client.get(url).content.decode()
    client.force_login(contact)
    assert webinar.online_link not in client.get(url).content.decode()
    RegistrationFactory(training=webinar, user=contact, email=contact.email, library=humppila)
    assert webinar.online_link in client.get(url).content.decode()
    assert webinar.online_link not in client.get(reverse("trainings:ics", args=[webinar.pk])).content.decode()


def test_a_person_registers_themselves(client, director, humppila, outbox):
    training = TrainingFactory()
    client.force_login(director)
    response = client.post(reverse("trainings:register", args=[training.pk]), {"library": humppila.pk})
    assert response.status_code == 302
    registration = training.registrations.get()
    assert (registration.user, registration.email, registration.state) == (director, director.email, State.REGISTERED)
    assert outbox("trainings.confirmation")[0].recipient == director


def test_a_contact_registers_a_colleague_of_their_library(client, contact, humppila):
    training = TrainingFactory()
    client.force_login(contact)
    response = client.post(reverse("trainings:register", args=[training.pk]),
                           {"library": humppila.pk, "full_name": "Kaija Kollega", "email": "kaija@humppila.example"})
    assert response.status_code == 302
    assert training.registrations.get().library == humppila


def test_a_contact_cannot_register_for_another_library(client, contact, tammela):
    training = TrainingFactory()
    client.force_login(contact)
    response = client.post(reverse("trainings:register", args=[training.pk]),
                           {"library": tammela.pk, "full_name": "Vieras", "email": "vieras@tammela.example"})
    assert response.status_code == 404
    assert not training.registrations.exists()


def test_a_refused_registration_shows_the_reason_on_the_form(client, contact, humppila):
    training = TrainingFactory()
    RegistrationFactory(training=training, email="kaija@humppila.example", library=humppila)
    client.force_login(contact)
    response = client.post(reverse("trainings:register", args=[training.pk]),
                           {"library": humppila.pk, "full_name": "Kaija", "email": "kaija@humppila.example"})
    assert response.status_code == 200
    assert "kaija@humppila.example" in response.context["form"].errors["email"][0]


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("nobody", 404), ("director", 404), ("contact", 200),
                                         ("staff_user", 200)])
def test_registrations_page_by_role(client, request, who, status, humppila):
    training = TrainingFactory()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("trainings:registrations", args=[training.pk])).status_code == status


def test_a_contact_sees_only_their_own_librarys_registrations(client, contact, humppila, tammela):
    training = TrainingFactory()
    RegistrationFactory(training=training, library=humppila, full_name="Oma Ihminen")
    RegistrationFactory(training=training, library=tammela, full_name="Vieras Ihminen")
    client.force_login(contact)
    page = client.get(reverse("trainings:registrations", args=[training.pk])).content.decode()
    assert "Oma Ihminen" in page and "Vieras Ihminen" not in page
    book = load_workbook(BytesIO(client.get(reverse("trainings:registrations_xlsx", args=[training.pk])).content))
    names = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["Oma Ihminen"]


def test_a_registration_page_of_another_token_is_not_found(client):
    assert client.get(reverse("trainings:registration", args=["no-such-token"])).status_code == 404


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("contact", 403), ("staff_user", 200)])
def test_staff_pages_by_role(client, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("trainings:manage")).status_code == status
    assert client.get(reverse("trainings:create")).status_code == status


def test_only_staff_mark_attendance(client, contact, staff_user, humppila):
    training = TrainingFactory(starts_at=NOW.replace(hour=8), registration_deadline=NOW.replace(hour=7))
    registration = RegistrationFactory(training=training, library=humppila)
    client.force_login(contact)
    client.post(reverse("trainings:registrations", args=[training.pk]), {"present": [registration.pk]})
    registration.refresh_from_db()
    assert registration.attended is None
    client.force_login(staff_user)
    client.post(reverse("trainings:registrations", args=[training.pk]), {"present": [registration.pk]})
    registration.refresh_from_db()
    assert registration.attended is True


def test_excel_export_writes_formula_like_text_as_text(client, staff_user, humppila):
    training = TrainingFactory()
    RegistrationFactory(training=training, library=humppila, full_name="=HYPERLINK(\"x\")")
    client.force_login(staff_user)
    response = client.get(reverse("trainings:registrations_xlsx", args=[training.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    cell = sheet["B2"]
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s"
    assert sheet["A2"].value == humppila.name


def test_staff_create_a_training_from_a_wish(client, staff_user, contact, humppila, outbox):
    from consortium.trainings import services

    wish = services.wish_create(topic="Ellibs tutuksi", library=humppila, staff_count=3, by=contact)
    client.force_login(staff_user)
    data = {"kind": "day", "title_fi": "Ellibs tutuksi", "theme": "E-kirjat", "starts_at": "19.11.2026 9.00",
            "ends_at": "19.11.2026 12.00", "capacity": "20", "registration_opens_at": "1.11.2026 8.00",
            "registration_deadline": "16.11.2026 16.00", "for_all_members": "on", "language": "fi"}
    response = client.post(reverse("trainings:create_from_wish", args=[wish.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Training.objects.get().from_wish == wish
    assert [m.to for m in outbox("trainings.wish")] == [contact.email]


def test_the_form_refuses_a_webinar_without_a_link(client, staff_user):
    client.force_login(staff_user)
    data = {"kind": "webinar", "title_fi": "Webinaari", "theme": "E-kirjat", "starts_at": "19.11.2026 9.00",
            "ends_at": "19.11.2026 10.00", "capacity": "20", "registration_opens_at": "1.11.2026 8.00",
            "registration_deadline": "16.11.2026 16.00", "language": "fi"}
    response = client.post(reverse("trainings:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["online_link"]
    assert not Training.objects.exists()


def test_wishes_page_by_role(client, nobody, contact, humppila, tammela):
    client.force_login(nobody)
    assert client.get(reverse("trainings:wishes")).status_code == 403
    client.force_login(contact)
    assert client.get(reverse("trainings:wishes")).status_code == 200
    response = client.post(reverse("trainings:wishes"), {"topic": "X", "library": tammela.pk, "staff_count": 2})
    assert response.status_code == 404
    client.post(reverse("trainings:wishes"), {"topic": "PressReader", "library": humppila.pk, "staff_count": 2})
    assert "PressReader" in client.get(reverse("trainings:wishes")).content.decode()
