"""On PostgreSQL the stage history refuses UPDATE and DELETE in the database itself, so not
even a raw query or the admin can rewrite who moved an offering and when."""

from django.db import migrations

from consortium.db import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("eservices", "0001_initial")]

    operations = [append_only_trigger("eservices_stagechange", "the stage history of offerings")]
