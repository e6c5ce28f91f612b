# The two commands of the README: `make serve` and `make test`. Everything else is their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test install assets lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

web/static/vendor/htmx.min.js: package.json
	npm install --no-audit --no-fund --loglevel=error
	mkdir -p web/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js web/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js web/static/vendor/echarts.min.js
	mkdir -p web/static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	  web/static/vendor/swagger-ui/

install: $(BIN)/.installed web/static/vendor/htmx.min.js

assets: web/static/vendor/htmx.min.js

## serve: migrate, load the plan's chains, generate demo data and users, then serve on :8000
serve: install
	$(BIN)/chainplan migrate
	$(BIN)/chainplan seed
	$(BIN)/chainplan demo
	$(BIN)/chainplan lapse
	$(BIN)/chainplan serve --host $(HOST) --port $(PORT)

## test: the whole suite on CHAINPLAN_DATABASE_URL (a temporary SQLite file when unset)
test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy core chains enterprises chainmaps plans cli web seeds migrations/tables.py
	python3 ../shared/tools/layers.py

## bench: speed benchmarks, numbers printed (not timed tests)
bench: install
	$(BIN)/python -m tests.benchmarks.chain_map
	$(BIN)/python -m tests.benchmarks.imports
	$(BIN)/python -m tests.benchmarks.leads
	$(BIN)/python -m tests.benchmarks.page_weight
	$(BIN)/python -m tests.benchmarks.search

clean:
	rm -rf $(VENV) node_modules web/static/vendor chainplan.db chainplan.db-wal chainplan.db-shm
