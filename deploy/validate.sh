#!/usr/bin/env bash
# Validate the deployment files with whatever tools this machine has (no Docker engine needed):
#   hadolint (Dockerfile), docker compose / docker-compose config (compose file), a YAML parse,
#   nginx -t (both site files, with a throw-away certificate), systemd-analyze verify (units),
#   honcho check (Procfile), gunicorn --check-config. A missing tool is reported as SKIPPED.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
py="$root/.venv/bin/python"
PATH="$root/.venv/bin:$PATH"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
ok()   { echo "validate: ok       $1"; passed=$((passed + 1)); }
bad()  { echo "validate: FAILED   $1"; failed=$((failed + 1)); }
skip() { echo "validate: SKIPPED  $1 ($2)"; skipped=$((skipped + 1)); }
run()  { local name="$1"; shift; if out="$("$@" 2>&1)"; then ok "$name"; else bad "$name"; echo "$out" | tail -20; fi; }

# Dockerfile
if command -v hadolint >/dev/null; then
  run "hadolint deploy/Dockerfile" hadolint --ignore DL3008 deploy/Dockerfile
else
  skip "hadolint deploy/Dockerfile" "hadolint not installed"
fi

# Compose file: YAML, then the compose model itself where a client is present.
run "compose YAML parses, has the six services" "$py" - <<'PY'
import yaml
doc = yaml.safe_load(open("deploy/compose.yaml"))
services = set(doc["services"])
need = {"web", "worker", "beat", "postgres", "redis", "nginx"}
assert need <= services, need - services
for name in need:
    assert "healthcheck" in doc["services"][name], f"{name} has no healthcheck"
assert "/readyz" in str(doc["services"]["web"]["healthcheck"]["test"])
PY
cp -r deploy "$tmp/deploy" && cp .env.example "$tmp/deploy/.env"
if docker compose version >/dev/null 2>&1; then
  run "docker compose config" docker compose -f "$tmp/deploy/compose.yaml" config -q
elif command -v docker-compose >/dev/null; then
  run "docker-compose config" docker-compose -f "$tmp/deploy/compose.yaml" config -q
else
  skip "compose config" "no docker compose client"
fi

# nginx: both sites, with a self-signed certificate and paths pointed into a scratch prefix.
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
  mkdir -p "$tmp/nginx/tls" "$tmp/nginx/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=lianluo.test \
    -keyout "$tmp/nginx/tls/privkey.pem" -out "$tmp/nginx/tls/fullchain.pem" >/dev/null 2>&1
  for site in lianluo compose; do
    sed -e "s#/etc/nginx/snippets/lianluo-common.conf#$tmp/nginx/common.conf#" \
        -e "s#/etc/nginx/snippets/lianluo-http-context.conf#$root/deploy/nginx/http-context.conf#" \
        -e "s#/etc/nginx/tls/#$tmp/nginx/tls/#" -e "s#server web:8000#server 127.0.0.1:8000#" \
        "deploy/nginx/$site.conf" > "$tmp/nginx/$site.conf"
    sed -e "s#/var/log/nginx/#$tmp/nginx/logs/#" deploy/nginx/lianluo-common.conf > "$tmp/nginx/common.conf"
    context=""
    [[ "$site" == lianluo ]] && context="include $root/deploy/nginx/http-context.conf;"
    cat > "$tmp/nginx/nginx-$site.conf" <<NGINX
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events {}
http { $context include $tmp/nginx/$site.conf; }
NGINX
    run "nginx -t ($site.conf)" nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx-$site.conf"
  done
else
  skip "nginx -t" "nginx or openssl not installed"
fi

# systemd units (paths pointed at this checkout so the executables exist).
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$tmp/units"
  for unit in deploy/systemd/*.service deploy/systemd/*.target; do
    sed -e "s#/srv/lianluo#$root#g" -e "s#^EnvironmentFile=.*#EnvironmentFile=-$root/.env.example#" \
        -e "s#^User=.*#User=root#" -e "s#^Group=.*#Group=root#" "$unit" > "$tmp/units/$(basename "$unit")"
  done
  run "systemd-analyze verify (web, worker, beat, target)" \
    systemd-analyze verify --man=no "$tmp"/units/*.service "$tmp"/units/*.target
else
  skip "systemd-analyze verify" "systemd-analyze not installed"
fi

run "honcho check (Procfile)" honcho check
run "gunicorn --check-config" env DJANGO_SETTINGS_MODULE=settings.test \
  gunicorn -c deploy/gunicorn.conf.py --check-config
run "shell scripts parse" bash -n deploy/prod-local.sh deploy/backup.sh deploy/restore.sh deploy/setup-system.sh

echo "validate: $passed passed, $failed failed, $skipped skipped"
[[ "$failed" == 0 ]]
