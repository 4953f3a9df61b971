# Two entry points for people: `make serve` (live reload is mkdocs' default) and
# `make test`. Both create the virtual environment on first use and reinstall
# when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1:8000
JOBS   ?= auto

# Material prints a banner about MkDocs 2 on every build; it is not a warning about this site.
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help serve test lint format typecheck pytest site workflows clean

help:
	@echo "make serve   build the site and serve it at http://$(HOST) with live reload"
	@echo "make test    lint, type-check, build the site strictly, run every test, code block and lab,"
	@echo "             and drive the built site in Chromium"
	@echo "make pytest  the fast loop: every test but the browser ones"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "virtdocs needs Python 3.11 or newer: run 'make PYTHON=python3.11 …'" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

serve: $(STAMP)
	VIRTDOCS_NOTEBOOK_CACHE=true $(BIN)/mkdocs serve --dev-addr $(HOST)

# The site is built before pytest so the browser tests drive exactly what `site` produced.
# --dist loadfile: a page's examples share one namespace, so a file stays on one worker.
test: lint typecheck workflows site
	VIRTDOCS_SITE_DIR=site $(BIN)/python -m pytest -n $(JOBS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not browser"

site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site
	$(BIN)/python -m tests.site.offline site

workflows: $(STAMP)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --no-progress .github/workflows

clean:
	rm -rf site .cache .mypy_cache .pytest_cache .ruff_cache
