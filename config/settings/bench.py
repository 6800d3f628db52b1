"""`make bench`: as production serves pages (DEBUG off, the Redis cache, tasks
sent to a broker rather than run in the request), on the bench's own throwaway
PostgreSQL database and Redis (tests/services.py starts them)."""

import warnings

from .base import *  # noqa: F403
from .base import require_env

SECRET_KEY = "django-insecure-bench-only"
DEBUG = False
require_env("DATABASE_URL")
require_env("REDIS_URL")  # the cache and the broker, as in production
# django.test.Client's host
ALLOWED_HOSTS = ["testserver"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
# the engine's and the requests' log lines would drown the bench's own output
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# WhiteNoise looks for collected static files; the bench asks for none
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
