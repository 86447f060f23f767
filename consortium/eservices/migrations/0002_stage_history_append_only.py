"""On PostgreSQL the stage history refuses UPDATE and DELETE in the database itself, so not
even a raw query or the admin can rewrite who moved an offering and when. Other databases
rely on the model's own refusal (StageChange.save/delete)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION eservices_stagechange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the stage history of offerings is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS eservices_stagechange_append_only ON eservices_stagechange;
CREATE TRIGGER eservices_stagechange_append_only BEFORE UPDATE OR DELETE ON eservices_stagechange
    FOR EACH ROW EXECUTE FUNCTION eservices_stagechange_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS eservices_stagechange_append_only ON eservices_stagechange;
DROP FUNCTION IF EXISTS eservices_stagechange_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("eservices", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
