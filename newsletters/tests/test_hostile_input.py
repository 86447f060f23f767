"""Hostile input (hypothesis) to the newsletter's services: a clear ValidationError or a clean
result, never another exception, never half-saved."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, strategies as st

from consortium.models import Role
from consortium.tests.factories import user_with_role
from consortium.tests.hostile import FUZZ, HOSTILE_TEXT, fails_cleanly_or_saves
from newsletters import services as newsletter_services
from newsletters.models import Item, Subscriber

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- newsletter item


@FUZZ
@given(title=HOSTILE_TEXT, body=HOSTILE_TEXT, link=HOSTILE_TEXT)
@example(title="Otsikko", body="teksti\x00jatkuu", link="")  # PostgreSQL refuses a NUL in text
def test_newsletter_item_save_with_hostile_text(title, body, link):
    staff = user_with_role(Role.STAFF)
    before = Item.objects.count()
    item, error = fails_cleanly_or_saves(lambda: newsletter_services.item_save(
        by=staff, data={"title": title, "body": body, "link": link}))
    if error:
        assert Item.objects.count() == before
    else:
        saved = Item.objects.get(pk=item.pk)
        assert (saved.title, saved.body) == (title, body)


# ---------------------------------------------------------------- subscription


@FUZZ
@given(email=HOSTILE_TEXT, name=HOSTILE_TEXT, language=st.one_of(st.sampled_from(["fi", "sv", "en"]), HOSTILE_TEXT))
def test_subscription_request_with_hostile_input(email, name, language):
    before = Subscriber.objects.count()
    subscriber, error = fails_cleanly_or_saves(lambda: newsletter_services.subscriber_request(
        email=email, name=name, language=language))
    if error:
        assert Subscriber.objects.count() == before
    else:
        assert Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.PENDING).exists()


# ---------------------------------------------------------------- subscriber import

CELLS = st.one_of(HOSTILE_TEXT, st.emails(), st.sampled_from(["fi", "sv", "en", "'", '"', ";", ",", "\n"]))


def _csv(rows, delimiter: str, encoding: str) -> bytes:
    text = "\r\n".join(delimiter.join(row) for row in rows)
    return text.encode(encoding, errors="replace")


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=8), delimiter=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_subscriber_import_with_hostile_files(rows, delimiter, encoding):
    staff = user_with_role(Role.STAFF)
    before = set(Subscriber.objects.values_list("email", flat=True))
    report, error = fails_cleanly_or_saves(lambda: newsletter_services.subscribers_import(
        content=_csv(rows, delimiter, encoding), basis="Kirjaston asiakasrekisteri", by=staff))
    after = set(Subscriber.objects.values_list("email", flat=True))
    if error:
        assert after == before  # nothing half-saved
    else:
        assert after - before == set(report.added)


@FUZZ
@given(noise=st.binary(max_size=2000))
def test_subscriber_import_with_random_bytes(noise):
    staff = user_with_role(Role.STAFF)
    fails_cleanly_or_saves(lambda: newsletter_services.subscribers_import(content=noise, basis="x", by=staff))


def test_a_cell_over_the_csv_field_limit_is_a_clear_error_naming_the_line():
    staff = user_with_role(Role.STAFF)
    content = ("sähköposti;nimi\nmaija@example.fi;Maija\nmatti@example.fi;" + "x" * 131_073 + "\n").encode()
    with pytest.raises(ValidationError) as caught:
        newsletter_services.subscribers_import(content=content, basis="Lomake", by=staff)
    message = caught.value.message_dict["file"][0]
    assert "3" in message and "131072" in message
    assert not Subscriber.objects.exists()


