"""A benchmark's own PostgreSQL database, next to DATABASE_URL's, dropped at the end."""

from __future__ import annotations

import contextlib
import os
import uuid
from urllib.parse import urlparse, urlunparse


@contextlib.contextmanager
def throwaway_database(prefix: str, **env: str):
    """Create `<prefix>_<random>`, point DATABASE_URL (and the bench settings, and `env`) at it,
    and drop it afterwards, whatever happened."""
    import psycopg

    parsed = urlparse(os.environ["DATABASE_URL"])
    name = f"{prefix}_{uuid.uuid4().hex[:6]}"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        DATABASE_URL=urlunparse(parsed._replace(path=f"/{name}")),
        DATABASE_POOL="false",
        DJANGO_SETTINGS_MODULE="telegram.settings.bench",
        **env,
    )
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
