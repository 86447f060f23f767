"""Feedback saved as answered without the answer gets the portal's own words, never the
database constraint's name."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_answered_without_an_answer_names_the_answer_field(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("louna:feedback_create"), {
        "channel": "finna", "received_on": "2.12.2026", "text": "Haku ei toimi.", "state": "answered", "answer": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "louna_feedback_answered_has_answer" not in page
    with translation.override("fi"):
        assert translation.gettext("Record the answer that was given.") in page
