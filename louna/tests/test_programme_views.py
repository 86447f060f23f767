"""The pages of the year after finalising: following an item, an explicit amendment, the
overview and the implementation report, each for its role."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from louna.programme import services
from louna.models import ImplementationReport, ItemProgress, ProgrammeVersion
from louna.tests.programme_fixtures import (  # noqa: F401
    answer_all, english, final, forssa, in_review, programme, speak_english)

pytestmark = pytest.mark.django_db


def test_the_coordinator_records_progress_and_the_follower_is_told(client, final, coordinator, director,
                                                                   django_capture_on_commit_callbacks):
    speak_english()
    item = final.items.order_by("position").first()
    url = reverse("louna:programme_item", args=[2024, item.pk])
    client.force_login(director)
    assert client.post(reverse("louna:programme_item_follow", args=[2024, item.pk])).status_code == 302
    # a director cannot record progress
    progress_url = reverse("louna:programme_progress", args=[2024, item.pk])
    assert client.post(progress_url, {"g-state": "done", "g-percent": 100,
                             "g-on": timezone.localdate().isoformat()}).status_code == 403
    client.force_login(coordinator)
    response = client.post(progress_url, {"g-state": "moved", "g-percent": 20,
                                 "g-on": timezone.localdate().isoformat(), "g-note": ""})
    assert response.status_code == 200 and "Say why the item was moved or dropped." in response.content.decode()
    assert not ItemProgress.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(progress_url, {"g-state": "moved", "g-percent": 20,
                                     "g-on": timezone.localdate().isoformat(), "g-note": "Kunnan aikataulu."})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[director.email]]
    page = client.get(url).content.decode()
    assert "Kunnan aikataulu." in page and "moved to next year" in page


def test_an_amendment_through_the_page_is_a_new_version(client, final, coordinator, director):
    speak_english()
    item = final.items.order_by("position").first()
    url = reverse("louna:programme_item_amend", args=[2024, item.pk])
    client.force_login(director)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    data = {"title": item.title, "aim": item.aim, "measures": item.measures, "responsible": item.responsible,
            "schedule": "syksy", "indicator": item.indicator, "reason": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and final.versions.count() == 2  # no reason, no amendment
    response = client.post(url, {**data, "reason": "Koulutus siirtyi syksyyn."})
    assert response.status_code == 302
    latest = final.versions.order_by("-number").first()
    assert (latest.kind, latest.note) == (ProgrammeVersion.Kind.AMENDMENT, "Koulutus siirtyi syksyyn.")
    client.force_login(director)
    page = client.get(reverse("louna:programme_detail", args=[2024]) + "?since=2").content.decode()
    assert "amendment" in page and "<ins>" in page and "syksy" in page


def test_the_overview_counts_by_area_and_municipality(client, final, coordinator, director, humppila, tammela):
    speak_english()
    first, second, third = final.items.order_by("position")
    second.libraries.set([tammela])
    services.progress_record(item=first, state="done", percent=100, by=coordinator)
    services.progress_record(item=second, state="in_progress", percent=50, by=coordinator)
    client.force_login(director)
    response = client.get(reverse("louna:programme_overview", args=[2024]))
    overview = response.context["overview"]
    assert overview.totals.counts == {"done": 1, "in_progress": 1, "not_started": 1}
    by_municipality = {row.label: row.counts for row in overview.by_municipality}
    assert by_municipality["Humppila"] == {"done": 1, "not_started": 1}  # the Tammela-only item is not here
    assert by_municipality["Tammela"] == {"done": 1, "in_progress": 1, "not_started": 1}
    assert [row.total for row in overview.by_area] == [1, 1, 1]
    assert 'role="img"' in response.content.decode()  # the bars carry their counts as text


def test_the_coordinator_reviews_and_sends_a_report(client, final, coordinator, director, humppila,
                                                    django_capture_on_commit_callbacks):
    speak_english()
    client.force_login(coordinator)
    response = client.post(reverse("louna:programme_reports_draft", args=[2024]), {})
    assert response.status_code == 302 and ImplementationReport.objects.count() == 3
    report = ImplementationReport.objects.get(library=humppila)
    client.force_login(director)
    assert client.get(reverse("louna:programme_report", args=[report.pk])).status_code == 404  # a draft
    client.force_login(coordinator)
    url = reverse("louna:programme_report", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(reverse("louna:programme_report_send", args=[report.pk]), {"summary": "Hyvä vuosi."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "sent" and report.summary == "Hyvä vuosi."
    assert mail.outbox[-1].to == [director.email]
    client.force_login(director)
    assert "Hyvä vuosi." in client.get(url).content.decode()
    assert client.get(reverse("louna:programme_report_pdf", args=[report.pk]))["Content-Type"] == "application/pdf"


def test_items_moved_to_next_year_are_brought_into_next_years_draft(client, final, coordinator):
    speak_english()
    moved = final.items.order_by("position")[1]
    services.progress_record(item=moved, state="moved", percent=10, note="Ensi vuonna.", by=coordinator)
    following = services.programme_create(year=2025, by=coordinator)
    client.force_login(coordinator)
    desk = client.get(reverse("louna:programme_manage", args=[2025])).content.decode()
    assert "Bring the 1 item moved from last year" in desk
    assert client.post(reverse("louna:programme_carry_over", args=[2025]), {}).status_code == 302
    assert list(following.items.values_list("title", "aim")) == [(moved.title, moved.aim)]
    client.post(reverse("louna:programme_carry_over", args=[2025]), {})
    assert following.items.count() == 1  # brought once
