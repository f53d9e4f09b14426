# Theo dõi chỉ đạo: `make run` serves the demo, `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export APP_ENV ?= development

.PHONY: run test bench soak system-deps lint clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

## run: install, migrate, load the demo data, serve on http://127.0.0.1:5000 with a worker
run: $(VENV)/.runtime
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed demo
	bash scripts/serve-dev.sh

## test: install what the tests need (Python packages; redis-server and chromium when root) and run them
test: $(VENV)/.dev system-deps
	$(BIN)/lint-imports --no-cache
	APP_ENV=testing $(BIN)/pytest

system-deps:
	bash scripts/system-deps.sh

## lint: ruff over the tree (rules in pyproject.toml)
lint: $(VENV)/.dev
	$(BIN)/ruff check .

## bench: every benchmark under bench/, one JSON line each (stdout holds nothing else); each line names its database:
## SQLite, and again PostgreSQL when BENCH_PG_URL names a throwaway database (its schema is dropped)
bench: $(VENV)/.dev
	@APP_ENV=testing $(BIN)/python -m bench

## soak: the production shape on this machine (PostgreSQL, Redis, 2 gunicorn masters, 2 flask workers) under
## SOAK_USERS simulated people for SOAK_SECONDS, workers killed, Redis and a master restarted; last line JSON.
## SOAK_PG_URL: a throwaway database to use (its schema is dropped); unset, a cluster is made with initdb.
SOAK_SECONDS ?= 180
SOAK_USERS ?= 150
soak: $(VENV)/.dev
	@SOAK_SECONDS=$(SOAK_SECONDS) SOAK_USERS=$(SOAK_USERS) $(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) instance .pytest_cache
