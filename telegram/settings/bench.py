"""Benchmarks (bench/): the test settings' throw-away keys, with production's connection pool
(the server processes run with DATABASE_POOL=true) and quiet logs."""

from .test import *  # noqa: F403

LOGGING["root"]["level"] = "WARNING"  # noqa: F405
