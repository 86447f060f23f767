"""In a real browser: staff review and approve the draft; a subscriber leaves in one click;
axe-core is clean on the archive, an issue page and the staff pages."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from testsupport import assert_accessible, login
from consortium.tests.factories import PASSWORD
from newsletters.models import Issue, Subscriber
from newsletters.tokens import subscription_token

from .factories import BlockFactory, IssueFactory, SubscriberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_review_and_approve_the_draft(page, staff_user):
    SubscriberFactory.create_batch(2)
    draft = IssueFactory(subject="Marraskuun uutiskirje", month=date(2026, 11, 1))
    BlockFactory(issue=draft, title="Ensimmäinen osa", position=10)
    BlockFactory(issue=draft, title="Toinen osa", position=20)
    login(page, staff_user.email, PASSWORD)

    page.goto("/")
    page.locator(f"a[href='{reverse('newsletters:issue_detail', args=[draft.pk])}']").first.click()
    assert page.locator("h1").inner_text() == "Marraskuun uutiskirje"
    assert_accessible(page)

    second = draft.blocks.get(title="Toinen osa")
    page.locator(f"form[action='{reverse('newsletters:block_move', args=[second.pk])}'] "
                 "input[value=up] + button").click()
    page.wait_for_load_state("domcontentloaded")
    assert list(draft.blocks.values_list("title", flat=True)) == ["Toinen osa", "Ensimmäinen osa"]
    items = page.locator("ol.list-group > li strong")
    assert items.nth(0).inner_text() == "Toinen osa"

    page.goto(reverse("newsletters:issue_preview_email", args=[draft.pk]))
    assert_accessible(page)
    page.goto(reverse("newsletters:issue_preview_web", args=[draft.pk]))
    assert_accessible(page)

    page.goto(reverse("newsletters:issue_detail", args=[draft.pk]))
    page.locator("#id_send_at").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.locator(f"form[action='{reverse('newsletters:issue_approve', args=[draft.pk])}'] button").click()
    page.wait_for_load_state("domcontentloaded")
    issue = Issue.objects.get(pk=draft.pk)
    assert issue.status == Issue.Status.SENT and issue.approved_by == staff_user  # eager Celery sent it at once
    assert page.locator("[data-job-message]").count() >= 1
    assert_accessible(page)


def test_subscriber_leaves_in_one_click(page):
    subscriber = SubscriberFactory(email="lukija@kirjasto.example")
    page.goto(reverse("newsletters:subscription", args=[subscription_token(subscriber)]))
    assert_accessible(page)
    page.locator("form input[value=leave] + button").click()
    # The page after leaving offers to subscribe again; waiting for it (not for a load state
    # the old page already had) makes sure the POST has been answered.
    page.locator(f'main a[href="{reverse("newsletters:subscribe")}"]').wait_for()
    assert Subscriber.objects.get(pk=subscriber.pk).status == Subscriber.Status.UNSUBSCRIBED
    assert "lukija@kirjasto.example" in page.locator("main").inner_text()
    assert_accessible(page)


def test_archive_and_issue_page_are_accessible(page, area):
    issue = IssueFactory(subject="Lokakuun uutiskirje", month=date(2026, 10, 1), status=Issue.Status.SENT,
                         sent_at=timezone.now(), intro="Tervetuloa **lukemaan**.")
    BlockFactory(issue=issue, title="Koulutuksia", body="- yksi\n- kaksi\n\n[Lue](https://kirjastot.fi)",
                 link="https://kirjastot.fi")
    BlockFactory(issue=issue, title="Lounalle", area=area)
    page.goto(reverse("newsletters:archive"))
    assert_accessible(page)
    page.get_by_role("link", name="Lokakuun uutiskirje").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Lokakuun uutiskirje"
    assert_accessible(page)
    page.goto(reverse("newsletters:subscribe"))
    assert_accessible(page)


def test_staff_lists_are_accessible(page, staff_user):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory(status=Issue.Status.SENT, sent_at=timezone.now())
    BlockFactory(issue=issue)
    login(page, staff_user.email, PASSWORD)
    for url in (reverse("newsletters:index"), reverse("newsletters:subscriber_list"),
                reverse("newsletters:subscriber_import"), reverse("newsletters:item_create"),
                reverse("newsletters:issue_deliveries", args=[issue.pk]),
                reverse("newsletters:subscriber_detail", args=[Subscriber.objects.first().pk])):
        page.goto(url)
        assert_accessible(page)
