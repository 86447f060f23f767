"""The coordinator fills in every form once with good data, and once with bad data that
must come back with a message (and nothing saved)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from louna import services
from louna.models import (
    AccessibilityCheck,
    AccessibilityFinding,
    AgreementDocument,
    Decision,
    Feedback,
    Milestone,
    Project,
    ProjectNote,
    ServiceArea,
    Task,
    WebService,
)
from louna.tests.factories import MeetingFactory, WebServiceFactory

pytestmark = pytest.mark.django_db


def post(client, url, data, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def test_coordinator_walks_every_form(client, coordinator, agreement, area, task, humppila):
    client.force_login(coordinator)
    year = agreement.year

    # areas
    post(client, reverse("louna:area_create", args=[year]), {"number": 1, "title": "Tupla"}, expect=200)
    post(client, reverse("louna:area_create", args=[year]), {"number": 2, "title": "Tilastot"})
    area2 = ServiceArea.objects.get(agreement=agreement, number=2)
    post(client, reverse("louna:area_edit", args=[year, area2.pk]), {"number": 2, "title": "Tilastotiedot"})

    # tasks
    data = {"area": area2.pk, "text": "Kuntakohtaiset tilastot", "responsible": coordinator.pk,
            "schedule": "due_date", "due_on": "2025-02-01", "per_municipality": "on"}
    post(client, reverse("louna:task_create", args=[year]), data, expect=200)
    data["due_on"] = "2024-02-01"
    post(client, reverse("louna:task_create", args=[year]), data)
    new_task = Task.objects.get(text="Kuntakohtaiset tilastot")
    assert new_task.number == 1 and new_task.municipal_states.count() == 2
    post(client, reverse("louna:task_edit", args=[year, new_task.pk]), {**data, "number": 3, "text": "Tilastot"})
    new_task.refresh_from_db()
    assert new_task.text == "Tilastot" and new_task.number == 3

    # municipal follow-up, notes, evidence link
    row = new_task.municipal_states.get(library=humppila)
    post(client, reverse("louna:task_municipality_set", args=[new_task.pk, row.pk]),
         {"state": "done", "note": "Toimitettu"})
    row.refresh_from_db()
    assert row.state == "done"
    post(client, reverse("louna:task_note_add", args=[new_task.pk]),
         {"note-on": "2024-03-01", "note-text": "Edistyy", "note-for_directors": "on"})
    post(client, reverse("louna:task_evidence_add", args=[new_task.pk]),
         {"evidence-title": "Tilastosivu", "evidence-url": "tilastot.kirjastot.fi"})
    assert new_task.evidence.get().url == "https://tilastot.kirjastot.fi"

    # agreement document
    client.post(reverse("louna:document_add", args=[year]),
                {"title": "Allekirjoitettu sopimus", "file": SimpleUploadedFile("sopimus.pdf", b"%PDF-1.5\n%%EOF\n")},
                follow=True)
    assert AgreementDocument.objects.get().content_type == "application/pdf"
    assert client.get(reverse("louna:document_download", args=[AgreementDocument.objects.get().pk])).status_code == 200
    client.post(reverse("louna:document_add", args=[year]),
                {"title": "Virus", "file": SimpleUploadedFile("sopimus.pdf", b"MZ\x90\x00")})
    assert AgreementDocument.objects.count() == 1

    # meeting: minutes, decision, decision -> task
    meeting = MeetingFactory(agreement=agreement)
    post(client, reverse("louna:meeting_edit", args=[meeting.pk]),
         {"title": "Kevätkokous", "starts_at": "2024-03-05T13:00", "ends_at": "2024-03-05T15:00", "place": "",
          "online_url": "teams.example/louna"})
    post(client, reverse("louna:meeting_minutes", args=[meeting.pk]), {"minutes-minutes": "Pöytäkirja"})
    post(client, reverse("louna:decision_add", args=[meeting.pk]), {"decision-text": "Tehdään kysely"})
    decision = Decision.objects.get()
    post(client, reverse("louna:decision_task", args=[decision.pk]),
         {"area": area.pk, "text": "Asukaskysely", "schedule": "yearly"})
    assert Task.objects.get(text="Asukaskysely").from_decision == decision

    # feedback
    service = WebServiceFactory(name="Finna")
    post(client, reverse("louna:feedback_create"),
         {"channel": "finna", "service": service.pk, "received_on": "2024-04-02", "text": "Haku ei toimi",
          "state": "new"})
    assert Feedback.objects.get().state == "new"

    # web services, checks, findings
    post(client, reverse("louna:service_create"), {"name": "finna", "description": ""}, expect=200)  # same name
    post(client, reverse("louna:service_create"), {"name": "Cineast", "url": "cineast.example", "is_active": "on"})
    cineast = WebService.objects.get(name="Cineast")
    post(client, reverse("louna:service_edit", args=[cineast.pk]), {"name": "Cineast", "is_active": "on"})
    post(client, reverse("louna:check_create", args=[cineast.pk]), {"checked_on": "2024-09-01"})
    check = AccessibilityCheck.objects.get(service=cineast)
    post(client, reverse("louna:check_create", args=[cineast.pk]), {"checked_on": "2024-10-01"}, expect=200)
    post(client, reverse("louna:check_edit", args=[cineast.pk, check.pk]), {"checked_on": "2024-09-02"})
    post(client, reverse("louna:finding_create", args=[check.pk]),
         {"criterion": "1.4.3", "severity": "serious", "description": "Kontrasti"})
    finding = AccessibilityFinding.objects.get()
    post(client, reverse("louna:finding_edit", args=[check.pk, finding.pk]),
         {"criterion": "1.4.3", "severity": "serious", "description": "Kontrasti", "fixed_on": "2024-08-01"},
         expect=200)
    post(client, reverse("louna:finding_edit", args=[check.pk, finding.pk]),
         {"criterion": "1.4.3", "severity": "serious", "description": "Kontrasti", "fixed_on": "2024-10-01"})

    # projects
    post(client, reverse("louna:project_create"), {"name": "Taukotila", "state": "running", "starts_on": "2024-01-01",
                                                   "ends_on": "2023-12-31"}, expect=200)
    post(client, reverse("louna:project_create"), {"name": "Taukotila", "state": "running", "starts_on": "2023-01-01",
                                                   "ends_on": "2024-12-31", "budget": "12500.50",
                                                   "libraries": [humppila.pk], "raised_in": meeting.pk})
    project = Project.objects.get()
    post(client, reverse("louna:project_edit", args=[project.pk]),
         {"name": "Taukotila", "state": "finished", "starts_on": "2023-01-01", "ends_on": "2024-12-31"})
    purl = reverse("louna:project_detail", args=[project.pk])
    murl = reverse("louna:milestone_add", args=[project.pk])
    post(client, murl, {"milestone-title": "Kysely", "milestone-due_on": "2022-05-01"}, expect=200)  # before the start
    post(client, murl, {"milestone-title": "Kysely", "milestone-due_on": "2024-05-01"})
    milestone = Milestone.objects.get()
    post(client, reverse("louna:project_note_add", args=[project.pk]), {"note-on": "2024-06-01", "note-text": "Hyvin menee"})
    assert ProjectNote.objects.get().text == "Hyvin menee"
    page = client.get(purl).content.decode()
    assert "Kysely" in page
    assert milestone.done_on is None


def test_budget_is_shown_the_finnish_way(client, coordinator):
    Project.objects.create(name="Taukotila", budget="12500.50")
    client.force_login(coordinator)
    assert "12\xa0500,50\xa0€" in client.get(reverse("louna:project_list")).content.decode()


def test_copy_form_refuses_a_year_that_exists(client, coordinator, agreement, task):
    services.agreement_copy(source=agreement, year=2025)
    client.force_login(coordinator)
    response = client.post(reverse("louna:agreement_copy", args=[2024]), {"year": 2025}, follow=True)
    assert response.status_code == 200
    assert Task.objects.filter(area__agreement__year=2025).count() == 1
    assert any("2025" in str(message) for message in response.context["messages"])
