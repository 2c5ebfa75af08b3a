#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and an empty MEDIA_ROOT.
#
#   createdb lianluo   # (or CREATE DATABASE …) — the target must exist and be empty
#   DATABASE_URL=postgres://…/lianluo LIANLUO_VAR_DIR=/srv/lianluo/var deploy/restore.sh DIR
#
# Then, with the same encryption keys as when the backup was taken:
#   manage.py migrate           (when restoring into a newer release)
#   manage.py verify_audit_chain
set -euo pipefail
src="${1:?usage: restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL (postgres://…) is required}"
media="${LIANLUO_MEDIA_ROOT:-${LIANLUO_VAR_DIR:-var}/media}"

(cd "$src" && sha256sum --check --quiet SHA256SUMS)
tables="$(psql "$DATABASE_URL" -tAc \
  "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [[ "$tables" != "0" ]]; then
  echo "restore.sh: the target database is not empty ($tables tables); refusing" >&2
  exit 1
fi
if [[ -d "$media" ]] && [[ -n "$(ls -A "$media")" ]]; then
  echo "restore.sh: $media is not empty; refusing" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$src/db.dump"
mkdir -p "$media"
tar --extract --gzip --file="$src/media.tar.gz" --directory="$media"
echo "restored $src into the database and $media"
