#!/usr/bin/env bash
# Back up lianluo: the PostgreSQL database (pg_dump, custom format) and the stored documents
# under MEDIA_ROOT, into DEST/lianluo-<UTC timestamp>/ with SHA256SUMS. Online and consistent:
# the database is dumped first (one snapshot), then the files (a file newer than the dump is
# harmless; every file the dump refers to already exists).
#
#   DATABASE_URL=postgres://… LIANLUO_VAR_DIR=/srv/lianluo/var deploy/backup.sh /backup
#
# MEDIA_ROOT is $LIANLUO_MEDIA_ROOT, else $LIANLUO_VAR_DIR/media. With LIANLUO_STORAGE=s3 the
# documents live in the bucket: back that up with the store's own versioning/replication.
# The encryption keys (LIANLUO_PII_KEYS, LIANLUO_BLIND_INDEX_KEY) are NOT in the backup: keep
# them in the secret store; a dump without them cannot be read (see deploy/RUNBOOK.md).
set -euo pipefail
dest="${1:?usage: backup.sh DEST_DIR}"
: "${DATABASE_URL:?DATABASE_URL (postgres://…) is required}"
media="${LIANLUO_MEDIA_ROOT:-${LIANLUO_VAR_DIR:-var}/media}"
out="$dest/lianluo-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
umask 077

pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --dbname="$DATABASE_URL" --file="$out/db.dump"
if [[ -d "$media" ]]; then
  tar --create --gzip --file="$out/media.tar.gz" --directory="$media" .
else
  tar --create --gzip --file="$out/media.tar.gz" --files-from=/dev/null
fi
(cd "$out" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "$out"
