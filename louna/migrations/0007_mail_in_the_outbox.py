# Louna's "sent once" tables go: the core outbox's key now keeps each message to one
# sending (agenda per version and person, accessibility reminder per month and person,
# review reminder per deadline, kind and person).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('louna', '0006_version_notices_in_the_outbox'),
    ]

    operations = [
        migrations.DeleteModel(name='AccessibilityReminder'),
        migrations.DeleteModel(name='AgendaDelivery'),
        migrations.DeleteModel(name='ReviewReminder'),
    ]
