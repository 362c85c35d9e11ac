"""The test suite. Real services are used when their URLs are set (CI sets them all)."""

import base64
import os

# Fixed, test-only keys: the suite must run on a fresh clone with no `.env`.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "k2:" + base64.b64encode(b"k2" * 16).decode() + ",k1:" + base64.b64encode(b"k1" * 16).decode(),
)
os.environ.setdefault("BLIND_INDEX_KEY", base64.b64encode(b"blind-index-test" * 2).decode())

from .base import *  # noqa: F403

DEBUG = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Argon2 all the same, with a cost that keeps the suite fast.
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]

# The in-process suite creates and drops its test database, which a pool's idle connections
# would block; server processes started by end-to-end tests set DATABASE_POOL=true.
if not env.bool("DATABASE_POOL", default=False):  # noqa: F405
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["NAME"] = BASE_DIR / "test-db.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}  # noqa: F405

LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Events of the suite go to their own stream and subjects on the shared NATS server (server
# processes started by end-to-end tests get their own again).
NATS_STREAM = env("NATS_STREAM", default="TGTEST")  # noqa: F405
EVENTS_SUBJECT_PREFIX = env("EVENTS_SUBJECT_PREFIX", default="tgtest")  # noqa: F405

# No worker runs beside the suite: tasks run inline (a bridge under test may enqueue for real).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
# Tests sweep scheduled messages themselves (or run a worker and beat): no thread of its own.
SCHEDULED_LOCAL_SWEEP = env.bool("SCHEDULED_LOCAL_SWEEP", default=False)  # noqa: F405

# Limits far above what any test does; the rate-limit tests set their own (in process through
# settings, for a server they start through RATE_LIMIT_<SCOPE>, as in production).
RATE_LIMITS = {
    scope: env(f"RATE_LIMIT_{scope.upper()}", default="100000/min")  # noqa: F405
    for scope in RATE_LIMITS  # noqa: F405
}
