"""Benchmarks (bench/): the test settings' throw-away keys, with production's connection pool
(the server processes run with DATABASE_POOL=true) and quiet logs."""

from .test import *  # noqa: F403

LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# A benchmark signs up and sends from one address as fast as it can: no limits.
RATE_LIMITS: dict = {}
