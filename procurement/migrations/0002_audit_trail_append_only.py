"""On PostgreSQL the opt-in audit trail refuses UPDATE and DELETE in the database itself."""

from django.db import migrations

from consortium.db import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [append_only_trigger("procurement_optinevent", "the opt-in audit trail")]
