"""A developer's machine: `make run`. Keys come from `.env`, which `make run` creates once."""

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
