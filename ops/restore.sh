#!/bin/sh
# Restore a backup made by ops/backup.sh into an EMPTY database and media folder:
#   createdb portal_restored
#   DATABASE_URL=postgres://.../portal_restored MEDIA_ROOT=/srv/portal/media \
#     ops/restore.sh /backups/portal/portal-20261204T120000Z.dump /backups/portal/media-20261204T120000Z.tar.gz
# All or nothing: one transaction, stopping at the first error (e.g. a database not empty).
set -eu
dump=${1:?usage: ops/restore.sh DUMP MEDIA_TAR}
media=${2:?usage: ops/restore.sh DUMP MEDIA_TAR}
: "${DATABASE_URL:?set DATABASE_URL}"
: "${MEDIA_ROOT:?set MEDIA_ROOT}"
pg_restore --no-owner --no-acl --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$dump"
mkdir -p "$MEDIA_ROOT"
if [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
    echo "MEDIA_ROOT $MEDIA_ROOT is not empty; the files were not restored" >&2
    exit 1
fi
tar -C "$MEDIA_ROOT" -xzf "$media"
echo "restored $dump and $media"
