"""A refused or missing page is one log line; a server error keeps its traceback."""

import logging

import pytest
from django.urls import include, path, reverse



def _broken(request):
    raise RuntimeError("something broke")


urlpatterns = [path("broken/", _broken), path("", include("config.urls"))]

pytestmark = pytest.mark.django_db


def _request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_404_is_logged_once_as_one_line(client, caplog, staff_user):
    client.force_login(staff_user)
    with caplog.at_level(logging.WARNING):
        assert client.get(reverse("library_detail", args=[987654])).status_code == 404
    records = _request_records(caplog)
    assert len(records) == 1
    assert records[0].exc_info is None and records[0].getMessage() == "Not Found: /libraries/987654/"
    assert "Traceback" not in caplog.text and len(caplog.text.strip().splitlines()) == 1


def test_a_403_is_logged_once_as_one_line(client, caplog, contact):
    client.force_login(contact)  # a library contact may not see the background jobs
    with caplog.at_level(logging.WARNING):
        status = client.get(reverse("job_list")).status_code
    assert status == 403
    records = _request_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None
    assert records[0].getMessage().startswith("Forbidden") and "Traceback" not in caplog.text


def test_a_500_keeps_its_traceback(client, caplog, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING):
        assert client.get("/broken/").status_code == 500
    records = _request_records(caplog)
    assert len(records) == 1 and records[0].exc_info is not None
    assert "RuntimeError: something broke" in caplog.text and "Traceback" in caplog.text
