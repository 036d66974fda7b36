# Two entry points, each setting itself up on a fresh machine:
#   make suite  - run the conformance suite against the embedded reference server (reports/report.html)
#   make test   - run the suite's own tests
PYTHON ?= python3
VENV := .venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $@

.PHONY: install suite test
install: $(VENV)/.installed

suite: $(VENV)/.installed
	$(VENV)/bin/pytest

test: $(VENV)/.installed
	$(VENV)/bin/pytest tests -n 2
