# Two entry points for people: `make serve` and `make test`. Both create the
# virtual environment on first use and reinstall when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help serve test lint format typecheck pytest site workflows clean

help:
	@echo "make serve   build the site and serve it at http://$(HOST) with live reload"
	@echo "make test    lint, type-check, run every test and code block, build the site strictly"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "virtdocs needs Python 3.11 or newer: run 'make PYTHON=python3.11 …'" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

serve: $(STAMP)
	VIRTDOCS_NOTEBOOK_CACHE=true $(BIN)/mkdocs serve --dev-addr $(HOST) --livereload

test: lint typecheck pytest site workflows

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

workflows: $(STAMP)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --no-progress .github/workflows

clean:
	rm -rf site .cache .mypy_cache .pytest_cache .ruff_cache
