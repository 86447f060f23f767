"""A review run through the pages, from the draft to the final version delivered to each
library: two versions, comments tied to the version they answered, a proposal accepted,
positions, finalising, the PDFs e-mailed and kept on the portal."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from consortium.calendar import next_working_day
from louna.models import (
    ChangeProposal,
    ItemComment,
    LibraryPosition,
    Programme,
    ProgrammeDelivery,
    ProgrammeItem,
    Task,
)
from louna.tests.factories import ServiceAreaFactory, TaskFactory

from louna.tests.programme_fixtures import english, speak_english  # noqa: F401

pytestmark = pytest.mark.django_db


def _text(pdf_bytes: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)


def test_a_review_from_draft_to_final_with_two_versions(client, agreement, coordinator, director, other_director,
                                                        humppila, tammela, django_capture_on_commit_callbacks):
    area = ServiceAreaFactory(agreement=agreement, number=6, title="Vuotuinen toimenpideohjelma")
    TaskFactory(area=area, number=1, text="Toimenpideohjelman työstö yhdessä johtajien kanssa")
    TaskFactory(area=area, number=2, text="Raportti toteutumisesta alkuvuodesta")
    forssa = agreement.provider
    speak_english()

    # the coordinator starts the programme and drafts its items from the agreement's tasks
    client.force_login(coordinator)
    response = client.post(reverse("louna:programme_list"), {"year": 2024, "title": "", "introduction": "Johdanto."})
    assert response.status_code == 302
    programme = Programme.objects.get(year=2024)
    assert programme.agreement == agreement and programme.title.endswith("2024")
    tasks = list(Task.objects.filter(area=area).order_by("number"))
    response = client.post(reverse("louna:programme_from_tasks", args=[2024]), {"tasks": [t.pk for t in tasks]})
    assert response.status_code == 302
    first, second = programme.items.order_by("position")
    response = client.post(reverse("louna:programme_item_edit", args=[2024, first.pk]), {
        "area": area.pk, "position": first.position, "title": "Ohjelman työstö", "aim": "Yhteinen ohjelma.",
        "measures": "Luonnos kommentoidaan portaalissa.", "responsible": "Koordinaattori",
        "schedule": "tammi–helmikuu", "indicator": "Kaikki kirjastot ovat vastanneet.",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    deadline = next_working_day(timezone.localdate() + timedelta(days=5))
    response = client.post(reverse("louna:programme_review_open", args=[2024]),
                           {"open-deadline": deadline.isoformat(), "open-note": "Kommentoikaa!"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.state == Programme.State.REVIEW and programme.versions.count() == 1

    # a director reads, comments and proposes a change
    client.force_login(director)
    page = client.get(reverse("louna:programme_detail", args=[2024])).content.decode()
    assert "Ohjelman työstö" in page and "version 1" in page and "Changes since" not in page
    item_url = reverse("louna:programme_item", args=[2024, first.pk])
    comment_url = reverse("louna:programme_comment_add", args=[2024, first.pk])
    assert client.post(comment_url, {"c-text": "Lisätään aikataulu?"}).status_code == 302
    assert client.post(reverse("louna:programme_proposal_add", args=[2024, first.pk]), {"p-field": "schedule", "p-proposed_text": "tammi–maaliskuu",
                                  "p-reason": "Helmikuu on kiireinen."}).status_code == 302
    comment = ItemComment.objects.get()
    assert (comment.library, comment.item_version.version.number) == (humppila, 1)

    # the other director sees the comment and the proposal as a difference
    client.force_login(other_director)
    page = client.get(item_url).content.decode()
    assert "Lisätään aikataulu?" in page and humppila.name in page
    assert "<del>" in page and "<ins>" in page and "maaliskuu" in page

    # the coordinator answers, accepts the proposal and publishes version 2
    client.force_login(coordinator)
    assert client.post(comment_url, {"c-text": "Kyllä, lisätään.",
                                  "c-parent": comment.pk}).status_code == 302
    proposal = ChangeProposal.objects.get()
    assert client.post(reverse("louna:programme_proposal_decide", args=[2024, first.pk, proposal.pk]),
                       {"decision": "accept",
                                  "note": "Hyvä ehdotus."}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ChangeProposal.State.ACCEPTED
    manage = client.get(reverse("louna:programme_manage", args=[2024])).content.decode()
    assert "not yet published" in manage
    assert client.post(reverse("louna:programme_version_publish", args=[2024]),
                       {"publish-note": "Aikataulu pidennetty."}).status_code == 302
    assert programme.versions.count() == 2
    # Published: the status column says so (not an empty cell beside an edit link).
    manage = client.get(reverse("louna:programme_manage", args=[2024])).content.decode()
    assert "not yet published" not in manage and "as in version 2" in manage

    # the director sees what changed since version 1, the one they read
    client.force_login(director)
    page = client.get(reverse("louna:programme_detail", args=[2024])).content.decode()
    assert "Changes since version 1" in page
    assert "<del><span class=\"visually-hidden\">[removed: </span>helmikuu" in page
    assert "<ins><span class=\"visually-hidden\">[added: </span>maaliskuu" in page
    again = client.get(reverse("louna:programme_detail", args=[2024])).content.decode()
    assert "Changes since" not in again  # read now; the comparison stays available by choice
    assert "Changes since version 1" in client.get(reverse("louna:programme_detail", args=[2024]) + "?since=1") \
        .content.decode()
    # the comments stay with the version they answered
    page = client.get(item_url).content.decode()
    assert page.count("on version 1") == 2  # the comment and the coordinator's answer (written before v2)
    assert page.count("show the text this comment answered") == 2 and "tammi–helmikuu" in page
    reply = ItemComment.objects.get(parent=comment)
    assert reply.item_version.version.number == 1

    # positions: Humppila approves with a reservation, Tammela approves, Forssa's reason recorded
    assert client.post(reverse("louna:programme_position", args=[2024]), {
        "library": humppila.pk, f"lib{humppila.pk}-library": humppila.pk,
        f"lib{humppila.pk}-position": "reservations", f"lib{humppila.pk}-reservation": "Resurssit tarkistettava.",
    }).status_code == 302
    client.force_login(other_director)
    client.post(reverse("louna:programme_position", args=[2024]), {
        "library": tammela.pk, f"lib{tammela.pk}-library": tammela.pk, f"lib{tammela.pk}-position": "approve"})
    client.force_login(coordinator)
    # the coordinator cannot finalise yet: Forssa has not answered
    client.post(reverse("louna:programme_finalise", args=[2024]), {})
    programme.refresh_from_db()
    assert programme.state == Programme.State.REVIEW
    desk = client.get(reverse("louna:programme_manage", args=[2024])).content.decode()
    assert "Resurssit tarkistettava." in desk and "not answered" in desk
    client.post(reverse("louna:programme_no_answer", args=[2024, forssa.pk]),
                {f"na{forssa.pk}-reason": "Palveluntuottaja."})
    assert set(LibraryPosition.objects.values_list("position", flat=True)) == {"approve", "reservations",
                                                                               "no_answer"}
    client.post(reverse("louna:programme_finalise", args=[2024]), {"final-note": "Valmis."})
    programme.refresh_from_db()
    assert programme.state == Programme.State.FINAL
    assert list(programme.versions.values_list("number", "kind")) == [(1, "draft"), (2, "draft"), (3, "final")]

    # frozen: an edit of the item is refused and nothing changes
    client.post(reverse("louna:programme_item_edit", args=[2024, second.pk]), {"title": "Muutos", "position": 1})
    second.refresh_from_db()
    assert second.title != "Muutos"

    # delivery: every library's PDF, e-mailed to its director and kept on the portal
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("louna:programme_deliver", args=[2024]), {}).status_code == 302
    deliveries = {d.library_id: d for d in ProgrammeDelivery.objects.all()}
    assert set(deliveries) == {forssa.pk, humppila.pk, tammela.pk}
    assert all(d.version.number == 3 for d in deliveries.values())
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {director.email, other_director.email}
    name, data, mimetype = sent[director.email].attachments[0]
    assert mimetype == "application/pdf"
    text = _text(data)
    assert humppila.name in text and "Ohjelman työstö" in text and "tammi–maaliskuu" in text
    assert deliveries[humppila.pk].emailed_to == director.email and deliveries[humppila.pk].emailed_at
    assert deliveries[forssa.pk].emailed_at is None  # no director to send it to: kept on the portal
    # delivering again sends nothing new
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("louna:programme_deliver", args=[2024]), {})
    assert mail.outbox == [] and ProgrammeDelivery.objects.count() == 3

    # each director reaches their own copy, never another library's
    client.force_login(director)
    own = client.get(reverse("louna:programme_delivery_pdf", args=[deliveries[humppila.pk].pk]))
    assert own.status_code == 200 and humppila.name in _text(b"".join(own.streaming_content))
    assert client.get(reverse("louna:programme_delivery_pdf", args=[deliveries[tammela.pk].pk])).status_code == 404
    assert ProgrammeItem.objects.filter(programme=programme).count() == 2
