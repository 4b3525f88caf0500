# The two commands of the README. Each creates or refreshes a local virtual environment in
# .venv, so a fresh machine needs nothing but Python 3.11 and network access to PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INSTALL_INPUTS := pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard examples/*/pyproject.toml)

BROWSER_DEPS := tests/browser/node_modules/.package-lock.json

.PHONY: demo test lint typecheck unit docs bench thorough random clean system-packages browser-deps

$(STAMP): $(INSTALL_INPUTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e plugins/repatevents-xlsx -e examples/markdown-exporter
	touch $(STAMP)

## system-packages: the Debian packages the tests need (.ci/apt-packages.txt), when missing
system-packages:
	bash scripts/install-system-packages.sh

## browser-deps: axe-core from npm, at the version the lock file pins, for the browser tests
browser-deps: $(BROWSER_DEPS)

$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $(BROWSER_DEPS)

## demo: build a ledger from the example events, write every export, print the totals
demo: $(STAMP)
	$(BIN)/repatevents demo demo-output

## test: everything CI runs: lint, format check, types, the test suite, the docs
test: lint typecheck unit docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Two workers (pytest-xdist) halve the suite's time on the 2-core machine CI runs on.
unit: $(STAMP) system-packages browser-deps
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest -q -n $${PYTEST_WORKERS:-auto}

## docs: build the documentation with warnings as errors, and run its examples as doctests
docs: $(STAMP)
	$(BIN)/sphinx-build -q -W --keep-going -b html docs docs/_build/html
	$(BIN)/sphinx-build -q -W --keep-going -b doctest docs docs/_build/doctest

## thorough: the property tests with 1,000 random examples each (slow; not part of make test,
## whose fixed examples keep CI repeatable but can miss what random ones find)
thorough: $(STAMP)
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -q tests/test_invariants.py tests/events/test_stored.py tests/test_strategies.py \
	  tests/projections/test_state.py tests/projections/test_quality.py tests/projections/test_reconcile.py

## random: the same properties with new random examples (bounded), the seed printed to replay a
## failure with HYPOTHESIS_SEED=...; .ci/run runs it after make test
random: $(STAMP)
	@seed=$${HYPOTHESIS_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "random-example properties: seed $$seed (replay: make random HYPOTHESIS_SEED=$$seed)"; \
	HYPOTHESIS_PROFILE=random $(BIN)/python -m pytest -q -n $${PYTEST_WORKERS:-auto} -p no:cacheprovider \
	  --hypothesis-seed=$$seed tests/test_invariants.py tests/events/test_stored.py \
	  tests/test_strategies.py tests/projections/test_properties.py tests/projections/test_state.py \
	  tests/projections/test_quality.py tests/projections/test_reconcile.py

## bench: the quick benchmarks (the 1,000,000-event ones take --events; see each script)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_import_csv.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache tests/browser/node_modules
