#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump, custom format) and the uploaded
# files (a tar of MEDIA_ROOT), side by side with the same time stamp in DIRECTORY.
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/portal/media ops/backup.sh /backups/portal
# See docs/operations.md. Consistent: pg_dump reads one snapshot; files are only ever added
# under new names, so a tar taken just after the dump holds every file the dump refers to.
set -eu
dest=${1:?usage: ops/backup.sh DIRECTORY}
: "${DATABASE_URL:?set DATABASE_URL}"
: "${MEDIA_ROOT:?set MEDIA_ROOT}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-acl --dbname="$DATABASE_URL" --file="$dest/portal-$stamp.dump.part"
mv "$dest/portal-$stamp.dump.part" "$dest/portal-$stamp.dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -czf "$dest/media-$stamp.tar.gz.part" .
mv "$dest/media-$stamp.tar.gz.part" "$dest/media-$stamp.tar.gz"
echo "$dest/portal-$stamp.dump"
echo "$dest/media-$stamp.tar.gz"
