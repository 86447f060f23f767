"""On PostgreSQL the opt-in audit trail refuses UPDATE and DELETE in the database itself,
so not even a raw query or the admin can rewrite history. (TRUNCATE, used only to empty a
test database, is not affected.) Other databases rely on the model's own refusal."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION procurement_optinevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the opt-in audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS procurement_optinevent_append_only ON procurement_optinevent;
CREATE TRIGGER procurement_optinevent_append_only BEFORE UPDATE OR DELETE ON procurement_optinevent
    FOR EACH ROW EXECUTE FUNCTION procurement_optinevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS procurement_optinevent_append_only ON procurement_optinevent;
DROP FUNCTION IF EXISTS procurement_optinevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
