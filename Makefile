# aiadopt — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= data/sample
PERIOD ?= latest
OUT    ?= reports
WORKERS ?= 2
CHROMIUM := /usr/bin/chromium
FLOORS := .venv-floors
FLOOR_PYTHON ?= python3.11

.PHONY: help report test test-floors lint format sample bench clean system-deps pg-server

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,workshop,cluster]'
	@touch $(STAMP)

report: $(STAMP) ## the monthly reports on the sample data -> reports/<month>/index.html (DATA=, PERIOD=, OUT=, WORKERS=)
	@# Exit 4 (stale: the data has not changed since the month was published) is no error here.
	$(BIN)/aiadopt report --data $(DATA) --period $(PERIOD) --out $(OUT) --workers $(WORKERS) \
	  || [ $$? -eq 4 ]

system-deps: ## Debian's chromium for the browser tests (installed with apt-get when run as root)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests (apt-get)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "NOTE: $(CHROMIUM) is missing: the browser tests will be skipped (sudo apt-get install chromium)."; \
	  fi; \
	fi

# The port of the running PostgreSQL cluster (tests/conftest.py; 5432 when none is listed).
PG_PORT = $$(pg_lsclusters -h 2>/dev/null | awk '$$4 == "online" {print $$3; exit}')

pg-server: ## PostgreSQL for the database tests: Debian's postgresql installed, its cluster started and a role for you (as root)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  if ! command -v pg_ctlcluster >/dev/null 2>&1; then \
	    echo "Installing Debian's postgresql for the database tests (apt-get)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  fi; \
	  if [ -z "$$(pg_lsclusters -h)" ]; then \
	    pg_createcluster "$$(ls /usr/lib/postgresql | sort -V | tail -n 1)" main >/dev/null; \
	  fi; \
	  read -r version cluster _ <<< "$$(pg_lsclusters -h | head -n 1)"; \
	  pg_ctlcluster "$$version" "$$cluster" status >/dev/null 2>&1 || pg_ctlcluster "$$version" "$$cluster" start; \
	  port=$$(pg_lsclusters -h | awk 'NR == 1 {print $$3}'); \
	  su postgres -c "psql -p $$port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'root'\"" | grep -q 1 \
	    || su postgres -c "createuser -p $$port --superuser root"; \
	elif ! command -v pg_isready >/dev/null 2>&1 || ! pg_isready -q -h /var/run/postgresql; then \
	  echo "NOTE: no PostgreSQL server: the database tests will be skipped (sudo apt-get install postgresql;"; \
	  echo "      sudo -u postgres createuser --superuser $$USER; docs/databases.md)."; \
	fi

test: $(STAMP) system-deps pg-server lint ## ruff (format and lint), then the test suite (installs chromium and PostgreSQL for the browser and database tests if missing)
	AIADOPT_TEST_PG_PORT=$${AIADOPT_TEST_PG_PORT:-$(PG_PORT)} $(BIN)/python -m pytest

test-floors: system-deps pg-server ## the suite in .venv-floors/ with every dependency at its declared floor (FLOOR_PYTHON=)
	@test -x $(FLOORS)/bin/python || $(FLOOR_PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install --quiet --upgrade pip
	$(FLOORS)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb")); m = p["project"]; \
	  print("\n".join(s.replace(">=", "==") for s in m["dependencies"] + sum(m["optional-dependencies"].values(), []) + p["build-system"]["requires"]))' \
	  > $(FLOORS)/floors.txt
	$(FLOORS)/bin/python -m pip install --quiet -c $(FLOORS)/floors.txt -e '.[test,workshop,cluster]'
	AIADOPT_TEST_PG_PORT=$${AIADOPT_TEST_PG_PORT:-$(PG_PORT)} $(FLOORS)/bin/python -m pytest

lint: $(STAMP) ## ruff: the code is formatted (`make format` fixes it) and lint-clean
	$(BIN)/ruff format --check aiadopt tests benchmarks notebooks
	$(BIN)/ruff check aiadopt tests benchmarks notebooks

format: $(STAMP) ## format the code with ruff
	$(BIN)/ruff format aiadopt tests benchmarks notebooks
	$(BIN)/ruff check --fix aiadopt tests benchmarks notebooks

sample: $(STAMP) ## regenerate data/sample from its seed
	$(BIN)/aiadopt sample --out data/sample --seed 7

bench: $(STAMP) ## performance benchmark (prints figures)
	$(BIN)/python benchmarks/bench_load_kpis.py
	$(BIN)/python benchmarks/bench_load_scale.py
	$(BIN)/python benchmarks/bench_cli_startup.py
	$(BIN)/python benchmarks/bench_workshop.py
	$(BIN)/python benchmarks/bench_reports.py

clean: ## remove the virtualenvs and generated reports
	rm -rf $(VENV) $(FLOORS) $(OUT)/*
