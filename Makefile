# The two set-up commands: `make demo` and `make test`. Each creates or updates .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_WS ?= .ebrain-demo

.PHONY: venv demo test lint typecheck unit unit-pg bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	rm -rf $(DEMO_WS)
	$(BIN)/ebrain --workspace $(DEMO_WS) init
	$(BIN)/ebrain --workspace $(DEMO_WS) ingest examples/corpus --kb demo
	$(BIN)/ebrain --workspace $(DEMO_WS) stats
	$(BIN)/python examples/demo_searches.py $(DEMO_WS)

lint: venv
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/python -m pytest

# The catalog-concerning suites again, each test on a fresh database of a throwaway PostgreSQL
# cluster (skips, saying so, without the postgresql binaries).
PG_SUITES := tests/catalog tests/identity tests/test_audit.py tests/server/test_jobs.py
unit-pg: venv
	$(BIN)/python -m pytest --catalog-backend=postgresql $(PG_SUITES)
	EBRAIN_INDEX_URL=milvus-lite: $(BIN)/python -m pytest --catalog-backend=postgresql -m fulltext $(PG_SUITES)

test: lint typecheck unit unit-pg

bench: venv
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) $(DEMO_WS) .pytest_cache .mypy_cache .ruff_cache
