# Everything runs from .venv, created on first use with nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test clean

run: $(INSTALLED)
	$(BIN)/python -m infra.local

test: $(INSTALLED)
	$(BIN)/python -m pytest

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) dist .pytest_cache
