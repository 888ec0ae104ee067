# Assay — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE ?=

.PHONY: run test bench lint format bundle clean check-libs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

check-libs: $(STAMP)
	@$(BIN)/python scripts/check_system_libs.py

run: $(STAMP) check-libs
	$(BIN)/assay gui $(WORKSPACE)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:randomly -n auto --dist loadfile

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s tests/bench

lint: $(STAMP)
	$(BIN)/ruff format --check app tests
	$(BIN)/ruff check app tests
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format app tests
	$(BIN)/ruff check --fix app tests

bundle: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bundle]"
	$(BIN)/pyinstaller --noconfirm --clean build.spec

clean:
	rm -rf build dist $(VENV)
