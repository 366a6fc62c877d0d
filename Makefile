# Bilan: the two commands of the README (`make run`, `make test`) and a few more.
# Installs into .venv; pip runs again only when pyproject.toml is newer than its stamp.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
# Two workers for CI's two cores: the suite measured 83-99 s with -n 2 against
# 180 s serially. Each worker starts its own PostgreSQL cluster (and chromium,
# if it gets a browser test). Plain `--dist load`: loadgroup silently stops
# grouping with pytest 9.2 (pytest-xdist issue 1386). `PYTEST_ARGS=` runs serially.
PYTEST_ARGS ?= -n 2
# Temp files (tmp_path's SQLite files) in RAM when there is a /dev/shm:
# SQLite tests ran about 3x faster there than on this machine's disk.
TEST_TMPDIR ?= $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo $${TMPDIR:-/tmp})
# `make run` serves one address: `flask run` and the links in emails (saas/config.py:served_address)
# both read FLASK_RUN_HOST and FLASK_RUN_PORT. `make run PORT=5001` when 5000 is taken.
HOST ?= 127.0.0.1
PORT ?= 5000
SERVED := FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT)

.PHONY: help venv install install-dev run test lint bench prod-check

help:
	@echo "make run     install, create the SQLite database with the demo centre, serve http://$(HOST):$(PORT) (PORT=... to change)"
	@echo "make test    install dev dependencies and Debian packages, run the whole suite (SQLite and PostgreSQL)"
	@echo "make lint    ruff (lint and import order, settings in pyproject.toml); part of make test"
	@echo "make bench   run the benchmarks of bench/"
	@echo "make prod-check  validate a production environment file (ENV_FILE=..., default the sample of deploy/)"

venv: $(VENV)/bin/python

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q -e .
	touch $@

# The dev install covers the plain one: touch both stamps.
$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

run: install
	.venv/bin/flask --app wsgi db upgrade
	$(SERVED) .venv/bin/flask --app wsgi demo seed
	$(SERVED) SCHEDULER_IN_PROCESS=1 .venv/bin/flask --app wsgi run --debug

lint: install-dev
	$(VENV)/bin/ruff check .

# PostgreSQL is not started here: the test session starts its own throwaway
# cluster (tests/pg_server.py). pytest's exit 5 means no test ran: say so.
test: install-dev lint
	scripts/ensure-system-deps.sh
	@rc=0; TMPDIR=$(TEST_TMPDIR) $(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests, which is a failure" >&2; fi; \
	exit $$rc

bench: install-dev
	$(VENV)/bin/python -m bench

# The sample describes another host: its master key file is not on this machine (--skip-files).
# On the server: `make prod-check ENV_FILE=/etc/bilan/bilan.env PROD_CHECK_ARGS=`.
ENV_FILE ?= deploy/bilan.env.sample
PROD_CHECK_ARGS ?= --skip-files
prod-check:
	$(VENV)/bin/python -m saas.prodcheck $(ENV_FILE) $(PROD_CHECK_ARGS)
