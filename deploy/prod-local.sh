#!/usr/bin/env bash
# Run lianluo's production process set on this machine: gunicorn + Celery worker + Celery beat
# (Procfile, via honcho) against PostgreSQL and Redis, with settings.production.
#
#   deploy/prod-local.sh            migrate, collect static files, start; Ctrl-C stops all three
#
# Environment (defaults in brackets): DATABASE_URL [postgres://postgres@127.0.0.1:5432/lianluo],
# CELERY_BROKER_URL [redis://127.0.0.1:6379/0], PORT [8000], LIANLUO_VAR_DIR [var/prod-local].
# Secrets not set in the environment are generated once into $LIANLUO_VAR_DIR/secrets.env.
# There is no TLS on loopback: HTTPS redirects are off here (nginx does TLS in production).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

export DJANGO_SETTINGS_MODULE=settings.production
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lianluo}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
export LIANLUO_VAR_DIR="${LIANLUO_VAR_DIR:-$root/var/prod-local}"
export PORT="${PORT:-8000}"
export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
export LIANLUO_TRUSTED_PROXY_COUNT="${LIANLUO_TRUSTED_PROXY_COUNT:-0}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export PATH="$root/.venv/bin:$PATH"
mkdir -p "$LIANLUO_VAR_DIR"

secrets="$LIANLUO_VAR_DIR/secrets.env"
if [[ ! -f "$secrets" ]]; then
  umask 077
  python - > "$secrets" <<'PY'
import base64, secrets
print(f"SECRET_KEY={secrets.token_urlsafe(60)}")
print(f"LIANLUO_PII_KEYS={base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}")
print(f"LIANLUO_BLIND_INDEX_KEY={secrets.token_hex(32)}")
PY
  echo ">> generated local secrets in $secrets (keep it: the PII key decrypts the data)"
fi
if ! grep -q '^LIANLUO_AUDIT_KEYS=' "$secrets"; then
  (umask 077; echo "LIANLUO_AUDIT_KEYS=$(python -c 'import secrets;print(secrets.token_hex(32))')" >> "$secrets")
fi
while IFS='=' read -r key value; do
  [[ -n "$key" && -z "${!key:-}" ]] && export "$key=$value"
done < "$secrets"

# Metrics of all processes are aggregated from one directory, emptied at each start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$LIANLUO_VAR_DIR/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

python manage.py migrate --noinput -v0
if [[ "${LIANLUO_SKIP_COLLECTSTATIC:-0}" != "1" ]]; then
  python manage.py collectstatic --noinput -v0
fi
echo ">> lianluo (production settings) at http://127.0.0.1:$PORT/ — Ctrl-C stops web, worker and beat"
exec honcho --procfile Procfile --app-root "$root" start --port "$PORT"
