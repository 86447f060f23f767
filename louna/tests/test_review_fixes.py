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


def test_the_accessibility_reminder_is_sent_once_a_month_however_often_the_job_runs(
        coordinator, django_capture_on_commit_callbacks):
    from datetime import date

    from django.core import mail

    from louna import services
    from louna.tests.factories import WebServiceFactory

    WebServiceFactory(name="Cineast")
    first = date(2026, 9, 1)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        assert services.accessibility_reminder_mail(year=2026, today=first) == 1
        assert services.accessibility_reminder_mail(year=2026, today=first) == 0  # the beat ran twice, or a retry
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.accessibility_reminder_mail(year=2026, today=date(2026, 10, 1)) == 1  # next month again
    assert len(mail.outbox) == 2
