# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-telegram.settings.local}

.PHONY: run test test-es test-mongo bench lint migrate worker beat bridge clean

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

# The tests of what lives in the document store (apps.core.documents).
DOCUMENT_TESTS := tests/documents tests/updates tests/chats tests/contacts tests/broadcasts tests/profiles tests/moderation \
	tests/core/test_events.py tests/core/test_rotate_key.py tests/notifications/test_push.py
# A document store in a database of its own, as with MongoDB (two commits per change): another
# database on DATABASE_URL's server, or a second SQLite file without one.
SPLIT_STORE_URL ?= $(if $(DATABASE_URL),$(DATABASE_URL)_documents,sqlite:///$(CURDIR)/test-documents.sqlite3)

## Lint, then the whole suite (real services when DATABASE_URL, REDIS_URL, NATS_URL are set),
## then the document apps' tests again with the document store in a database of its own.
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=telegram.settings.test $(BIN)/pytest $(PYTEST_ARGS)
	DOCUMENTS_DATABASE_URL=$(SPLIT_STORE_URL) DJANGO_SETTINGS_MODULE=telegram.settings.test \
		$(BIN)/pytest -m "not e2e" $(DOCUMENT_TESTS) $(PYTEST_ARGS)

## The document apps' tests against a real MongoDB replica set: make test-mongo MONGODB_URI=mongodb://...
test-mongo: $(VENV)/.dev-installed
	@test -n "$(MONGODB_URI)" || { echo "Set MONGODB_URI to a MongoDB 7 replica set (transactions need one), e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0"; exit 2; }
	MONGODB_URI='$(MONGODB_URI)' DJANGO_SETTINGS_MODULE=telegram.settings.test \
		$(BIN)/pytest -m "not e2e" -rs $(DOCUMENT_TESTS) $(PYTEST_ARGS)

## The Elasticsearch backend's tests against a real server: make test-es ELASTICSEARCH_URL=http://...
test-es: $(VENV)/.dev-installed
	@test -n "$(ELASTICSEARCH_URL)" || { echo "Set ELASTICSEARCH_URL to a real Elasticsearch 8 server."; exit 2; }
	ELASTICSEARCH_URL=$(ELASTICSEARCH_URL) DJANGO_SETTINGS_MODULE=telegram.settings.test \
		$(BIN)/pytest tests/broadcasts/test_search_elasticsearch.py -rs $(PYTEST_ARGS)

## The hot path's benchmark matrix (bench/matrix.py) against fresh servers; needs DATABASE_URL and
## REDIS_URL (loopback). `make test` runs a seconds-long smoke of it.
bench: $(VENV)/.dev-installed
	@test -n "$(DATABASE_URL)" -a -n "$(REDIS_URL)" || { echo "Set DATABASE_URL (PostgreSQL) and REDIS_URL, e.g. postgres://postgres@127.0.0.1:5432/telegram and redis://127.0.0.1:6379/1"; exit 2; }
	$(BIN)/python bench/matrix.py $(BENCH_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/lint-imports

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
	rm -rf $(VENV) staticfiles test-db.sqlite3* test-documents.sqlite3*
