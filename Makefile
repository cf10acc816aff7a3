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

.PHONY: help report test test-floors lint format sample bench clean system-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,workshop,cluster]'
	@touch $(STAMP)

report: $(STAMP) ## the monthly reports on the sample data -> reports/<month>/index.html (DATA=, PERIOD=, OUT=, WORKERS=)
	$(BIN)/aiadopt report --data $(DATA) --period $(PERIOD) --out $(OUT) --workers $(WORKERS)

system-deps: ## Debian's chromium for the browser tests (installed with apt-get when run as root)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests (apt-get)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "NOTE: $(CHROMIUM) is missing: the browser tests will be skipped (sudo apt-get install chromium)."; \
	  fi; \
	fi

test: $(STAMP) system-deps lint ## ruff (format and lint), then the test suite (installs chromium for the browser tests if missing)
	$(BIN)/python -m pytest

test-floors: system-deps ## the suite in .venv-floors/ with every dependency at its declared floor (FLOOR_PYTHON=)
	@test -x $(FLOORS)/bin/python || $(FLOOR_PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install --quiet --upgrade pip
	$(FLOORS)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb")); m = p["project"]; \
	  print("\n".join(s.replace(">=", "==") for s in m["dependencies"] + sum(m["optional-dependencies"].values(), []) + p["build-system"]["requires"]))' \
	  > $(FLOORS)/floors.txt
	$(FLOORS)/bin/python -m pip install --quiet -c $(FLOORS)/floors.txt -e '.[test,workshop,cluster]'
	$(FLOORS)/bin/python -m pytest

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
