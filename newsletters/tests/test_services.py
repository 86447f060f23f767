"""The rules: assembly once a month, editing, approval, subscriptions, import, erasure."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from consortium import registry
from consortium.outbox import messages_about
from consortium.registry import NewsletterEntry, NewsletterSection
from consortium.tests.factories import CooperationAreaFactory
from newsletters import services
from newsletters.models import Block, Delivery, Issue, Item, Subscriber
from newsletters.rendering import markdown_to_html, markdown_to_text
from newsletters.sending import issue_start_sending
from newsletters.tasks import newsletters_assemble_monthly
from newsletters.tokens import (
    InvalidToken,
    confirm_token,
    subscriber_from_confirm_token,
    subscriber_from_subscription_token,
    subscription_token,
)
from testsupport import deliver_outbox

from .factories import BlockFactory, IssueFactory, ItemFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here; their translations are checked by test_i18n."""
    from django.utils import translation

    with translation.override("en"):
        yield


# ---------------------------------------------------------------- sanitising


@pytest.mark.parametrize("evil", [
    "<script>alert(1)</script>Hei",
    '<img src=x onerror="alert(1)">Hei',
    "[klikkaa](javascript:alert(1)) Hei",
    '<a href="javascript:alert(1)">Hei</a>',
    "<iframe src='https://evil.example'></iframe>Hei",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">Hei</p>',
])
def test_no_script_survives_markdown(evil):
    html = markdown_to_html(evil)
    assert "Hei" in html
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onclick", "style="):
        assert bad not in html.lower()


def test_markdown_keeps_the_safe_subset():
    html = markdown_to_html("# Otsikko\n\n**lihava** ja [linkki](https://kirjastot.fi)\n\n- yksi\n- kaksi")
    assert "<h3>Otsikko</h3>" in html  # never competes with the page's own h1
    assert "<strong>lihava</strong>" in html
    assert 'href="https://kirjastot.fi"' in html and 'rel="noopener noreferrer"' in html
    assert "<li>yksi</li>" in html
    assert markdown_to_text("Hei <b>sinä</b> & muut") == "Hei sinä & muut"


# ---------------------------------------------------------------- the monthly assembly


@pytest.fixture
def sections():
    """Two apps' sections: one for everyone with an extra entry for one area's libraries."""
    from django.utils.translation import get_language

    def trainings(*, since, until, area):
        title = {"fi": "Tulevat koulutukset", "sv": "Kommande utbildningar"}.get(get_language(), "Coming trainings")
        entries = [NewsletterEntry(title="E-aineistot näkyviksi", url="/trainings/1/", note="12.12.2026")]
        if area is not None and area.slug == "louna":
            entries.append(NewsletterEntry(title="Louna-johtajien työpaja", url="/trainings/2/"))
        return NewsletterSection(key="test-trainings", title=title, entries=entries, order=20)

    def empty(*, since, until, area):
        return NewsletterSection(key="test-empty", title="Tyhjä", entries=[])

    registry.register_newsletter_section("test-trainings", trainings)
    registry.register_newsletter_section("test-empty", empty)
    yield
    registry._newsletter_sections.pop("test-trainings", None)
    registry._newsletter_sections.pop("test-empty", None)


def test_monthly_task_run_twice_creates_one_draft_and_tells_staff_once(settings, staff_user, sections, area,
                                                                      django_capture_on_commit_callbacks):
    settings.NEWSLETTER_ASSEMBLY_DAY = 1
    # The 1st may be a holiday (New Year's Day): the draft then waits for the first working day.
    today = max(timezone.localdate(), services.assembly_day(timezone.localdate())).isoformat()
    ItemFactory(title="Vuosikello julkaistu")
    ItemFactory(title="Vain Lounalle", area=area)
    CooperationAreaFactory(slug="muu", name="Muu alue")  # an area the sections have nothing for
    with django_capture_on_commit_callbacks(execute=True):
        first = newsletters_assemble_monthly.apply(kwargs={"today": today}).get()
        second = newsletters_assemble_monthly.apply(kwargs={"today": today}).get()
    assert first == second
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.DRAFT and issue.month == timezone.localdate().replace(day=1)
    titles = list(issue.blocks.values_list("title", "area__slug"))
    assert ("Vuosikello julkaistu", None) in titles and ("Vain Lounalle", "louna") in titles
    assert ("Tulevat koulutukset", None) in titles
    assert ("Tulevat koulutukset", "louna") in titles  # only the area's own entry
    assert issue.blocks.filter(area__slug="muu").count() == 0
    louna_section = issue.blocks.get(kind=Block.Kind.SECTION, area=area)
    assert "Louna-johtajien työpaja" in louna_section.body and "näkyviksi" not in louna_section.body
    everyone = issue.blocks.get(kind=Block.Kind.SECTION, area=None)
    assert everyone.title_sv == "Kommande utbildningar" and "(12.12.2026)" in everyone.body
    assert not issue.blocks.filter(source="test-empty").exists()
    assert not Item.objects.filter(issue__isnull=True).exists()
    assert [m.to for m in mail.outbox] == [[staff_user.email]]
    assert "Vuosikello" not in mail.outbox[0].subject and issue.subject in mail.outbox[0].subject


def test_monthly_task_waits_for_the_configured_day(settings):
    settings.NEWSLETTER_ASSEMBLY_DAY = 20
    assert newsletters_assemble_monthly.apply(kwargs={"today": "2026-11-19"}).get() is None
    assert not Issue.objects.exists()
    issue_id = newsletters_assemble_monthly.apply(kwargs={"today": "2026-11-20"}).get()  # a Friday
    assert Issue.objects.get(pk=issue_id).month == date(2026, 11, 1)


@pytest.mark.parametrize("today, assembled", [
    # 20.12.2026 is a Sunday: the draft is there on Friday the 18th.
    ("2026-12-17", None), ("2026-12-18", date(2026, 12, 1)),
    # 20.6.2026 is Midsummer Day and the 19th Midsummer Eve: Thursday the 18th.
    ("2026-06-17", None), ("2026-06-18", date(2026, 6, 1)),
])
def test_monthly_draft_comes_on_the_working_day_before_a_weekend_or_holiday(settings, today, assembled):
    settings.NEWSLETTER_ASSEMBLY_DAY = 20
    issue_id = newsletters_assemble_monthly.apply(kwargs={"today": today}).get()
    assert (Issue.objects.get(pk=issue_id).month if issue_id else None) == assembled


def test_an_assembly_day_on_the_first_does_not_step_back_into_the_previous_month(settings):
    settings.NEWSLETTER_ASSEMBLY_DAY = 1
    # New Year's Day 2027 is a Friday: the first working day of January is Monday the 4th.
    assert services.assembly_day(date(2027, 1, 15)) == date(2027, 1, 4)
    assert services.issue_assemble_when_due(today=date(2027, 1, 1)) is None
    settings.NEWSLETTER_ASSEMBLY_DAY = 2
    assert services.assembly_day(date(2026, 11, 3)) == date(2026, 11, 2)  # a Monday: unchanged


def test_one_issue_per_month_is_a_database_rule():
    IssueFactory(month=date(2026, 11, 1))
    with pytest.raises(IntegrityError):
        IssueFactory(month=date(2026, 11, 1))


def test_next_issue_takes_only_what_came_after_the_last_one(sections):
    issue, created = services.issue_assemble(today=date(2026, 10, 20))
    assert created
    ItemFactory(title="Marraskuun uutinen")
    november, created = services.issue_assemble(today=date(2026, 11, 20))
    assert created and november.period_start == issue.period_end
    assert list(november.blocks.filter(kind="item").values_list("title", flat=True)) == ["Marraskuun uutinen"]
    again, created = services.issue_assemble(today=date(2026, 11, 28))
    assert again == november and not created


# ---------------------------------------------------------------- editing and approving


def test_order_and_texts_can_be_edited_and_an_item_removed_returns_to_the_pool(staff_user):
    item = ItemFactory()
    issue = IssueFactory()
    first = services.item_add_to_issue(item=item, issue=issue)
    second = BlockFactory(issue=issue, position=100)
    services.block_move(block=second, direction="up")
    assert list(issue.blocks.values_list("pk", flat=True)) == [second.pk, first.pk]
    services.block_update(block=first, data={"title": "Uusi otsikko", "body": "Uusi teksti"})
    assert Block.objects.get(pk=first.pk).title == "Uusi otsikko"
    services.block_remove(block=first)
    item.refresh_from_db()
    assert item.issue is None


def test_approving_an_empty_issue_is_refused(staff_user):
    issue = IssueFactory()
    with pytest.raises(ValidationError, match="empty"):
        services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now())
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_approving_with_a_past_send_time_is_refused(staff_user):
    issue = BlockFactory().issue
    with pytest.raises(ValidationError) as error:
        services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now() - timedelta(days=1))
    assert "send_at" in error.value.message_dict


def test_a_subject_with_a_line_break_is_refused_and_never_approved(staff_user):
    block = BlockFactory()
    with pytest.raises(ValidationError) as error:
        services.issue_update(issue=block.issue, data={"subject_sv": "Nyhetsbrev\r\nBcc: alla@evil.example"})
    assert "subject_sv" in error.value.message_dict
    Issue.objects.filter(pk=block.issue_id).update(subject="Uutiskirje\nBcc: alla@evil.example")
    with pytest.raises(ValidationError, match="one line"):
        services.issue_approve(issue=block.issue, by=staff_user, send_at=timezone.now())
    assert Issue.objects.get(pk=block.issue_id).status == Issue.Status.DRAFT


def test_editing_an_approved_issue_sends_it_back_to_draft(staff_user):
    block = BlockFactory()
    services.issue_approve(issue=block.issue, by=staff_user, send_at=timezone.now() + timedelta(days=1))
    services.block_update(block=block, data={"title": "Korjattu"})
    issue = Issue.objects.get(pk=block.issue_id)
    assert issue.status == Issue.Status.DRAFT and issue.send_at is None and issue.approved_by is None


def test_sending_an_unapproved_issue_is_refused():
    issue = BlockFactory().issue
    SubscriberFactory()
    with pytest.raises(ValidationError, match="approved"):
        issue_start_sending(issue_id=issue.pk)
    assert not Delivery.objects.exists()


def test_sending_before_the_send_time_is_refused(staff_user):
    issue = BlockFactory().issue
    services.issue_approve(issue=issue, by=staff_user, send_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(ValidationError, match="not due"):
        issue_start_sending(issue_id=issue.pk)


@pytest.mark.parametrize("status", [Issue.Status.SENDING, Issue.Status.SENT])
def test_an_issue_being_sent_cannot_be_edited(status, staff_user):
    block = BlockFactory(issue=IssueFactory(status=status))
    item = ItemFactory()
    for attempt in (lambda: services.block_update(block=block, data={"title": "x"}),
                    lambda: services.block_move(block=block, direction="up"),
                    lambda: services.block_remove(block=block),
                    lambda: services.issue_update(issue=block.issue, data={"subject": "x"}),
                    lambda: services.item_add_to_issue(item=item, issue=block.issue)):
        with pytest.raises(ValidationError, match="can no longer be edited"):
            attempt()
    assert Block.objects.get(pk=block.pk).title == block.title


def test_test_send_goes_to_the_person_marked_as_test(staff_user):
    block = BlockFactory(title="Testattava osa")
    services.issue_send_test(issue=block.issue, to=staff_user)
    deliver_outbox()  # what the worker does after the commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff_user.email] and message.subject.startswith("[")
    assert "Testattava osa" in message.body and "Testattava osa" in message.alternatives[0][0]


def test_test_send_pressed_twice_sends_one_and_again_after_an_edit_or_a_minute(staff_user):
    block = BlockFactory(title="Testattava osa")
    now = timezone.now()
    services.issue_send_test(issue=block.issue, to=staff_user, now=now)
    services.issue_send_test(issue=block.issue, to=staff_user, now=now)  # a double click
    assert messages_about(block.issue, kind="newsletters.test").count() == 1
    services.block_update(block=block, data={"title": "Korjattu osa", "body": block.body})
    services.issue_send_test(issue=block.issue, to=staff_user, now=now)
    services.issue_send_test(issue=block.issue, to=staff_user, now=now + timedelta(minutes=1))
    deliver_outbox()
    assert [message.subject.startswith("[") for message in mail.outbox] == [True] * 3
    assert "Korjattu osa" in mail.outbox[-1].body


# ---------------------------------------------------------------- subscriptions


def test_double_opt_in_records_consent_only_on_confirmation(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = services.subscriber_request(email="Uusi.Tilaaja@Kirjasto.EXAMPLE", language="sv",
                                                 detail="lomake")
    assert subscriber.email == "Uusi.Tilaaja@kirjasto.example"
    assert subscriber.status == Subscriber.Status.PENDING and subscriber.consent_at is None
    assert len(mail.outbox) == 1 and "/newsletters/confirm/" in mail.outbox[0].body
    token = mail.outbox[0].body.split("/newsletters/confirm/")[1].split("/")[0]
    confirmed = services.subscriber_confirm(subscriber=subscriber_from_confirm_token(token))
    assert confirmed.status == Subscriber.Status.ACTIVE and confirmed.consent_at
    assert confirmed.consent_method == Subscriber.Method.WEB_FORM


def test_someone_who_left_and_subscribed_again_is_not_shown_as_left(django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(email="palaaja@kirjasto.example")
    services.subscriber_unsubscribe(subscriber=subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_request(email="palaaja@kirjasto.example", language="fi", detail="lomake")
    services.subscriber_confirm(subscriber=subscriber)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE and subscriber.unsubscribed_at is None
    assert services.subscriber_export(subscriber=subscriber)["unsubscribed_at"] is None


def test_invalid_address_is_refused():
    with pytest.raises(ValidationError) as error:
        services.subscriber_request(email="ei-osoite")
    assert "email" in error.value.message_dict and not Subscriber.objects.exists()


def test_subscribing_an_address_already_on_the_list_changes_nothing(django_capture_on_commit_callbacks):
    existing = SubscriberFactory(email="jo@kirjasto.example", language="fi")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_request(email="JO@kirjasto.example", language="sv")
    existing.refresh_from_db()
    assert Subscriber.objects.count() == 1 and existing.status == "active" and existing.language == "fi"
    assert mail.outbox[0].to == ["jo@kirjasto.example"] and "/newsletters/confirm/" not in mail.outbox[0].body


def test_forged_and_expired_tokens_are_refused(monkeypatch):
    subscriber = SubscriberFactory(status=Subscriber.Status.PENDING)
    token = confirm_token(subscriber)
    with pytest.raises(InvalidToken) as error:
        subscriber_from_confirm_token(token[:-2] + "xx")
    assert not error.value.expired
    with pytest.raises(InvalidToken):
        subscriber_from_subscription_token(token)  # a confirm token is not a subscription token
    monkeypatch.setattr("newsletters.tokens.CONFIRM_MAX_AGE", -1)
    with pytest.raises(InvalidToken) as error:
        subscriber_from_confirm_token(token)
    assert error.value.expired


def test_a_token_stops_working_when_the_address_changes():
    subscriber = SubscriberFactory()
    token = subscription_token(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(email="toinen@kirjasto.example")
    with pytest.raises(InvalidToken):
        subscriber_from_subscription_token(token)


def test_leaving_drops_what_is_still_waiting_to_be_sent():
    subscriber = SubscriberFactory()
    issue = IssueFactory(status=Issue.Status.SENDING)
    Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    services.subscriber_unsubscribe(subscriber=subscriber)
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_portal_user_subscribes_from_their_profile(director):
    subscriber = services.subscriber_subscribe_user(user=director)
    assert subscriber.status == "active" and subscriber.user == director
    assert subscriber.consent_method == Subscriber.Method.PROFILE
    assert [area.slug for area in subscriber.areas.all()] == ["louna"]  # Humppila is in Louna


def test_portal_users_areas_come_from_their_roles(tampere_contact, coordinator, area):
    assert not services.subscriber_subscribe_user(user=tampere_contact).areas.exists()  # Tampere: no area
    # The coordinator holds no library but serves the Louna area.
    assert list(services.subscriber_subscribe_user(user=coordinator).areas.all()) == [area]


def test_subscribing_from_the_profile_keeps_areas_given_before(tampere_contact, area):
    SubscriberFactory(email=tampere_contact.email, areas=[area])
    assert list(services.subscriber_subscribe_user(user=tampere_contact).areas.all()) == [area]


def test_import_reports_every_refused_row_and_why(staff_user, area):
    SubscriberFactory(email="vanha@kirjasto.example")
    SubscriberFactory(email="lahti@kirjasto.example", status=Subscriber.Status.UNSUBSCRIBED)
    content = ("sähköposti;nimi;kieli;alueet\n"
               "uusi@kirjasto.example;Uusi Ihminen;fi;louna\n"
               "ei-osoite;Virhe;fi;\n"
               "UUSI@kirjasto.example;Tupla;fi;\n"
               "vanha@kirjasto.example;Vanha;fi;\n"
               "lahti@kirjasto.example;Lähtenyt;fi;\n"
               "ruotsi@kirjasto.example;Svensk;sv;\n"
               "kieli@kirjasto.example;Kieli;de;\n"
               "alue@kirjasto.example;Alue;fi;louna kyllä\n").encode()
    report = services.subscribers_import(content=content, basis="Koulutuspäivän lista", by=staff_user,
                                         filename="lista.csv")
    assert sorted(report.added) == ["ruotsi@kirjasto.example", "uusi@kirjasto.example"]
    reasons = {line: reason for line, _address, reason in report.refused}
    assert set(reasons) == {3, 4, 5, 6, 8, 9}
    assert "valid" in reasons[3] and "line 2" in reasons[4] and "already" in reasons[5]
    assert "left" in reasons[6] and "de" in reasons[8]
    assert "cooperation area" in reasons[9] and "kyllä" in reasons[9] and "louna" in reasons[9]
    new = Subscriber.objects.get(email="uusi@kirjasto.example")
    assert list(new.areas.all()) == [area] and new.consent_method == "import" and new.consent_at
    assert not Subscriber.objects.get(email="ruotsi@kirjasto.example").areas.exists()
    assert "Koulutuspäivän lista" in new.consent_detail and "lista.csv" in new.consent_detail
    assert Subscriber.objects.get(email="lahti@kirjasto.example").status == "unsubscribed"


def test_import_refuses_an_address_too_long_to_store_and_keeps_the_rest(staff_user):
    long_address = "a" * 250 + "@kirjasto.example"  # passes the address check, not the column
    content = f"hyva@kirjasto.example;Hyvä\n{long_address};Pitkä\n".encode()
    report = services.subscribers_import(content=content, basis="Lista", by=staff_user)
    assert report.added == ["hyva@kirjasto.example"]
    assert [(line, reason) for line, _address, reason in report.refused] == [
        (2, "address longer than 254 characters")]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["hyva@kirjasto.example"]


@pytest.mark.parametrize("header", ["", "email;name\n", "Sähköposti;Nimi\n", "E-postadress;Namn\n"])
def test_import_reports_a_broken_first_row_instead_of_taking_it_for_a_header(staff_user, header):
    content = f"{header}rikki-osoite;Eka\nhyva@kirjasto.example;Toka\n".encode()
    report = services.subscribers_import(content=content, basis="Lista", by=staff_user)
    first = 2 if header else 1
    assert report.added == ["hyva@kirjasto.example"]
    assert [(line, address) for line, address, _reason in report.refused] == [(first, "rikki-osoite")]


def test_import_without_consent_basis_or_with_garbage_is_refused(staff_user):
    with pytest.raises(ValidationError) as error:
        services.subscribers_import(content=b"a@b.example\n", basis=" ", by=staff_user)
    assert "basis" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.subscribers_import(content=b"", basis="x", by=staff_user)
    assert "file" in error.value.message_dict
    assert not Subscriber.objects.exists()


def test_export_and_erase_a_person():
    subscriber = SubscriberFactory(email="poistettava@kirjasto.example", name="Poistettava")
    issue = IssueFactory(status=Issue.Status.SENT)
    Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email, status="sent",
                            message_id="<x@y>")
    data = services.subscriber_export(subscriber=subscriber)
    assert data["email"] == "poistettava@kirjasto.example" and data["consent"]["method"] == "import"
    assert data["deliveries"][0]["message_id"] == "<x@y>"
    services.subscriber_erase(subscriber=subscriber)
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_erasing_a_person_erases_their_subscription_mail_in_the_outbox():
    from consortium.models import OutboxMessage

    services.subscriber_request(email="poistettava@kirjasto.example", language="fi")
    assert OutboxMessage.objects.filter(to="poistettava@kirjasto.example").count() == 1
    services.subscriber_erase(subscriber=Subscriber.objects.get())
    assert not OutboxMessage.objects.filter(to="poistettava@kirjasto.example").exists()


@pytest.mark.django_db(transaction=True)
def test_two_assembly_runs_racing_still_make_one_draft():
    """Two beat runs at the same moment (PostgreSQL: real concurrent transactions)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    ItemFactory.create_batch(3)
    barrier = threading.Barrier(2)
    results = []

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(services.issue_assemble(today=date(2026, 11, 20)))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Issue.objects.count() == 1
    assert {issue.pk for issue, _created in results} == {Issue.objects.get().pk}
    assert sorted(created for _issue, created in results) == [False, True]
    assert Block.objects.count() == 3  # the items went into the one draft, not split or doubled


@pytest.mark.django_db(transaction=True)
def test_an_import_racing_a_subscription_of_the_same_address_refuses_cleanly(staff_user):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    inserted, done = threading.Event(), threading.Event()

    def subscribe_meanwhile():
        from django.db import connection as thread_connection
        from django.db import transaction as thread_transaction

        try:
            with thread_transaction.atomic():
                SubscriberFactory(email="kiire@kirjasto.example")
                inserted.set()
                done.wait(0.5)  # the import checks, then waits on our row at its insert
        finally:
            thread_connection.close()

    thread = threading.Thread(target=subscribe_meanwhile)
    thread.start()
    inserted.wait(10)
    try:
        with pytest.raises(ValidationError) as error:
            services.subscribers_import(content=b"uusi@kirjasto.example\nkiire@kirjasto.example\n", basis="Lista",
                                        by=staff_user)
    finally:
        done.set()
        thread.join()
    assert "file" in error.value.message_dict
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kiire@kirjasto.example"]


def test_beat_runs_assembly_dispatch_and_sweeper():
    from django.conf import settings

    from config.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("newsletters.tasks.newsletters_assemble_monthly", "newsletters.tasks.newsletters_dispatch_due",
                 "newsletters.tasks.newsletters_sweep"):
        assert name in scheduled and name in app.tasks
