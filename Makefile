# Masthead: the two commands (see README.md) and a few helpers.
# The venv's interpreter: the distribution's own python3.11 when it can make a venv (Debian
# builds it with PGO and LTO and links it statically: uncached pages cost ~10% less CPU than on
# a default source build of 3.11; docs/decisions/0003-distribution-python.md), else python3.
PYTHON ?= $(shell /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 \
	&& echo /usr/bin/python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
# The data dir is ./var unless MASTHEAD_DATA_DIR says otherwise (masthead/config.py). It is
# deliberately not exported here: the test suite must use its own throw-away directory.

.PHONY: run test lint bench screenshot clean

# pip is not upgraded: the venv's own pip (Debian's 23.0 on the distribution's python) is what a
# user's plain `pip install .` gets, so installing with it here and in CI proves that works.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

## make run: install, migrate, load the demo if empty, print the editor login, serve :8000
run: $(VENV)/.installed
	$(BIN)/masthead migrate --verbosity 0
	$(BIN)/masthead demo --if-empty
	$(BIN)/masthead serve --host 127.0.0.1 --port 8000

## make test: the whole suite (SQLite unless MASTHEAD_DATABASE_URL says otherwise); -rs lists
## every skipped test with its reason at the end (issue 16)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -rs $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check masthead tests bench

## make bench: the HTTP benchmark suite (see docs/performance.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/http_bench.py

screenshot: $(VENV)/.installed-dev
	$(BIN)/python tests/browser/screenshot.py docs/screenshots

clean:
	rm -rf $(VENV) build *.egg-info
