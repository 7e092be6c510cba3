# Brainport voor Elkaar: `make run` serves the portal on a laptop, `make test` runs the whole test suite.
# With DATABASE_URL and CELERY_BROKER_URL set, both use PostgreSQL and Redis/RabbitMQ instead.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= true

.PHONY: serve bench-web run run-services test worker beat messages translations seed seed-impact lint clean bench-matching bench-needs bench-matching-db bench-review chaos-notifications

# A Python of at least 3.12: on PATH, or an installed pyenv version (pyenv's shims fail without PYENV_VERSION).
define find_python
for c in python3.13 python3.12 python3 python; do \
  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v $$c; exit 0; fi; \
done; \
if command -v pyenv >/dev/null 2>&1; then \
  for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])\.[0-9]+$$' | sort -rV); do \
    p="$$(pyenv root)/versions/$$v/bin/python3"; if [ -x "$$p" ]; then echo "$$p"; exit 0; fi; \
  done; \
fi; \
echo "No Python 3.12 or newer was found. Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12', and run make again." >&2; exit 1
endef

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || { PYTHON="$$($(find_python))" && echo "Creating $(VENV) with $$PYTHON" && "$$PYTHON" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install Bootstrap and axe-core (apt-get install npm, or install Node.js)." >&2; exit 1; }
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed node_modules/.installed

# Compiled from the .po files with polib, so no system gettext is needed.
translations: $(VENV)/.installed
	@$(PY) -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-3] + '.mo') for p in glob.glob('locale/*/LC_MESSAGES/*.po')]"

# Extract new strings into the .po files (needs GNU gettext: apt-get install gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale nl --locale en --ignore '.venv/*' --ignore 'node_modules/*' --no-obsolete

seed: install translations
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py matching_run

# The match lifecycle's data on top of the demo, so the impact pages have figures: matches in every state, hours,
# feedback, completed needs with residents reached and people placed into work (safe to repeat).
seed-impact: seed
	$(PY) manage.py seed_impact --matches 400 --hours 3000

run: seed
	@echo "Serving on http://127.0.0.1:8000 (email is printed here; Celery tasks run in-process unless CELERY_BROKER_URL is set)"
	$(PY) manage.py runserver 127.0.0.1:8000

# Web + Celery worker + Celery beat against DATABASE_URL and CELERY_BROKER_URL (PostgreSQL, Redis).
run-services: seed
	@test -n "$$DATABASE_URL" -a -n "$$CELERY_BROKER_URL" || { echo "Set DATABASE_URL and CELERY_BROKER_URL first (see README)." >&2; exit 1; }
	@trap 'kill 0' EXIT; \
	$(VENV)/bin/celery -A brainport_voor_elkaar worker --loglevel INFO --concurrency 2 & \
	$(VENV)/bin/celery -A brainport_voor_elkaar beat --loglevel INFO --schedule var/celerybeat-schedule & \
	$(PY) manage.py runserver 127.0.0.1:8000

# Production settings under gunicorn (docs/DEPLOY.md): migrations, static files, then several workers on
# GUNICORN_BIND (127.0.0.1:8000). Reads the environment (or .env); to try it on a laptop it makes up a
# SECRET_KEY and MFA_ENCRYPTION_KEY (kept in var/secret_key, var/mfa_key), allows localhost and skips the HTTPS redirect unless told otherwise.
serve: install translations
	@set -e; export DEBUG=false; \
	if [ -z "$$SECRET_KEY" ] && ! grep -qs '^SECRET_KEY=' .env; then \
	  test -s var/secret_key || { umask 077; $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key; }; \
	  export SECRET_KEY="$$(cat var/secret_key)"; echo "SECRET_KEY from var/secret_key (set SECRET_KEY in production)"; fi; \
	if [ -z "$$MFA_ENCRYPTION_KEY" ] && ! grep -qs '^MFA_ENCRYPTION_KEY=' .env; then \
	  test -s var/mfa_key || { umask 077; $(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > var/mfa_key; }; \
	  export MFA_ENCRYPTION_KEY="$$(cat var/mfa_key)"; echo "MFA_ENCRYPTION_KEY from var/mfa_key (set MFA_ENCRYPTION_KEY in production)"; fi; \
	if [ -z "$$ALLOWED_HOSTS" ] && ! grep -qs '^ALLOWED_HOSTS=' .env; then \
	  export ALLOWED_HOSTS=localhost,127.0.0.1 SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false}; \
	  echo "ALLOWED_HOSTS=localhost,127.0.0.1 and no HTTPS redirect (set ALLOWED_HOSTS in production)"; fi; \
	$(PY) manage.py migrate --no-input; \
	$(PY) manage.py collectstatic --no-input -v0; \
	exec $(VENV)/bin/gunicorn -c python:brainport_voor_elkaar.gunicorn_conf brainport_voor_elkaar.wsgi

test: install translations
	$(PY) -m pytest

# The matching engine at the association's scale, in memory; the last line is a JSON summary.
bench-matching: $(VENV)/.installed
	$(PY) manage.py bench_matching

# /needs/ timings (median, p95, queries) against DATABASE_URL; load the scale data first (docs/PERFORMANCE.md).
bench-needs: $(VENV)/.installed
	$(PY) manage.py bench_needs

# matches_refresh for one new need against the volunteers in DATABASE_URL (load scale data first).
bench-matching-db: $(VENV)/.installed
	$(PY) manage.py bench_matching_db

# The notification outbox while its own workers are killed (kill -9) and its own Redis restarts: lost 0,
# duplicates 0. Needs DATABASE_URL (PostgreSQL, a database of its own) and redis-server; not part of `make test`.
chaos-notifications: $(VENV)/.installed
	$(PY) manage.py chaos_notifications

# The review queue with filters and a bulk approval of 1,000 proposals (rolled back), against DATABASE_URL
# with scale data and a nightly run (docs/PERFORMANCE.md).
bench-review: $(VENV)/.installed
	$(PY) manage.py bench_review

# The portal under load as in production: full scale in DATABASE_URL (loaded when missing), gunicorn with
# production settings on 127.0.0.1:8311, locust on loopback, 10 s per address; last line JSON (docs/PERFORMANCE.md).
# Redis for cache and broker: BENCH_CACHE_URL, BENCH_BROKER_URL (default redis://127.0.0.1:6379/1 and /0).
bench-web: $(VENV)/.installed translations
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to a PostgreSQL database of its own (docs/PERFORMANCE.md)." >&2; exit 1; }
	$(PY) manage.py bench_web

lint: $(VENV)/.installed
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 var
