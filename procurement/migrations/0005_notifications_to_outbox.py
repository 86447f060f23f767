"""Procurement mail goes through the core's outbox: the Notification table goes.

What it remembered (who has been sent which reminder, award or expiry notice) becomes
outbox rows marked sent, under the keys procurement.services.mail_key gives, so the next
run after the upgrade does not tell anyone again what they were told before it."""

from django.db import migrations
from django.utils import timezone

KINDS = {"reminder_week": "procurement.reminder_week", "reminder_day": "procurement.reminder_day",
         "award": "procurement.award", "expiry": "procurement.expiry"}


def carry_over(apps, schema_editor):
    Notification = apps.get_model("procurement", "Notification")
    OutboxMessage = apps.get_model("consortium", "OutboxMessage")
    User = apps.get_model("consortium", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = []
    for notification in Notification.objects.exclude(reached=[]).iterator():
        about_model = "frameworkagreement" if notification.agreement_id else "procurement"
        about_type, _created = ContentType.objects.get_or_create(app_label="procurement", model=about_model)
        # The day the message was about is the key's tail (see the old Notification.make_key).
        parts = notification.key.split(":")
        day = f":{parts[4]}" if len(parts) > 4 else ""
        for user in User.objects.filter(pk__in=notification.reached):
            rows.append(OutboxMessage(
                key=(f"{KINDS[notification.kind]}:{notification.procurement_id}:{notification.library_id}"
                     f":{notification.agreement_id or 0}{day}:{user.pk}"),
                kind=KINDS[notification.kind], to=user.email or "unknown@invalid", recipient_id=user.pk,
                language=user.language or "fi", about_type=about_type,
                about_id=notification.agreement_id or notification.procurement_id,
                subject="(sent before the mail outbox)", body_text="", state="sent",
                attempts=1, sent_at=notification.sent_at or timezone.now()))
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("procurement", "0004_procurement_swedish_texts"),
        ("consortium", "0004_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
