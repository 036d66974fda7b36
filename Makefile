# Two entry points, each setting itself up on a fresh machine:
#   make suite  - run the conformance suite against the embedded reference server (reports/report.html)
#   make test   - run the suite's own tests, after the lint and type gate (ruff, mypy)
#   make test-fast - the unit-level tests alone (no suite run, no process started), in seconds, while editing
# and a measure of the suite's strength (long: every mutant of the reference server against the suite):
#   make mutants - the mutation score of the reference server, written to docs/mutation.md
PYTHON ?= python3
VENV := .venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $@

.PHONY: install suite test test-fast lint mutants
install: $(VENV)/.installed

suite: $(VENV)/.installed
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest tests -n 2

test-fast: $(VENV)/.installed
	$(VENV)/bin/pytest tests -n 2 -m "not slow"

mutants: $(VENV)/.installed
	$(VENV)/bin/python -m mutation
