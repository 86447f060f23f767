"""The review page keeps a constant number of SQL queries as the programme grows: 5 and 50
directors, 30 and 300 items, each with comments and proposals, two published versions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium.calendar import next_working_day
from consortium.models import Role
from consortium.tests.factories import LounaLibraryFactory, user_with_role
from louna.programme import services
from louna.models import ChangeProposal, ItemComment, LibraryPosition, ProgrammeItem
from louna.tests.factories import AgreementFactory, ServiceAreaFactory

from louna.tests.programme_fixtures import english, speak_english  # noqa: F401

pytestmark = pytest.mark.django_db

# The most queries the page may take, whatever the size (session, user, roles, scope,
# programme, versions, items, counts, the diff's old version, positions, answers, marking read).
MAX_QUERIES = 16


def build(coordinator, directors: int, items: int):
    agreement = AgreementFactory(year=2024)
    areas = [ServiceAreaFactory(agreement=agreement, number=n, title=f"Alue {n}") for n in range(1, 8)]
    people = []
    for n in range(directors):
        library = LounaLibraryFactory(name=f"Kirjasto {n:03d}")
        people.append(user_with_role(Role.DIRECTOR, library=library, full_name=f"Johtaja {n:03d}"))
    programme = services.programme_create(year=2024, introduction="Johdanto.", by=coordinator)
    rows = ProgrammeItem.objects.bulk_create([
        ProgrammeItem(programme=programme, area=areas[i % 7] if i % 10 else None, position=i + 1,
                      title=f"Kohta {i + 1}", aim="Tavoite.", measures="Toimenpiteet.", responsible="K",
                      schedule="vuosi", indicator="Mittari.")
        for i in range(items)
    ])
    deadline = next_working_day(timezone.localdate() + timedelta(days=9))
    services.review_open(programme=programme, deadline=deadline, by=coordinator)
    version_rows = {row.item_id: row for row in services.latest_version(programme).items.all()}
    ItemComment.objects.bulk_create([
        ItemComment(item=row, item_version=version_rows[row.pk], author=people[i % directors], text="Kommentti")
        for i, row in enumerate(rows)
    ])
    ChangeProposal.objects.bulk_create([
        ChangeProposal(item=row, item_version=version_rows[row.pk], field="aim", proposed_text="Uusi tavoite.",
                       author=people[i % directors])
        for i, row in enumerate(rows) if i % 3 == 0
    ])
    ProgrammeItem.objects.filter(pk__in=[row.pk for row in rows[::4]]).update(aim="Tarkennettu tavoite.")
    services.version_publish(programme=programme, note="Toinen versio.", by=coordinator)
    for person in people[: directors // 2]:
        library_id = person.role_assignments.get().library_id
        LibraryPosition.objects.create(programme=programme, library_id=library_id, position="approve",
                                       version=services.latest_version(programme), stated_by=person)
    return programme, people


@pytest.mark.parametrize("directors,items", [(5, 30), (50, 300)])
def test_the_review_page_keeps_its_queries(client, coordinator, django_assert_max_num_queries, directors, items):
    programme, people = build(coordinator, directors, items)
    speak_english()
    url = reverse("louna:programme_detail", args=[programme.year])

    client.force_login(coordinator)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Kohta {items}" in text and "Johtaja 000" in text  # every item, and the answers table

    client.force_login(people[-1])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(url + "?since=1")
    text = page.content.decode()
    assert page.status_code == 200 and "Changes since version 1" in text and "<ins>" in text
    assert text.count('class="programme-item') == items


@pytest.mark.parametrize("directors,items", [(5, 30), (50, 300)])
def test_the_item_page_and_the_overview_keep_their_queries(client, coordinator, django_assert_max_num_queries,
                                                           directors, items):
    programme, people = build(coordinator, directors, items)
    item = programme.items.order_by("position").first()
    version_row = services.latest_version(programme).items.get(item=item)
    # a long discussion on one item: every director comments and answers
    comments = ItemComment.objects.bulk_create([
        ItemComment(item=item, item_version=version_row, author=person, text=f"Kommentti {n}")
        for n, person in enumerate(people)])
    ItemComment.objects.bulk_create([
        ItemComment(item=item, item_version=version_row, author=coordinator, parent=comment, text="Vastaus")
        for comment in comments])
    client.force_login(people[0])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("louna:programme_item", args=[programme.year, item.pk]))
    assert page.status_code == 200
    assert len(re.findall(r'id="comment-\d+"', page.content.decode())) == 2 * directors + 1
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("louna:programme_overview", args=[programme.year]))
    assert page.status_code == 200 and f"Kohta {items}" in page.content.decode()
