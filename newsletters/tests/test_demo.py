"""The demo seeder: idempotent, a browsable archive, --scale for many subscribers."""

import io

import pytest
from django.urls import reverse

from consortium.demo_data import seed_core
from newsletters.demo import seed_newsletters
from newsletters.models import Block, Delivery, Issue, Item, Subscriber

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (Issue, Block, Item, Subscriber, Delivery)]


def test_seeding_twice_changes_nothing_and_the_archive_has_issues(client):
    seed_core(scale=0, stdout=io.StringIO())
    seed_newsletters(scale=0, stdout=io.StringIO())
    first = counts()
    seed_newsletters(scale=0, stdout=io.StringIO())
    assert counts() == first
    assert Issue.objects.filter(status="sent").count() == 3 and Subscriber.objects.active().count() >= 20
    issue = Issue.objects.filter(status="sent").first()
    assert client.get(reverse("newsletters:archive")).status_code == 200
    assert client.get(reverse("newsletters:archive_issue", args=[issue.month.year, issue.month.month])).status_code == 200


def test_scale_adds_many_subscribers_once():
    seed_newsletters(scale=1, stdout=io.StringIO())
    seed_newsletters(scale=1, stdout=io.StringIO())
    assert Subscriber.objects.filter(email__startswith="massatilaaja").count() == 1000
