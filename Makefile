# Two commands matter: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
WHEEL_DIR := $(VENV)/wheel
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run serve test test-sqlite test-browser test-postgres check-wheel lint fixtures system-deps clean bench bench-deps bench-peer backup restore loadtest messages messages-update

$(STAMP): pyproject.toml | .env
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

# Local settings (git-ignored) that settings.py reads: debug mode and a secret key of its own.
# Variables set in the environment win over the file.
.env:
	key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') && umask 077 && \
	printf 'DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' "$$key" > $@

# The translations of the interface: .po files are committed, .mo files built from them here
# (git-ignored). `make messages-update` collects new strings into the .po files to translate.
PO_FILES := $(wildcard cases/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
MAKEMESSAGES_FLAGS := --ignore=.venv --ignore=node_modules --ignore=.bench --ignore=tests \
	--ignore=scripts --ignore=staticfiles --ignore=build --no-obsolete --add-location=file

messages: $(MO_FILES)

$(MO_FILES) &: $(PO_FILES) | $(STAMP)
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: make system-deps (Debian's gettext)"; exit 1; }
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules --ignore=.bench
	touch $(MO_FILES)

messages-update: $(STAMP)
	$(BIN)/python manage.py makemessages -v0 -l es -l fr $(MAKEMESSAGES_FLAGS)

run: $(STAMP) messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-style serving: gunicorn + whitenoise (set DJANGO_DEBUG=0 and the settings it needs).
serve: $(STAMP) messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_catalogue
	$(BIN)/gunicorn catalogue.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

fixtures: $(STAMP)
	$(BIN)/python manage.py build_fixtures

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# PostgreSQL (pg_virtualenv), Chromium, Redis and gettext (msgfmt) come from Debian's packages when missing.
system-deps:
	@missing=""; \
	command -v pg_virtualenv >/dev/null || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing >/dev/null; \
	fi

# The checks and the three runs share the machine's cores side by side: SQLite, the browser
# flows (headless Chromium on SQLite) and PostgreSQL, one process each (a second pytest-xdist
# worker cost more CPU than it saved). Engine-independent tests run on SQLite only.
test: system-deps
	$(MAKE) --no-print-directory -j5 --keep-going --output-sync=target lint check-wheel test-sqlite test-browser test-postgres

test-sqlite: $(STAMP) messages
	$(BIN)/python manage.py build_fixtures --check
	env -u DATABASE_URL $(BIN)/pytest -q -m "not browser"

test-browser: $(STAMP) messages
	env -u DATABASE_URL $(BIN)/pytest -q -m browser

test-postgres: $(STAMP) messages
	pg_virtualenv -t -o fsync=off -o synchronous_commit=off -o full_page_writes=off sh -c 'DATABASE_URL="postgres://$$PGUSER:$$PGPASSWORD@$$PGHOST:$${PGPORT:-5432}/$$PGDATABASE" $(BIN)/pytest -q -m "not engine_independent"'

# The wheel holds every file of catalogue/ and cases/: migrations, commands, generator words.
# (A stale build/ or *.egg-info/ would leak its file list into the wheel: build without them.)
check-wheel: $(STAMP) messages
	rm -rf build *.egg-info $(WHEEL_DIR)
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w $(WHEEL_DIR) .
	rm -rf build
	$(BIN)/python -c 'import sys, zipfile; print(*zipfile.ZipFile(sys.argv[1]).namelist(), sep="\n")' \
		$(WHEEL_DIR)/*.whl | sort > $(WHEEL_DIR)/files
	git ls-files catalogue cases | sort | comm -23 - $(WHEEL_DIR)/files > $(WHEEL_DIR)/missing
	@if [ -s $(WHEEL_DIR)/missing ]; then echo "missing from the wheel:"; cat $(WHEEL_DIR)/missing; exit 1; fi
	@echo "the wheel holds all $$(git ls-files catalogue cases | wc -l) files of catalogue/ and cases/"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache build

# Benchmarks (not part of `make test`): see docs/benchmarks.md. More sizes, fewer runs, e.g.
# `make bench BENCH_FLAGS="--sizes 10000,100000"` (`scripts/bench.py --help` lists the flags).
BENCH_FLAGS ?=
bench-deps:
	@command -v wrk >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq wrk >/dev/null; }

bench: $(STAMP) bench-deps
	$(BIN)/python scripts/bench.py $(BENCH_FLAGS)

bench-peer: $(STAMP) bench-deps
	$(BIN)/python scripts/bench.py --peer $(BENCH_FLAGS)

# Backups of the whole catalogue (JSON with natural keys; see README for pg_dump).
backup: $(STAMP)
	$(BIN)/python manage.py backup_catalogue $(FILE)

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/catalogue-....json"; exit 2; }
	$(BIN)/python manage.py restore_catalogue $(FILE)

# Normal and hostile traffic against gunicorn (WEB_CONCURRENCY workers, default 2) on
# PostgreSQL while an import runs (not part of `make test`); docs/loadtest.md. On SQLite:
# `.venv/bin/python scripts/loadtest.py --database sqlite`.
loadtest: $(STAMP) system-deps bench-deps
	pg_virtualenv -t -o fsync=off sh -c '$(BIN)/python scripts/loadtest.py'
