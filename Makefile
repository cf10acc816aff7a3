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

.PHONY: help report test lint sample bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

report: $(STAMP) ## run the monthly job on the sample data (DATA=, PERIOD=, OUT=)
	@mkdir -p $(OUT)
	$(BIN)/aiadopt kpis --data $(DATA) --period $(PERIOD) --format csv --out $(OUT)/kpis.csv
	$(BIN)/aiadopt kpis --data $(DATA) --period $(PERIOD) --format table --out $(OUT)/kpis.txt
	@cat $(OUT)/kpis.txt
	@echo "Written: $(OUT)/kpis.csv $(OUT)/kpis.txt"

test: $(STAMP) ## run the test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff
	$(BIN)/ruff check aiadopt tests benchmarks

sample: $(STAMP) ## regenerate data/sample from its seed
	$(BIN)/aiadopt sample --out data/sample --seed 7

bench: $(STAMP) ## performance benchmark (prints figures)
	$(BIN)/python benchmarks/bench_load_kpis.py

clean: ## remove the virtualenv and generated reports
	rm -rf $(VENV) $(OUT)/*
