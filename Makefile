# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-telegram.settings.local}

.PHONY: run test test-es lint migrate worker beat bridge clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

.env:
	$(BIN)/python scripts/make_dotenv.py

## Serve HTTP and WebSocket on $(HOST):$(PORT) (embedded defaults unless DATABASE_URL, ... are set).
run: $(VENV)/.base-installed .env
	$(LOCAL) $(BIN)/python manage.py migrate_all --noinput
	$(LOCAL) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(LOCAL) $(BIN)/daphne -b $(HOST) -p $(PORT) telegram.asgi:application

## Lint, then the whole suite (real services when DATABASE_URL, REDIS_URL, NATS_URL are set).
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=telegram.settings.test $(BIN)/pytest $(PYTEST_ARGS)

## The Elasticsearch backend's tests against a real server: make test-es ELASTICSEARCH_URL=http://...
test-es: $(VENV)/.dev-installed
	@test -n "$(ELASTICSEARCH_URL)" || { echo "Set ELASTICSEARCH_URL to a real Elasticsearch 8 server."; exit 2; }
	ELASTICSEARCH_URL=$(ELASTICSEARCH_URL) DJANGO_SETTINGS_MODULE=telegram.settings.test \
		$(BIN)/pytest tests/broadcasts/test_search_elasticsearch.py -rs $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.base-installed .env
	$(LOCAL) $(BIN)/python manage.py migrate_all

worker: $(VENV)/.base-installed .env
	$(LOCAL) $(BIN)/celery -A telegram worker --pool threads --concurrency 8 --loglevel INFO

beat: $(VENV)/.base-installed .env
	$(LOCAL) $(BIN)/celery -A telegram beat --loglevel INFO

## The NATS bridge (needs NATS_URL): events to Celery tasks.
bridge: $(VENV)/.base-installed .env
	$(LOCAL) $(BIN)/python manage.py run_nats_bridge

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3*
