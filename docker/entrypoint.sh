#!/bin/sh
# One entrypoint, one role per container: web | worker | beat | bridge | migrate.
set -eu
role="${1:-web}"
case "$role" in
  web)     exec daphne -b 0.0.0.0 -p "${PORT:-8000}" telegram.asgi:application ;;
  worker)  exec celery -A telegram worker --pool threads --concurrency "${WORKER_CONCURRENCY:-8}" --loglevel "${LOG_LEVEL:-INFO}" ;;
  beat)    exec celery -A telegram beat --loglevel "${LOG_LEVEL:-INFO}" ;;
  bridge)  exec python manage.py run_nats_bridge ;;
  migrate) exec python manage.py migrate_all --noinput ;;  # Postgres, then MongoDB
  *)       exec "$@" ;;
esac
