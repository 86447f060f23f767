"""Database pieces more than one app's migrations use."""

from django.db import migrations

__all__ = ("append_only_trigger",)


def append_only_trigger(table: str, what: str) -> migrations.RunPython:
    """A migration operation: on PostgreSQL the table refuses UPDATE and DELETE in the
    database itself, so not even a raw query or the admin can rewrite history (TRUNCATE,
    used only to empty a test database, is not affected). Other databases rely on the
    model's own refusal in save() and delete()."""
    name = f"{table}_append_only"
    create = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return migrations.RunPython(forwards, backwards)
