"""In a real browser: a director opens the review, comments, proposes a change, sees the
coordinator's new version with the difference marked, and approves. axe-core is clean on
the reading view, the comment form and the follow-up overview."""

import pytest

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD
from louna.programme import services
from louna.models import ChangeProposal, ItemComment, LibraryPosition
from louna.tests.programme_fixtures import answer_all, in_review, programme  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_reviews_the_programme(page, in_review, coordinator, director, other_director, humppila):
    item = in_review.items.order_by("position").first()
    login(page, director.email, PASSWORD)

    # the clean reading view
    page.goto("/louna/programme/2024/")
    assert page.locator("h1").inner_text() == in_review.title
    assert page.locator("article.programme-item").count() == 3
    assert_accessible(page)

    # open the item, comment
    page.locator(f"#item-{item.pk} a").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == item.title
    assert_accessible(page)  # the comment and proposal forms
    page.locator("textarea[name='c-text']").fill("Voisiko siirron aikataulun tarkentaa?")
    page.locator("#comment-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#discussion").get_by_text("Voisiko siirron aikataulun tarkentaa?").is_visible()

    # propose a change to the schedule
    assert page.locator("textarea[name='p-proposed_text']").input_value() == item.title  # starts from the text
    page.locator("select[name='p-field']").select_option("schedule")
    assert page.locator("textarea[name='p-proposed_text']").input_value() == "koko vuosi"
    page.locator("textarea[name='p-proposed_text']").fill("tammikuusta kesäkuuhun")
    page.locator("textarea[name='p-reason']").fill("Koko vuosi on liian väljä.")
    page.locator("#proposal-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    proposal = ChangeProposal.objects.get()
    assert (proposal.author, proposal.field, proposal.library) == (director, "schedule", humppila)
    marked = page.locator(f"#proposal-{proposal.pk}").locator("xpath=..")
    assert "tammikuusta kesäkuuhun" in " ".join(marked.locator("ins").first.inner_text().split())
    assert "koko vuosi" in " ".join(marked.locator("del").first.inner_text().split())
    assert_accessible(page)

    # the coordinator accepts and publishes version 2
    services.comment_add(item=item, text="Tarkennetaan.", by=coordinator, parent=ItemComment.objects.get())
    services.proposal_decide(proposal=proposal, accept=True, note="Hyvä.", by=coordinator)
    services.version_publish(programme=in_review, note="Aikataulu tarkennettu.", by=coordinator)

    # the director sees what changed since the version they read
    page.goto("/louna/programme/2024/")
    changes = page.locator("#changes")
    assert changes.locator("h2").inner_text() == "Muutokset version 1 jälkeen (nyt versio 2)"  # in Finnish
    article = page.locator("article.programme-item").filter(has=page.locator(f"#item-{item.pk}"))
    assert "kesäkuuhun" in article.locator("ins").first.inner_text()
    assert "vuosi" in article.locator("del").first.inner_text()
    hidden = article.locator("ins .visually-hidden").first
    assert hidden.count() == 1 and hidden.text_content().strip()  # the change is told in words too
    assert_accessible(page)

    # and approves
    page.locator(f"input[name='lib{humppila.pk}-position'][value='approve']").check()
    page.locator("#position button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    position = LibraryPosition.objects.get(library=humppila)
    assert (position.position, position.stated_by, position.version.number) == ("approve", director, 2)
    assert_accessible(page)

    # the programme is finalised and followed; the overview is accessible too
    answer_all(in_review, coordinator, [other_director])
    services.programme_finalise(programme=in_review, by=coordinator)
    services.progress_record(item=item, state="in_progress", percent=40, note="Aloitettu.", by=coordinator)
    page.goto("/louna/programme/2024/overview/")
    assert page.locator(".state-bar").count() >= 3
    assert_accessible(page)


def test_the_coordinators_pages_are_accessible(page, in_review, coordinator, director, other_director):
    item = in_review.items.order_by("position").first()
    services.comment_add(item=item, text="Kysymys.", by=director)
    services.proposal_add(item=item, field="aim", proposed_text="Parempi tavoite.", by=director)
    login(page, coordinator.email, PASSWORD)
    for path in ("/louna/programme/", "/louna/programme/2024/", f"/louna/programme/2024/items/{item.pk}/",
                 "/louna/programme/2024/manage/", f"/louna/programme/2024/items/{item.pk}/edit/",
                 "/louna/programme/2024/items/from-tasks/"):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    answer_all(in_review, coordinator, [director, other_director])
    services.programme_finalise(programme=in_review, by=coordinator)
    services.reports_draft(programme=in_review, by=coordinator)
    report = in_review.reports.order_by("library__name").first()
    for path in ("/louna/programme/2024/manage/", f"/louna/programme/2024/items/{item.pk}/",
                 f"/louna/programme/2024/items/{item.pk}/amend/", "/louna/programme/2024/reports/",
                 f"/louna/programme/reports/{report.pk}/"):
        page.goto(path)
        assert_accessible(page)
