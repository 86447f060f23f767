"""What the review's second pair of eyes found in the agreement pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from louna.models import AgreementDocument

pytestmark = pytest.mark.django_db


def _english(*users):
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def test_a_refused_document_says_which_field_is_missing(client, agreement, coordinator):
    _english(coordinator)
    client.force_login(coordinator)
    upload = SimpleUploadedFile("sopimus.txt", b"Palvelusopimus 2024\n", content_type="text/plain")
    response = client.post(reverse("louna:document_add", args=[2024]), {"title": "", "file": upload}, follow=True)
    page = response.content.decode()
    assert "Title: This field is required." in page
    assert not AgreementDocument.objects.exists()


def test_a_refused_copy_names_the_year_field(client, agreement, coordinator):
    _english(coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("louna:agreement_copy", args=[2024]), {"year": "2024"}, follow=True)
    assert "Year of the new agreement: There is already an agreement for 2024" in response.content.decode()
