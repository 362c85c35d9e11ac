"""A developer's machine: `make run`. Keys come from `.env`, which `make run` creates once."""

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True

# Log lines for a person at the terminal (LOG_FORMAT=json for the production shape). Celery
# runs its tasks inline here, so its one line a task and kombu's note about the broker are noise.
LOG_FORMAT = env("LOG_FORMAT", default="text")  # noqa: F405 (base checked a value that was set)
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405
LOGGING["loggers"]["kombu"] = {"level": "ERROR"}  # noqa: F405
