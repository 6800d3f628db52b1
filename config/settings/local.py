"""The demo and development mode: `make run`. A SQLite file unless DATABASE_URL
says otherwise, tasks in-process unless there is a broker."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: F405
