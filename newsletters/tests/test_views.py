"""Pages: who may see and do what, the public archive and feeds, one-click leaving, query counts."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletters.models import Delivery, Issue, Item, Subscriber
from newsletters.tokens import confirm_token, subscription_token

from .factories import BlockFactory, IssueFactory, ItemFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(area):
    issue = IssueFactory(subject="Marraskuun uutiskirje", month=date(2026, 11, 1))
    BlockFactory(issue=issue, title="Ensimmäinen")
    BlockFactory(issue=issue, title="Toinen", area=area)
    return issue


@pytest.fixture
def sent_issue():
    issue = IssueFactory(subject="Lokakuun uutiskirje", subject_sv="Oktobers nyhetsbrev", month=date(2026, 10, 1),
                         status=Issue.Status.SENT, sent_at=timezone.now(), intro="Tervetuloa!")
    BlockFactory(issue=issue, title="Julkinen osa", body="<script>alert(1)</script>**Lihava**")
    return issue


def staff_pages(draft, subscriber, block, item):
    return [
        reverse("newsletters:index"),
        reverse("newsletters:item_create"),
        reverse("newsletters:item_edit", args=[item.pk]),
        reverse("newsletters:issue_detail", args=[draft.pk]),
        reverse("newsletters:issue_edit", args=[draft.pk]),
        reverse("newsletters:issue_preview_email", args=[draft.pk]),
        reverse("newsletters:issue_preview_email_html", args=[draft.pk]),
        reverse("newsletters:issue_preview_web", args=[draft.pk]),
        reverse("newsletters:issue_progress", args=[draft.pk]),
        reverse("newsletters:issue_deliveries", args=[draft.pk]),
        reverse("newsletters:block_edit", args=[block.pk]),
        reverse("newsletters:subscriber_list"),
        reverse("newsletters:subscriber_import"),
        reverse("newsletters:subscriber_detail", args=[subscriber.pk]),
        reverse("newsletters:subscriber_export", args=[subscriber.pk]),
    ]


def test_staff_pages_are_for_staff_only(client, draft, staff_user, director, coordinator, nobody):
    subscriber = SubscriberFactory()
    item = ItemFactory()
    pages = staff_pages(draft, subscriber, draft.blocks.first(), item)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for person in (director, coordinator, nobody):
        client.force_login(person)
        for url in pages:
            assert client.get(url).status_code == 403, (person, url)
    client.force_login(staff_user)
    for url in pages:
        assert client.get(url).status_code == 200, url
    for url in (reverse("newsletters:issue_detail", args=[999]), reverse("newsletters:subscriber_detail", args=[999])):
        assert client.get(url).status_code == 404


def test_writes_are_refused_to_others(client, draft, director):
    client.force_login(director)
    block = draft.blocks.first()
    for url in (reverse("newsletters:issue_approve", args=[draft.pk]), reverse("newsletters:block_remove",
                                                                              args=[block.pk]),
                reverse("newsletters:issue_assemble"), reverse("newsletters:issue_send_test", args=[draft.pk])):
        assert client.post(url, {"send_at": "2030-01-01T10:00"}).status_code == 403
    assert Issue.objects.get(pk=draft.pk).status == Issue.Status.DRAFT and draft.blocks.count() == 2


def test_staff_writes_an_item_with_a_clear_error_first(client, staff_user, area):
    client.force_login(staff_user)
    form = client.get(reverse("newsletters:item_create")).content.decode()
    assert "All members" in form or "Kaikki jäsenet" in form
    assert "Louna" in form  # each cooperation area is offered
    response = client.post(reverse("newsletters:item_create"), {"title_fi": "", "body_fi": "x", "area": ""})
    assert response.status_code == 200 and "title_fi" in response.context["form"].errors
    response = client.post(reverse("newsletters:item_create"),
                           {"title_fi": "Uusi", "body_fi": "Teksti", "area": area.pk, "link": "kirjastot.fi"})
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.area == area and item.created_by == staff_user and item.link == "https://kirjastot.fi"
    response = client.post(reverse("newsletters:item_create"), {"title_fi": "Kaikille", "body_fi": "Teksti", "area": ""})
    assert response.status_code == 302 and Item.objects.get(title="Kaikille").area is None


def test_staff_reviews_and_approves_and_sees_progress(client, staff_user, draft, django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(3)
    client.force_login(staff_user)
    page = client.get(reverse("newsletters:issue_detail", args=[draft.pk])).content.decode()
    assert "Ensimmäinen" in page and "Toinen" in page
    second = draft.blocks.get(title="Toinen")
    client.post(reverse("newsletters:block_move", args=[second.pk]), {"direction": "up"})
    assert list(draft.blocks.values_list("title", flat=True)) == ["Toinen", "Ensimmäinen"]
    response = client.post(reverse("newsletters:issue_approve", args=[draft.pk]), {"send_at": "2001-01-01T10:00"},
                           follow=True)
    assert "past" in response.content.decode() or "mennyt" in response.content.decode()
    assert Issue.objects.get(pk=draft.pk).status == Issue.Status.DRAFT
    send_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletters:issue_approve", args=[draft.pk]), {"send_at": send_at})
    issue = Issue.objects.get(pk=draft.pk)
    assert issue.status == Issue.Status.SENT and len(mail.outbox) == 3
    progress = client.get(reverse("newsletters:issue_progress", args=[draft.pk])).json()
    assert progress["sent"] == 3 and progress["waiting"] == 0 and progress["status"] == "sent"
    deliveries = client.get(reverse("newsletters:issue_deliveries", args=[draft.pk])).content.decode()
    for delivery in Delivery.objects.all():
        assert delivery.email in deliveries
    response = client.post(reverse("newsletters:block_edit", args=[second.pk]),
                           {"title_fi": "Muutettu", "body_fi": "x", "area": ""})
    assert response.status_code == 200 and Issue.objects.get(pk=draft.pk).blocks.filter(title="Muutettu").count() == 0


def test_empty_issue_approval_is_refused_with_a_message(client, staff_user):
    issue = IssueFactory()
    client.force_login(staff_user)
    response = client.post(reverse("newsletters:issue_approve", args=[issue.pk]),
                           {"send_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, follow=True)
    assert "empty" in response.content.decode() or "tyhjä" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_archive_and_issue_page_show_only_sent_issues_safely(client, draft, sent_issue):
    archive = client.get(reverse("newsletters:archive")).content.decode()
    assert "Lokakuun uutiskirje" in archive and "Marraskuun uutiskirje" not in archive
    page = client.get(reverse("newsletters:archive_issue", args=[2026, 10]))
    html = page.content.decode()
    assert page.status_code == 200 and "<strong>Lihava</strong>" in html and "<script>alert" not in html
    assert client.get(reverse("newsletters:archive_issue", args=[2026, 11])).status_code == 404
    assert client.get(reverse("newsletters:archive_year", args=[1999])).status_code == 404
    client.cookies["django_language"] = "sv"
    assert "Oktobers nyhetsbrev" in client.get(reverse("newsletters:archive_issue", args=[2026, 10])).content.decode()


def test_feeds_list_sent_issues(client, draft, sent_issue):
    rss = client.get(reverse("newsletters:feed_rss")).content.decode()
    atom = client.get(reverse("newsletters:feed_atom")).content.decode()
    assert "Lokakuun uutiskirje" in rss and "/newsletters/archive/2026/10/" in rss and "Marraskuun" not in rss
    assert "<feed" in atom and "Lokakuun uutiskirje" in atom


def test_feeds_carry_no_script_even_when_it_is_typed_as_entities(client, sent_issue):
    import html
    import re

    Issue.objects.filter(pk=sent_issue.pk).update(
        intro="&lt;script&gt;alert(1)&lt;/script&gt; <img src=x onerror=alert(2)> **Tervetuloa**")
    for name, entry, tag in (("newsletters:feed_rss", "item", "description"),
                             ("newsletters:feed_atom", "entry", "summary")):
        feed = client.get(reverse(name)).content.decode()
        description = html.unescape(re.search(rf"<{entry}>.*?<{tag}[^>]*>(.*?)</{tag}>", feed, re.S).group(1))
        # What a feed reader renders as HTML:
        assert "Tervetuloa" in description and "<strong>" in description, name
        assert "<script" not in description and "onerror" not in description and "<img" not in description, name


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token():
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    url = reverse("newsletters:one_click", args=[subscription_token(subscriber)])
    assert client.get(url).status_code == 302  # a GET never unsubscribes (link scanners)
    assert Subscriber.objects.get(pk=subscriber.pk).status == "active"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).status == "unsubscribed"


def test_subscription_page_leaves_and_changes_language():
    subscriber = SubscriberFactory(language="fi")
    client = Client(enforce_csrf_checks=True)
    url = reverse("newsletters:subscription", args=[subscription_token(subscriber)])
    assert client.post(url, {"action": "language", "language": "sv"}).status_code == 302
    assert Subscriber.objects.get(pk=subscriber.pk).language == "sv"
    response = client.post(url, {"action": "language", "language": "xx"})
    assert response.status_code == 200 and Subscriber.objects.get(pk=subscriber.pk).language == "sv"
    client.post(url, {"action": "leave"})
    assert Subscriber.objects.get(pk=subscriber.pk).status == "unsubscribed"


def test_a_portal_user_is_not_offered_a_language_change_that_sending_would_ignore(contact,
                                                                                  django_capture_on_commit_callbacks):
    from newsletters import services
    from newsletters.sending import issue_start_sending

    subscriber = services.subscriber_subscribe_user(user=contact)  # the newsletter follows contact.language
    client = Client(enforce_csrf_checks=True)
    url = reverse("newsletters:subscription", args=[subscription_token(subscriber)])
    assert 'name="action" value="language"' not in client.get(url).content.decode()
    client.post(url, {"action": "language", "language": "sv" if contact.language != "sv" else "fi"})
    assert Subscriber.objects.get(pk=subscriber.pk).language == contact.language
    issue = BlockFactory(issue=IssueFactory(subject_sv="Nyhetsbrev", status=Issue.Status.APPROVED,
                                            send_at=timezone.now())).issue
    issue_start_sending(issue_id=issue.pk)
    assert Delivery.objects.get(email=subscriber.email).language == contact.language


def test_forged_token_gets_a_clear_page(client):
    subscriber = SubscriberFactory()
    forged = subscription_token(subscriber)[:-3] + "abc"
    for url in (reverse("newsletters:subscription", args=[forged]), reverse("newsletters:one_click", args=[forged]),
                reverse("newsletters:confirm", args=[forged])):
        response = client.post(url, {"action": "leave"})
        assert response.status_code == 400, url
        assert response.templates[0].name == "newsletters/token_error.html"
    assert Subscriber.objects.get(pk=subscriber.pk).status == "active"


def test_public_subscription_with_confirmation(client, area, django_capture_on_commit_callbacks):
    response = client.post(reverse("newsletters:subscribe"), {"email": "huono", "language": "fi", "consent": "on"})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    response = client.post(reverse("newsletters:subscribe"), {"email": "uusi@kirjasto.example", "language": "fi"})
    assert "consent" in response.context["form"].errors and not Subscriber.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletters:subscribe"), {"email": "uusi@kirjasto.example", "language": "sv",
                                                       "consent": "on", "areas": [area.pk]})
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending" and list(subscriber.areas.all()) == [area] and len(mail.outbox) == 1
    # The link as mailed: its token carries the second it was signed, so one signed again
    # here may differ when the clock has ticked over a second in between (it did, once).
    found = re.search(r"(/newsletters/confirm/[^/\s]+/)", mail.outbox[0].body)
    assert found
    confirm_url = found[1]
    assert confirm_url.split("/")[-2].split(":")[0] == confirm_token(subscriber).split(":")[0]  # this subscriber's
    assert client.get(confirm_url).status_code == 200
    assert Subscriber.objects.get().status == "pending"  # a GET (or a mail scanner) confirms nothing
    client.post(confirm_url)
    assert Subscriber.objects.get().status == "active" and Subscriber.objects.get().consent_at


def test_the_public_form_mails_one_address_once_in_a_while(client, settings, django_capture_on_commit_callbacks):
    """Anyone can type a stranger's address into the form: sending it again and again, or
    after the address is on the list, must not flood that mailbox. The form answers the
    same each time, so it reveals nothing."""
    settings.NEWSLETTER_SUBSCRIBE_MAIL_INTERVAL = 900
    form = {"email": "kohde@kirjasto.example", "language": "fi", "consent": "on"}
    answers = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(client.post(reverse("newsletters:subscribe"), form))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kohde@kirjasto.example"]
    assert all("newsletters/subscribe_sent.html" in [template.name for template in answer.templates]
               for answer in answers)
    with django_capture_on_commit_callbacks(execute=True):  # another address is not held back
        client.post(reverse("newsletters:subscribe"), {**form, "email": "toinen@kirjasto.example"})
    assert [message.to for message in mail.outbox[1:]] == [["toinen@kirjasto.example"]]
    with django_capture_on_commit_callbacks(execute=True):  # case variants are the same mailbox
        client.post(reverse("newsletters:subscribe"), {**form, "email": "KOHDE@kirjasto.example"})
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_subscribing_completes_while_the_mail_server_is_down_and_the_mail_waits(client, settings):
    """The form only queues the confirmation: with nothing listening on the mail port it
    still thanks the person, and the message waits in the outbox for the server."""
    from consortium.models import OutboxMessage
    from consortium.outbox import messages_about
    from testsupport import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    form = {"email": "uusi@kirjasto.example", "language": "fi", "consent": "on"}
    response = client.post(reverse("newsletters:subscribe"), form)
    assert response.status_code == 200
    assert "newsletters/subscribe_sent.html" in [template.name for template in response.templates]
    row = messages_about(Subscriber.objects.get()).get()
    assert row.kind == "newsletters.confirm" and row.state == OutboxMessage.State.QUEUED
    assert row.to == "uusi@kirjasto.example" and "/newsletters/confirm/" in row.body_text


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_the_mail_server_defers_is_sent_later_and_not_twice(client, settings):
    from consortium.models import OutboxMessage
    from testsupport import SmtpInbox, deliver_outbox, loopback_smtp

    settings.NEWSLETTER_SUBSCRIBE_MAIL_INTERVAL = 900
    form = {"email": "uusi@kirjasto.example", "language": "fi", "consent": "on"}
    server = SmtpInbox(busy=True)
    with loopback_smtp(server, settings):
        response = client.post(reverse("newsletters:subscribe"), form)
        assert "newsletters/subscribe_sent.html" in [template.name for template in response.templates]
        assert OutboxMessage.objects.get().state == OutboxMessage.State.RETRY
        client.post(reverse("newsletters:subscribe"), form)  # the person tries again: the pause holds
        server.busy = False
        OutboxMessage.objects.update(retry_after=timezone.now())
        assert deliver_outbox() == 1
        assert server.delivered == ["uusi@kirjasto.example"]


def test_portal_user_subscribes_from_their_page(client, contact):
    client.force_login(contact)
    assert client.get(reverse("newsletters:my_subscription")).context["subscriber"] is None
    client.post(reverse("newsletters:my_subscription"), {"action": "subscribe"})
    subscriber = Subscriber.objects.get(user=contact)
    assert subscriber.status == "active" and subscriber.consent_method == "profile"
    client.post(reverse("newsletters:my_subscription"), {"action": "leave"})
    assert Subscriber.objects.get(user=contact).status == "unsubscribed"


def test_import_page_reports_refused_rows(client, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_user)
    upload = SimpleUploadedFile("lista.csv", b"a@kirjasto.example,A\nrikki,B\n", content_type="text/csv")
    response = client.post(reverse("newsletters:subscriber_import"), {"file": upload, "basis": "Paperilista"})
    html = response.content.decode()
    assert response.status_code == 200 and "rikki" in html and Subscriber.objects.count() == 1


def test_erase_from_the_page(client, staff_user):
    subscriber = SubscriberFactory()
    client.force_login(staff_user)
    export = client.get(reverse("newsletters:subscriber_export", args=[subscriber.pk]))
    assert export.json()["email"] == subscriber.email
    client.post(reverse("newsletters:subscriber_erase", args=[subscriber.pk]))
    assert not Subscriber.objects.exists()


def test_front_page_tells_staff_about_the_draft(client, staff_user, contact, draft):
    client.force_login(staff_user)
    home = client.get(reverse("home")).content.decode()
    assert "Marraskuun uutiskirje" in home and reverse("newsletters:issue_detail", args=[draft.pk]) in home
    assert reverse("newsletters:index") in home  # the nav entry
    client.force_login(contact)
    home = client.get(reverse("home")).content.decode()
    assert "Marraskuun uutiskirje" not in home and reverse("newsletters:my_subscription") in home


@pytest.mark.parametrize("size", [3, 30])
def test_pages_keep_their_query_count_as_data_grows(client, staff_user, size, django_assert_max_num_queries):
    for n in range(size):
        issue = IssueFactory(status=Issue.Status.SENT, sent_at=timezone.now(), month=date(2000 + n, 1, 1))
        BlockFactory(issue=issue)
    issue = Issue.objects.first()
    for subscriber in SubscriberFactory.create_batch(size):
        Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email, status="sent")
    ItemFactory.create_batch(size)
    with django_assert_max_num_queries(6):
        client.get(reverse("newsletters:archive"))
    with django_assert_max_num_queries(6):
        client.get(reverse("newsletters:feed_rss"))
    client.force_login(staff_user)
    for url in (reverse("newsletters:index"), reverse("newsletters:subscriber_list"),
                reverse("newsletters:issue_deliveries", args=[issue.pk]),
                reverse("newsletters:issue_detail", args=[issue.pk]),
                reverse("newsletters:archive_issue", args=[issue.month.year, 1])):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_email_preview_can_be_framed_by_its_own_page_only(client, staff_user, draft):
    client.force_login(staff_user)
    response = client.get(reverse("newsletters:issue_preview_email_html", args=[draft.pk]) + "?language=sv")
    assert response["X-Frame-Options"] == "SAMEORIGIN" and 'lang="fi"' in response.content.decode()


def test_item_with_an_image_needs_its_description_and_the_mail_links_it(client, staff_user, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from newsletters.rendering import render_issue
    from newsletters.services import issue_assemble

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    client.force_login(staff_user)
    data = {"title_fi": "Kuvallinen", "body_fi": "Teksti", "area": ""}
    response = client.post(reverse("newsletters:item_create"),
                           {**data, "image": SimpleUploadedFile("kuva.png", buffer.getvalue(), "image/png")})
    assert response.status_code == 200 and "image_alt" in response.context["form"].errors
    client.post(reverse("newsletters:item_create"), {**data, "image_alt": "Punainen neliö",
                                                     "image": SimpleUploadedFile("kuva.png", buffer.getvalue(),
                                                                                 "image/png")})
    issue, _created = issue_assemble()
    html = render_issue(issue, language="fi", areas=frozenset()).html
    assert 'alt="Punainen neliö"' in html
    image_name = html.split(settings.SITE_URL + "/newsletters/images/", 1)[1].split('"', 1)[0]
    assert image_name.endswith(".png") and "kuva" not in image_name  # a random name, not the upload's


def _png_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_item_images_are_served_to_anyone_with_their_real_type(client, staff_user, settings):
    """Production serves no uploads from MEDIA_ROOT (library documents live there), so the
    images of mailed newsletters come from the portal itself, to readers without a login."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from newsletters.services import item_image_url

    client.force_login(staff_user)
    client.post(reverse("newsletters:item_create"), {
        "title_fi": "Kuvallinen", "body_fi": "Teksti", "area": "", "image_alt": "Punainen neliö",
        "image": SimpleUploadedFile("kuva.png", _png_bytes(), "image/png")})
    item = Item.objects.get()
    anonymous = Client()
    response = anonymous.get(item_image_url(item))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == _png_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"
    # Only images some item carries: not other uploads, not paths out of the folder.
    (settings.MEDIA_ROOT / "newsletters" / "items").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "newsletters" / "items" / "irrallinen.png").write_bytes(_png_bytes())
    for name in ("irrallinen.png", "..%2F..%2Fprocurement%2Fsalainen.pdf", "puuttuu.png"):
        assert anonymous.get(f"/newsletters/images/{name}").status_code == 404, name


def test_an_issue_keeps_its_picture_after_the_items_image_is_replaced(client, staff_user):
    """A sent newsletter and the archive show the picture the issue was assembled with,
    while the item itself (for a later issue) shows the new one."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from newsletters.services import issue_assemble, item_image_url

    def png(colour):
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
        return buffer.getvalue()

    client.force_login(staff_user)
    data = {"title_fi": "Kuvallinen", "body_fi": "Teksti", "area": "", "image_alt": "Neliö"}
    client.post(reverse("newsletters:item_create"), {**data, "image": SimpleUploadedFile("a.png", png("red"))})
    item = Item.objects.get()
    issue, _created = issue_assemble()
    in_issue = issue.blocks.get(source=f"item:{item.pk}").image_url
    client.post(reverse("newsletters:item_edit", args=[item.pk]),
                {**data, "image": SimpleUploadedFile("b.png", png("blue"))})
    item.refresh_from_db()
    assert item_image_url(item) != in_issue
    anonymous = Client()
    assert b"".join(anonymous.get(in_issue).streaming_content) == png("red")
    assert b"".join(anonymous.get(item_image_url(item)).streaming_content) == png("blue")


def test_an_item_image_must_be_one_mail_programs_show(client, staff_user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "BMP")
    client.force_login(staff_user)
    response = client.post(reverse("newsletters:item_create"), {
        "title_fi": "Kuvallinen", "body_fi": "Teksti", "area": "", "image_alt": "Punainen neliö",
        "image": SimpleUploadedFile("kuva.bmp", buffer.getvalue(), "image/bmp")})
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == ["Käytä JPEG-, PNG-, GIF- tai WebP-kuvaa."]
    assert not Item.objects.exists()


def test_email_preview_shows_an_area_readers_message_or_another_members(client, staff_user, draft, area):
    client.force_login(staff_user)
    url = reverse("newsletters:issue_preview_email", args=[draft.pk])
    # Unasked, the reader of the first area with a part: the fullest message.
    first = client.get(url)
    assert first.context["area"] == area and "Toinen" in first.context["text"]
    other = client.get(url + "?audience=all")
    assert other.context["area"] is None and "Toinen" not in other.context["text"]
    assert "Ensimmäinen" in other.context["text"]
    again = client.get(url + f"?audience={area.slug}")
    assert "Toinen" in again.context["text"]
    html = client.get(reverse("newsletters:issue_preview_email_html", args=[draft.pk]) + "?audience=all")
    assert "Toinen" not in html.content.decode() and "Ensimmäinen" in html.content.decode()
