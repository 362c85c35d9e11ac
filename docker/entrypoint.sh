#!/bin/sh
# One entrypoint, one role per container: web | worker | beat | migrate.
set -eu
role="${1:-web}"
case "$role" in
  web)     exec daphne -b 0.0.0.0 -p "${PORT:-8000}" --proxy-headers telegram.asgi:application ;;
  worker)  exec celery -A telegram worker --loglevel "${LOG_LEVEL:-INFO}" ;;
  beat)    exec celery -A telegram beat --loglevel "${LOG_LEVEL:-INFO}" ;;
  migrate) exec python manage.py migrate --noinput ;;
  *)       exec "$@" ;;
esac
