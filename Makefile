# Two commands on a fresh clone: `make acceptance` (the suite against the built-in
# sandbox, with its report) and `make test` (everything, as CI runs it).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

.PHONY: help setup setup-node test acceptance report lint typecheck sandbox bench clean \
	flake-audit defects drift benchmarks steps-doc coverage latency-gate mutation load concurrency speed

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.synced: pyproject.toml uv.lock Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv itself is in the lock file (dev group), so it survives every sync; pip bootstraps it once.
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	@# Bytecode compiled once here: where Python may not write it (PYTHONDONTWRITEBYTECODE,
	@# a read-only tree), every process would otherwise compile every library it imports.
	$(BIN)/uv sync --frozen --quiet --compile-bytecode
	@touch $@

setup: $(VENV)/.synced ## create .venv from the lock file

# npm ci wipes node_modules and installs exactly package-lock.json; the stamp makes it run
# only when node_modules is missing or older than the manifest or the lock file.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: run .ci/setup (or install Node 20+ and npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup-node: node_modules/.installed ## install Allure 3 (npm) from package-lock.json

test: setup setup-node lint ## run every test: the framework's, the sandbox's and the acceptance suite
	$(BIN)/pytest -n auto

# The suite against the sandbox it starts (or API_URL), then the HTML report, built even when
# scenarios fail; the exit status is the suite's. PYTEST_ARGS adds options, e.g. "-m smoke";
# FEATURE (a feature file or folder) and SCENARIO (a scenario's name) run a part of the suite.
# The run itself empties its results folder, under a lock that refuses a second run writing
# the same folders; a run that stopped before any scenario leaves no report behind, and one
# refused before it started (a wrong option, a busy folder) builds no report from an earlier
# run's results.
acceptance: setup setup-node ## run the acceptance suite and build its HTML report (reports/html)
	@status=0; \
	$(BIN)/pytest -m acceptance -n auto --alluredir $(ACCEPTANCE_RESULTS) --html-report $(REPORT) \
		$(PART) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 4 ] && compgen -G '$(ACCEPTANCE_RESULTS)/*-result.json' >/dev/null; then \
		: "refused before it started (its one line says why): the results are an earlier run's"; \
	elif $(BIN)/python -m reporting.build --results $(ACCEPTANCE_RESULTS) --output $(REPORT); then \
		echo "HTML report: $(REPORT)/index.html; to view it, serve the folder and open the address:"; \
		echo "  $(BIN)/python -m http.server --bind 127.0.0.1 --directory $(REPORT) 8080"; \
		echo "  http://127.0.0.1:8080/"; \
	elif [ $$status -eq 0 ]; then status=1; fi; \
	exit $$status

lint: setup ## ruff, mypy, the feature lint, step definitions that do nothing, the step catalogue
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python -m steps.lint
	$(BIN)/python -m steps.definitions
	$(BIN)/python -m steps.catalogue --check

steps-doc: setup ## regenerate docs/steps.md, the step catalogue
	$(BIN)/python -m steps.catalogue --write

ACCEPTANCE_RESULTS := reports/allure-results
RESULTS ?= $(ACCEPTANCE_RESULTS)
REPORT ?= reports/html
PYTEST_ARGS ?=
FEATURE ?=
SCENARIO ?=
# The name is quoted for the shell whatever it holds (quotes, apostrophes).
PART = $(if $(FEATURE),--feature-file $(FEATURE)) \
	$(if $(SCENARIO),--scenario-name '$(subst ','\'',$(SCENARIO))')

report: setup setup-node ## HTML report from RESULTS (folders, default reports/allure-results)
	$(BIN)/python -m reporting.build $(addprefix --results ,$(RESULTS)) --output $(REPORT)

sandbox: setup ## serve the sandbox on http://127.0.0.1:8000
	$(BIN)/python -m sandbox --port 8000

bench: setup ## benchmarks: ratios measured side by side
	$(BIN)/python benchmarks/client_bench.py

# The trust tools (docs/trust.md): each starts its own sandboxes on free ports.
flake-audit: setup ## the suite 20 times under 10% injected faults: flake rate and bound
	$(BIN)/python -m trust flake-audit --runs 20 --rate 0.10

defects: setup ## the suite once per seeded sandbox defect: caught, and with which category
	$(BIN)/python -m trust defects

# The reference sample (about an hour on 2 cores); MUTATION_ARGS="--since main" for a branch's
# changed lines, "--all" for every mutant (hours; see docs/trust.md).
MUTATION_ARGS ?= --sample 150 --seed 20261207

mutation: setup ## mutants of the sandbox against the suite (cosmic-ray): the score, twice
	$(BIN)/python -m trust mutation $(MUTATION_ARGS)

# LOAD_ARGS: more options of `python -m trust load`, e.g. "--users 20 --duration 10m" (a soak),
# "--workers 2" (a Locust master and two workers); docs/trust.md, "Load and soak".
LOAD_ARGS ?=

load: setup ## the suite's journeys as load on Locust (API_URL, else a sandbox); money checked after
	$(BIN)/python -m trust load $(LOAD_ARGS)

drift: setup ## the target's OpenAPI document against models/ (API_URL, else a sandbox)
	$(BIN)/python -m trust drift $(if $(API_URL),--url $(API_URL))

benchmarks: setup ## suite wall time, variants side by side -> docs/BENCHMARKS.md
	$(BIN)/python -m trust benchmarks

concurrency: setup ## sandbox at 1/4/16/64 users and the suite at -n 1/2/4 -> docs/BENCHMARKS.md
	$(BIN)/python -m trust concurrency

speed: setup ## one scenario, the suite at -n 0/2/auto, chaos, the client floor -> docs/BENCHMARKS.md
	$(BIN)/python -m trust speed

# A run's API coverage and latency (written by every acceptance run beside its summary;
# RUN_DATA: the folders of the run or of its CI shards).
RUN_DATA ?= reports

coverage: setup ## documented operations and statuses the last run exercised (bar: 100% and 90%)
	$(BIN)/python -m trust coverage $(addprefix --results ,$(RUN_DATA)) --min-operations 100 --min-statuses 90

latency-gate: setup ## the last run's p95 per operation against latency-budgets.toml
	$(BIN)/python -m trust latency-gate $(addprefix --results ,$(RUN_DATA))

clean: ## remove the virtual environment and generated files
	rm -rf $(VENV) node_modules reports .pytest_cache .mypy_cache .ruff_cache
