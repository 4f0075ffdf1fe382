# The developer's verbs. Every target bootstraps what it needs; `make dev` and `make test` work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.13 where it exists (also behind pyenv), else any python3 >= 3.11.
PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.13 python3.12 python3.11 python3; do \
	  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then echo $$p; break; fi; done)
# sam build validates the runtime by finding `python3.13` on PATH: this is the directory it gets first there
# (the same lookup as PYTHON, so `make build` works wherever `make dev` does, pyenv included).
PYTHON313_DIR = $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.13; do \
	  if $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then \
	    $$p -c 'import os, sys; print(os.path.dirname(sys.executable))'; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SMOKE_VENV := .venv-smoke
AWS_REGION ?= eu-central-1
export AWS_DEFAULT_REGION ?= $(AWS_REGION)
export SAM_CLI_TELEMETRY := 0
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`/`make pytest`: one per core (auto); PYTEST_WORKERS=0 runs in one process
PYTEST_WORKERS ?= auto

.PHONY: help dev venvs test checks lint format typecheck import-layers cfn-lint sam-validate pytest unit integration e2e openapi bench audit fuzz load build smoke deploy clean

help: ## list the verbs
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.stamp: requirements-dev.txt layers/common/requirements.txt
	@test -n "$(PYTHON)" || { echo "no python >= 3.11 found" >&2; exit 1; }
	@echo "bootstrapping $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

$(SAM_VENV)/.stamp: requirements-sam.txt
	@echo "bootstrapping $(SAM_VENV) (aws-sam-cli pins its own boto3, so it lives apart)"
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q --upgrade pip
	$(SAM_VENV)/bin/pip install -q -r requirements-sam.txt
	@touch $@

$(SMOKE_VENV)/.stamp: requirements-smoke.txt
	@test -n "$(PYTHON313_DIR)" || { echo "make smoke needs Python 3.13" >&2; exit 1; }
	@echo "bootstrapping $(SMOKE_VENV) (LocalStack and the SAM translator, pinned apart from the dev venv)"
	$(PYTHON313_DIR)/python3.13 -m venv $(SMOKE_VENV)
	$(SMOKE_VENV)/bin/pip install -q --upgrade pip
	$(SMOKE_VENV)/bin/pip install -q -r requirements-smoke.txt
	@touch $@

venv: $(VENV)/.stamp

venvs: ## bootstrap the dev and SAM venvs side by side (a fresh clone: ~70 s here instead of ~90 s in turn)
	@$(MAKE) --no-print-directory -j2 $(VENV)/.stamp $(SAM_VENV)/.stamp

dev: $(VENV)/.stamp ## run the whole system locally (moto, API, emulators) on 127.0.0.1
	$(PY) -m devstack

# One step after the other, also under `make -j`: the venvs once (side by side), then the checks, then pytest.
test: ## every check: ruff, mypy, import layers, cfn-lint, sam validate, pytest with coverage
	@$(MAKE) --no-print-directory venvs
	@$(MAKE) --no-print-directory checks
	@$(MAKE) --no-print-directory pytest

# The static checks side by side (each prints as one block); make test runs pytest after them.
checks: $(VENV)/.stamp $(SAM_VENV)/.stamp ## ruff, mypy, import layers, cfn-lint and sam validate, in parallel
	@$(MAKE) --no-print-directory -j5 --output-sync=target lint typecheck import-layers cfn-lint sam-validate

lint: $(VENV)/.stamp ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.stamp ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(VENV)/.stamp ## mypy (strict, pydantic plugin, boto3 stubs)
	$(VENV)/bin/mypy layers/common/contact_intake functions devstack dpo_cli

import-layers: $(VENV)/.stamp ## the domain's parts import only the ones below them (pyproject.toml [tool.importlinter])
	PYTHONPATH=layers/common $(VENV)/bin/lint-imports --no-cache

cfn-lint: $(VENV)/.stamp ## lint template.yaml
	$(VENV)/bin/cfn-lint template.yaml

sam-validate: $(SAM_VENV)/.stamp ## sam validate --lint (offline)
	$(SAM) validate --lint --region $(AWS_REGION) --template template.yaml

pytest: $(VENV)/.stamp ## the test suite on PYTEST_WORKERS xdist workers, with branch coverage (fails under 90%)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal --cov --cov-report=term $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests selected"; rc=0; fi; exit $$rc

unit: $(VENV)/.stamp ## unit tests only
	$(PY) -m pytest tests/unit $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

integration: $(VENV)/.stamp ## moto integration and template tests
	$(PY) -m pytest tests/integration tests/template $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

e2e: $(VENV)/.stamp ## end-to-end tests against a devstack the tests start
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

openapi: $(VENV)/.stamp ## regenerate docs/openapi.json from the code
	$(PY) -m tools.openapi --write

bench: $(VENV)/.stamp ## benchmarks: prints a table, writes bench/results.json
	$(PY) -m bench

fuzz: $(VENV)/.stamp ## long schemathesis run on devstack (FUZZ_EXAMPLES per operation and mode, default 1000: ~28,000 cases)
	FUZZ_SEED=$${FUZZ_SEED:-random} FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(PY) -m pytest tests/e2e/test_fuzz_e2e.py $(PYTEST_ARGS)

load: $(VENV)/.stamp ## locust, headless and bounded, against a devstack it starts (LOAD_USERS, LOAD_SECONDS)
	$(PY) -m bench.load --users $${LOAD_USERS:-20} --seconds $${LOAD_SECONDS:-60}

audit: $(VENV)/.stamp ## pip-audit of the pinned dependencies (exit 1 on a known vulnerability; says so when it could not audit)
	$(PY) -m tools.audit

build: $(SAM_VENV)/.stamp ## sam build (arm64 layer and functions), then checks the layer is aarch64 and prints sizes
	@test -n "$(PYTHON313_DIR)" || { echo "sam build needs Python 3.13 (python3.13 on PATH or under ~/.pyenv/versions)" >&2; exit 1; }
	PATH="$(PYTHON313_DIR):$$PATH" $(SAM) build --template template.yaml
	$(PYTHON313_DIR)/python3.13 -m smoke.artifacts .aws-sam/build CommonLayer aarch64

smoke: build $(SMOKE_VENV)/.stamp ## deploy the built template on LocalStack (no AWS, no Docker), exercise it, tear it down
	PATH="$(PYTHON313_DIR):$$PATH" SAM_CLI="$(CURDIR)/$(SAM)" PYTHONPATH="$(CURDIR)" $(SMOKE_VENV)/bin/python -m smoke

deploy: build ## sam deploy (uses samconfig.toml; first time: make deploy DEPLOY_ARGS=--guided)
	$(SAM) deploy $(DEPLOY_ARGS)

clean: ## remove venvs and build output
	rm -rf $(VENV) $(SAM_VENV) $(SMOKE_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
