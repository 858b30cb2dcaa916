# Kerne: `make run` serves the demo, `make test` runs the whole suite. Both set up first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails, paper codes and QR codes point where `make run` serves (make run PORT=8101).
RUN_ENV := DEBUG=1 KERNE_BASE_URL=$${KERNE_BASE_URL:-http://$(HOST):$(PORT)}

.PHONY: setup run test test-sqlite test-postgres lint format bench messages clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	DEBUG=1 $(BIN)/kerne migrate --noinput
	DEBUG=1 $(BIN)/kerne createcachetable
	DEBUG=1 $(BIN)/kerne compilemessages --ignore=.venv -v 0
	$(RUN_ENV) $(BIN)/kerne demo --if-empty
	@echo ""
	@echo "Kerne runs at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@echo "E-mail is not sent: it is saved in var/outbox/, read it at http://$(HOST):$(PORT)/konto/udbakke/ (admin)"
	@trap 'kill 0' EXIT; \
	  $(RUN_ENV) $(BIN)/kerne db_worker --interval 1 >var/worker.log 2>&1 & \
	  $(RUN_ENV) $(BIN)/kerne runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check kerne tests bench
	$(BIN)/ruff format --check kerne tests bench
	DEBUG=1 $(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix kerne tests bench
	$(BIN)/ruff format kerne tests bench

test: lint test-sqlite test-postgres

test-sqlite: setup
	DEBUG=1 $(BIN)/kerne compilemessages --ignore=.venv -v 0
	KERNE_TESTING=1 DEBUG=1 $(BIN)/python -m pytest

test-postgres: setup
	KERNE_TESTING=1 DEBUG=1 scripts/with-postgres $(BIN)/python -m pytest -p no:cacheprovider

bench: setup
	$(BIN)/python -m bench.subtree
	$(BIN)/python -m bench.import_org
	$(BIN)/python -m bench.rush
	$(BIN)/python -m bench.results
	$(BIN)/python -m bench.goals

messages: setup
	cd kerne && DEBUG=1 ../$(BIN)/kerne makemessages -l en --ignore=static
	DEBUG=1 $(BIN)/kerne compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
