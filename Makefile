# Two entry points: `make demo` and `make test`. Both create .venv on first use; the demo and a
# server (`make install`) get newsmon and its dependencies only, `make test` adds the
# development tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pipefail: the install's output is filtered, its exit status must still stop make.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip's own lines, one per package collected or built, are the progress shown.
PIP_PROGRESS := sed -u -n -E 's/^(Collecting|Building|Installing|Successfully)/  \1/p'

.PHONY: demo test lint install clean

$(BIN)/.installed: pyproject.toml
	@echo "newsmon: installing into $(VENV) (first run only, about a minute)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --disable-pip-version-check --upgrade pip | $(PIP_PROGRESS)
	@$(BIN)/python -m pip install --disable-pip-version-check -e . | $(PIP_PROGRESS)
	@touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	@echo "newsmon: installing the development tools (pytest, mypy, ruff) into $(VENV)"
	@$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev]' | $(PIP_PROGRESS)
	@touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	@$(BIN)/newsmon demo

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check crawler monitor tests bench
	$(BIN)/mypy

# Two test processes: most tests wait on real servers and daemons, so two share the 2 cores
# well (the suite takes about 10 minutes instead of 15).
test: lint
	$(BIN)/pytest -q -rs -n 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
