"""Benchmarks (bench/): the test settings' throw-away keys, with production's connection pool
(the server processes run with DATABASE_POOL=true) and quiet logs."""

from .test import *  # noqa: F403

LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# A benchmark signs up and sends from one address as fast as it can: the limits' values are
# lifted (the test settings' 100,000/min), the mechanism stays on the path, as in production.
