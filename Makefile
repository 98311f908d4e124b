# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/newsmon demo

lint: $(BIN)/.installed
	$(BIN)/ruff check crawler monitor tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -rs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
