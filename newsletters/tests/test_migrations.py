"""The move from the old audience columns (a "louna" flag) to cooperation areas keeps every
subscriber, item, part and delivery meant for the same readers, both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("newsletters", "0002_item_image_random_name")]
AFTER = [("newsletters", "0005_drop_old_audience_columns")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def old_rows(apps):
    Issue = apps.get_model("newsletters", "Issue")
    issue = Issue.objects.create(month="2026-10-01", subject="Lokakuu", period_start="2026-09-01T00:00Z",
                                 period_end="2026-10-01T00:00Z", status="sent")
    Item = apps.get_model("newsletters", "Item")
    Item.objects.create(title="Kaikille", body="x", audience="all")
    Item.objects.create(title="Alueelle", body="x", audience="louna")
    Block = apps.get_model("newsletters", "Block")
    Block.objects.create(issue=issue, title="Kaikille", audience="all")
    Block.objects.create(issue=issue, title="Alueelle", audience="louna")
    Subscriber = apps.get_model("newsletters", "Subscriber")
    inside = Subscriber.objects.create(email="alue@kirjasto.example", louna=True, status="active",
                                       consent_method="import")
    outside = Subscriber.objects.create(email="muu@kirjasto.example", louna=False, status="active",
                                        consent_method="import")
    Delivery = apps.get_model("newsletters", "Delivery")
    Delivery.objects.create(issue=issue, subscriber=inside, email=inside.email, louna=True, status="sent")
    Delivery.objects.create(issue=issue, subscriber=outside, email=outside.email, louna=False, status="sent")


@pytest.mark.parametrize("area_exists", [True, False])
def test_old_audiences_become_the_area_and_back(old_apps, area_exists):
    CooperationArea = old_apps.get_model("consortium", "CooperationArea")
    if area_exists:
        CooperationArea.objects.create(slug="louna", name="Louna", description="Forssan seudun kirjastot")
    CooperationArea.objects.create(slug="muu", name="Muu alue")
    old_rows(old_apps)

    apps = migrate(AFTER)
    area = apps.get_model("consortium", "CooperationArea").objects.get(slug="louna")
    Item, Block = apps.get_model("newsletters", "Item"), apps.get_model("newsletters", "Block")
    Subscriber, Delivery = apps.get_model("newsletters", "Subscriber"), apps.get_model("newsletters", "Delivery")
    assert dict(Item.objects.values_list("title", "area")) == {"Kaikille": None, "Alueelle": area.pk}
    assert dict(Block.objects.values_list("title", "area")) == {"Kaikille": None, "Alueelle": area.pk}
    assert [list(s.areas.values_list("slug", flat=True)) for s in Subscriber.objects.order_by("email")] == [
        ["louna"], []]
    assert dict(Delivery.objects.values_list("email", "areas")) == {
        "alue@kirjasto.example": [area.pk], "muu@kirjasto.example": []}

    apps = migrate(BEFORE)
    Item, Subscriber = apps.get_model("newsletters", "Item"), apps.get_model("newsletters", "Subscriber")
    Delivery = apps.get_model("newsletters", "Delivery")
    assert dict(Item.objects.values_list("title", "audience")) == {"Kaikille": "all", "Alueelle": "louna"}
    assert dict(Subscriber.objects.values_list("email", "louna")) == {
        "alue@kirjasto.example": True, "muu@kirjasto.example": False}
    assert dict(Delivery.objects.values_list("email", "louna")) == {
        "alue@kirjasto.example": True, "muu@kirjasto.example": False}


def test_a_database_without_old_area_rows_gets_no_area(old_apps):
    apps = migrate(AFTER)
    assert not apps.get_model("consortium", "CooperationArea").objects.exists()
