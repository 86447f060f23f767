"""Existing audiences to cooperation areas: what was marked for the one regional audience
the newsletter knew (the value "louna" of the old columns) now belongs to the cooperation
area with that slug, created if a database has such rows but not the area. Reversible."""

from django.db import migrations

# The old columns' value, and the slug of the area it meant. Named here only because the
# old data does; the running code knows areas as data.
OLD_AUDIENCE = "louna"


def _area(apps, *, create: bool):
    CooperationArea = apps.get_model("consortium", "CooperationArea")
    area = CooperationArea.objects.filter(slug=OLD_AUDIENCE).first()
    if area is None and create:
        area = CooperationArea.objects.create(slug=OLD_AUDIENCE, name="Louna")
    return area


def forwards(apps, schema_editor):
    Item = apps.get_model("newsletters", "Item")
    Block = apps.get_model("newsletters", "Block")
    Subscriber = apps.get_model("newsletters", "Subscriber")
    Delivery = apps.get_model("newsletters", "Delivery")
    used = (Item.objects.filter(audience=OLD_AUDIENCE).exists() or Block.objects.filter(audience=OLD_AUDIENCE).exists()
            or Subscriber.objects.filter(louna=True).exists() or Delivery.objects.filter(louna=True).exists())
    if not used:
        return
    area = _area(apps, create=True)
    Item.objects.filter(audience=OLD_AUDIENCE).update(area=area)
    Block.objects.filter(audience=OLD_AUDIENCE).update(area=area)
    Through = Subscriber.areas.through
    Through.objects.bulk_create(
        [Through(subscriber_id=pk, cooperationarea_id=area.pk)
         for pk in Subscriber.objects.filter(louna=True).values_list("pk", flat=True)],
        batch_size=1000, ignore_conflicts=True)
    Delivery.objects.filter(louna=True).update(areas=[area.pk])


def backwards(apps, schema_editor):
    area = _area(apps, create=False)
    if area is None:
        return
    Item = apps.get_model("newsletters", "Item")
    Block = apps.get_model("newsletters", "Block")
    Subscriber = apps.get_model("newsletters", "Subscriber")
    Delivery = apps.get_model("newsletters", "Delivery")
    Item.objects.filter(area=area).update(audience=OLD_AUDIENCE)
    Block.objects.filter(area=area).update(audience=OLD_AUDIENCE)
    Subscriber.objects.filter(areas=area).update(louna=True)
    for delivery in Delivery.objects.exclude(areas=[]).only("pk", "areas").iterator():
        if area.pk in delivery.areas:
            Delivery.objects.filter(pk=delivery.pk).update(louna=True)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0003_audience_areas"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
