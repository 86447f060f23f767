"""ops/backup.sh and ops/restore.sh: a dump restored into an empty database holds the same
data, and the uploaded files come back byte for byte (docs/operations.md)."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from consortium.tests.factories import LibraryFactory
from testsupport import database_url_for_worker

BASE_DIR = Path(django_settings.BASE_DIR)


def _postgres_or_skip():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need the test database on PostgreSQL (set DATABASE_URL)")


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_the_same_data_and_files(tmp_path):
    _postgres_or_skip()
    import psycopg2

    library = LibraryFactory(name="Ypäjän kunnankirjasto – varmuuskopio")
    media = tmp_path / "media"
    (media / "procurement").mkdir(parents=True)
    document = media / "procurement" / "tarjouspyyntö.pdf"
    document.write_bytes(b"%PDF-1.4 demo " + os.urandom(64))
    source_url = database_url_for_worker()
    env = {**os.environ, "DATABASE_URL": source_url, "MEDIA_ROOT": str(media)}
    made = subprocess.run([str(BASE_DIR / "ops" / "backup.sh"), str(tmp_path / "backups")], env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    dump, media_tar = made.stdout.split()

    target = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(source_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        target_url = source_url.rsplit("/", 1)[0] + "/" + target
        restored_media = tmp_path / "restored-media"
        subprocess.run([str(BASE_DIR / "ops" / "restore.sh"), dump, media_tar], check=True, timeout=300,
                       env={**os.environ, "DATABASE_URL": target_url, "MEDIA_ROOT": str(restored_media)},
                       capture_output=True, text=True)
        restored = psycopg2.connect(target_url)
        try:
            with restored.cursor() as cursor:
                cursor.execute("SELECT name FROM consortium_library WHERE id = %s", [library.pk])
                assert cursor.fetchone() == (library.name,)
                cursor.execute("SELECT count(*) FROM django_migrations")
                with connection.cursor() as source:
                    source.execute("SELECT count(*) FROM django_migrations")
                    assert cursor.fetchone() == source.fetchone()
        finally:
            restored.close()
        assert (restored_media / "procurement" / "tarjouspyyntö.pdf").read_bytes() == document.read_bytes()

        # Restoring again into the same, no longer empty, database is refused as a whole.
        again = subprocess.run([str(BASE_DIR / "ops" / "restore.sh"), dump, media_tar], timeout=300,
                               env={**os.environ, "DATABASE_URL": target_url, "MEDIA_ROOT": str(tmp_path / "m3")},
                               capture_output=True, text=True)
        assert again.returncode != 0
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
