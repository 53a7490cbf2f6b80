# Linkwork developer tasks. `make run` sets everything up and starts the demo.
#
# Stamp files in .make/ record what is installed, so repeated runs are quick; they are
# redone when pyproject.toml, package.json, package-lock.json or the asset sources change.
# Environment variables (DATABASE_URL, for example) pass straight through to every command.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
STAMPS := .make
DIST := linkwork/static/dist
DIST_FILES := $(addprefix $(DIST)/,linkwork.css linkwork.js passkeys.js govuk-frontend.min.js htmx.min.js favicon.svg)
ASSET_SOURCES := $(shell find linkwork/static_src -type f 2>/dev/null) scripts/build-assets.mjs
PYTEST_ARGS ?=
# The suite runs in one process per core (pytest-xdist); each test file stays on one process, so
# a file's shared fixtures (a loaded demo) are built once. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

# Redo a step whose outputs have gone missing even though its stamp is still there.
missing = $(if $(filter-out $(wildcard $(1)),$(1)),FORCE)

.PHONY: help venv install assets migrate demo run serve test lint format FORCE

help:
	@echo "make run      install, migrate, load the demo data and start the server"
	@echo "make install  Python and npm dependencies, and the front-end assets"
	@echo "make assets   rebuild the front-end assets"
	@echo "make migrate  apply database migrations"
	@echo "make demo     load (or reload) the demo data"
	@echo "make serve    the production server: checks, migrates, collects static files, then"
	@echo "              gunicorn and the background worker (docs/admin/running.md)"
	@echo "make test     run the tests (PYTEST_ARGS='-k something' to choose; one process per"
	@echo "              core, PYTEST_WORKERS=0 for one)"
	@echo "make lint     ruff check, ruff format --check, the layer contracts (lint-imports)"
	@echo "              and views taking records only from queries modules"
	@echo "make format   fix what ruff can fix and format the code"
	@echo "DATABASE_URL=postgres://... switches from SQLite to PostgreSQL."

venv: $(VENV)/pyvenv.cfg

# Use the first Python >= 3.12 that actually runs (a pyenv shim for a version that is not
# selected is on PATH but fails), then pyenv's own installs, newest first.
$(VENV)/pyvenv.cfg:
	@ok='import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; \
	python=""; \
	for candidate in python3.13 python3.12 python3; do \
	  if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c "$$ok" >/dev/null 2>&1; then \
	    python="$$(command -v "$$candidate")"; break; \
	  fi; \
	done; \
	if [ -z "$$python" ]; then \
	  pyenv_root="$$(pyenv root 2>/dev/null || echo "$${PYENV_ROOT:-$$HOME/.pyenv}")"; \
	  for candidate in $$(ls -d "$$pyenv_root"/versions/3.1[23]*/bin/python3 2>/dev/null | sort -r -V); do \
	    if "$$candidate" -c "$$ok" >/dev/null 2>&1; then python="$$candidate"; break; fi; \
	  done; \
	fi; \
	if [ -z "$$python" ]; then \
	  echo "error: Linkwork needs Python 3.12 or newer, and none was found." >&2; \
	  echo "Install Python 3.12 or 3.13 (or select one with pyenv) and run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; \
	"$$python" -m venv $(VENV)

$(STAMPS)/python: pyproject.toml $(VENV)/pyvenv.cfg
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

# --ignore-scripts: no dependency needs an install script (sass is plain JavaScript).
$(STAMPS)/npm: package.json package-lock.json $(call missing,node_modules/.package-lock.json)
	npm ci --no-audit --no-fund --ignore-scripts
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/assets: $(STAMPS)/npm $(ASSET_SOURCES) $(call missing,$(DIST_FILES))
	npm run build
	@mkdir -p $(STAMPS) && touch $@

# Compiled translation catalogues (.mo) are build output: redo them when a .po changes.
PO_FILES := $(wildcard linkwork/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMPS)/messages: $(STAMPS)/python $(PO_FILES) $(call missing,$(MO_FILES))
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/python $(STAMPS)/assets $(STAMPS)/messages

assets: $(STAMPS)/assets

migrate: install
	$(MANAGE) migrate

demo: migrate
	$(MANAGE) load_demo

run: demo
	@echo ""
	@echo "Linkwork is starting at http://127.0.0.1:8000"
	@echo "Sign in with one of these demo accounts. The password for each is: linkwork-demo"
	@echo "  manager        service manager, both sites: triage, waiting lists, allocation, pathways"
	@echo "  coordinator    link coordinator, Powys: caseload, person records, social prescriptions"
	@echo "  coordinator2   link coordinator, Rhondda: caseload full"
	@echo "  referrer       GP referrer: make a referral, see outcomes"
	@echo "  researcher     researcher: sees no identifiable records"
	@echo "  admin          administrator: audit log, accounts (/django-admin/)"
	@echo "Public self-referral form: http://127.0.0.1:8000/referrals/self-referral/"
	@echo "Emails (to referrers, community services, coordinators) are printed here by the worker."
	@echo ""
	@# The background worker (emails, reminder sweeps) runs beside the server and stops with it.
	@# --no-reload: a reloading worker leaves its child running when stopped; restart make run
	@# after changing a task.
	$(MANAGE) linkwork_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(MANAGE) runserver 127.0.0.1:8000

# Production: the settings come from the environment (docs/admin/running.md); nothing here
# loads the demo.
serve: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-linkwork.config.settings.production} \
	  $(MANAGE) linkwork_serve

test: install
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMPS)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PYTHON) scripts/layers.py --check
	$(PYTHON) scripts/lint_views_use_queries.py

format: $(STAMPS)/python
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

FORCE:
