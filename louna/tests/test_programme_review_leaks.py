"""What the review's second pair of eyes found: the coordinator's working copy (items not
yet published, edits not yet in a version) stays with the coordinator."""

import pytest
from django.urls import reverse

from louna.programme import services
from louna.models import ProgrammeItem
from louna.tests.programme_fixtures import (  # noqa: F401
    answer_all, english, final, forssa, in_review, programme, speak_english)

pytestmark = pytest.mark.django_db


def test_a_director_cannot_open_an_item_of_a_draft_that_is_not_published(client, programme, director,
                                                                         staff_user, coordinator):
    item = programme.items.order_by("position").first()
    url = reverse("louna:programme_item", args=[2024, item.pk])
    for person in (director, staff_user):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_the_overview_shows_directors_only_published_text(client, in_review, director, coordinator):
    item = in_review.items.order_by("position").first()
    item.title = "Salainen työversio"
    item.save()
    hidden = ProgrammeItem.objects.create(programme=in_review, position=99, title="Julkaisematon kohta")
    client.force_login(director)
    page = client.get(reverse("louna:programme_overview", args=[2024])).content.decode()
    assert "Salainen työversio" not in page and "Julkaisematon kohta" not in page
    assert "Quria-siirron valmistelu" in page
    assert client.get(reverse("louna:programme_item", args=[2024, hidden.pk])).status_code == 404
    client.force_login(coordinator)
    page = client.get(reverse("louna:programme_overview", args=[2024])).content.decode()
    assert "Salainen työversio" in page and "Julkaisematon kohta" in page


def test_an_item_removed_before_finalising_cannot_be_amended(in_review, coordinator, director, other_director):
    from django.core.exceptions import ValidationError

    from louna.models import ProgrammeVersion
    from louna.tests.programme_fixtures import answer_all

    item = in_review.items.order_by("position").last()
    services.item_remove(item=item, by=coordinator)
    services.version_publish(programme=in_review, note="Kohta poistettiin.", by=coordinator)
    answer_all(in_review, coordinator, [director, other_director])
    services.programme_finalise(programme=in_review, by=coordinator)
    with pytest.raises(ValidationError):
        services.programme_amend(item=item, changes={"schedule": "talvi"}, reason="Palautetaan.", by=coordinator)
    item.refresh_from_db()
    assert item.schedule == "syksy"
    assert not in_review.versions.filter(kind=ProgrammeVersion.Kind.AMENDMENT).exists()


def test_an_empty_reason_for_no_answer_names_the_library(client, in_review, coordinator, tammela):
    from louna.models import LibraryPosition

    speak_english()
    client.force_login(coordinator)
    response = client.post(reverse("louna:programme_no_answer", args=[2024, tammela.pk]),
                           {f"na{tammela.pk}-reason": ""}, follow=True)
    assert f"{tammela.name} – Why the library did not answer: This field is required." in response.content.decode()
    assert not LibraryPosition.objects.exists()


def test_a_version_notice_goes_once_to_each_director_however_often_it_runs(in_review, director, other_director,
                                                                           tammela, django_capture_on_commit_callbacks):
    from django.core import mail

    from consortium.models import Role, RoleAssignment

    # the Humppila director also directs Tammela: one message, not one per library
    RoleAssignment.objects.create(user=director, role=Role.DIRECTOR, library=tammela)
    version = services.latest_version(in_review)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        assert services.version_notify(version_id=version.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([director.email, other_director.email])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.version_notify(version_id=version.pk) == 0  # running it again queues nothing new
    assert len(mail.outbox) == 2
