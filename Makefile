# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo test lint format wheel-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q crmclean  # bytecode, as a wheel install writes it
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install crmclean with its dev tools

demo: setup  ## generate the messy sample and migrate it into demo/crm.db
	$(BIN)/crmclean demo --dir demo

browser:  ## Debian's headless Chromium, for the HTML report tests (installed when missing)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

test: setup browser  ## run the whole test suite (needs the local PostgreSQL and MariaDB)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy crmclean

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

wheel-check: setup  ## build the wheel and check the rules and connectors are inside
	rm -rf dist
	$(BIN)/python -m pip wheel -q --no-deps -w dist .
	$(BIN)/python .ci/check_wheel.py dist/*.whl

clean:
	rm -rf $(VENV) dist demo .pytest_cache .ruff_cache .mypy_cache
