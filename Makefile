# lianluo — the two commands a newcomer needs are `make up` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= settings.dev

.PHONY: up test system venv migrate seed serve worker beat lint check-deploy bench clean \
	prod-local smoke deploy-validate screenshots api-story conformance

## make up: install what is missing, migrate SQLite, seed demo data, print logins, serve :8000
up: system venv migrate seed serve

## make test: the whole suite (SQLite + in-process tasks, or DATABASE_URL/CELERY_BROKER_URL)
test: system-browser venv
	DJANGO_SETTINGS_MODULE=settings.test $(PY) -m pytest $(PYTEST_ARGS)

system:
	@bash deploy/setup-system.sh

system-browser:
	@bash deploy/setup-system.sh --browser

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	@touch $@

migrate: venv
	$(PY) manage.py migrate --noinput -v0

seed: venv
	$(PY) manage.py seed_demo

serve: venv
	@echo ">> lianluo at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## make api-story: docs/api-story.sh (the case story through /api/v1/ with curl) on a throwaway demo
api-story: venv
	$(PY) deploy/api_story.py

## make conformance: schemathesis --checks all over every operation against a throwaway demo
conformance: venv
	$(PY) deploy/conformance.py $(CONFORMANCE_ARGS)

## make screenshots: refresh docs/screenshots/ from a fresh browser-test run (var/screenshots/)
screenshots: system-browser venv
	rm -rf var/screenshots
	DJANGO_SETTINGS_MODULE=settings.test LIANLUO_SCREENSHOT_DIR=var/screenshots \
		$(PY) -m pytest -q -p no:cacheprovider -m browser tests/browser $(PYTEST_ARGS)
	mkdir -p docs/screenshots
	cp var/screenshots/*.png docs/screenshots/
	@echo ">> docs/screenshots/ refreshed from var/screenshots/"

worker: venv
	$(VENV)/bin/celery -A settings worker --loglevel=INFO --concurrency=2

beat: venv
	$(VENV)/bin/celery -A settings beat --loglevel=INFO --schedule=var/celerybeat-schedule

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=settings.test $(VENV)/bin/mypy .
	DJANGO_SETTINGS_MODULE=settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m tests.foundation.side_effect_rules

check-deploy: venv
	DJANGO_SETTINGS_MODULE=settings.production SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(60))') \
	LIANLUO_PII_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	LIANLUO_BLIND_INDEX_KEY=$$($(PY) -c 'import secrets;print(secrets.token_hex(32))') \
	LIANLUO_AUDIT_KEYS=$$($(PY) -c 'import secrets;print(secrets.token_hex(32))') \
	DJANGO_ALLOWED_HOSTS=lianluo.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/lianluo.sqlite3 var/media

## make prod-local: production settings + gunicorn, Celery worker and beat (Procfile) on :8000
prod-local: venv
	bash deploy/prod-local.sh

## make smoke: fresh database, Procfile processes, login over HTTP, a real task, clean stop
smoke: venv
	$(PY) deploy/smoke.py

## make deploy-validate: check Dockerfile, compose, nginx, systemd units with the tools present
deploy-validate:
	bash deploy/validate.sh
