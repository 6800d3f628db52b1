"""Settings shared by every mode. Everything that differs between machines comes
from the environment; the modules beside this one only set the mode."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def require_env(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "axes",
    "csp",
    "scorecard",
    "workforce",
    "annexa",
    "boardpack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scorecard.security.ResponseHeadersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "scorecard.security.RefusedAccessLogMiddleware",
    "scorecard.security.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # it chooses the database for the view alone, after sign-in is settled
    "scorecard.replica.ReplicaMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scorecard.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        # A connection broken by a database restart is noticed and replaced at
        # the start of the next request, not reported as an error.
        conn_health_checks=True,
    )
}
# Optional: a PostgreSQL streaming replica that the directors' pages read from;
# writes, transactions, migrations and the engine stay on the primary, and a
# browser that wrote reads from the primary until the replica has replayed its
# write (scorecard/replica.py, README "Adding workers and a replica").
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    # A replica host that is down is given up on quickly, and the page read
    # from the primary (libpq waits for ever by default).
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # The tests never make a database on the replica: it copies the primary's.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["scorecard.replica.ReplicaRouter"]
# A replica that failed to answer is tried again after this many seconds.
DATABASE_REPLICA_RETRY_SECONDS = float(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", 10))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The role the web and the worker connect as, given its rights after every
# migrate (scorecard/database_roles.py); migrations run as the owner role.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
# The audit trail is written by PostgreSQL triggers (django-pghistory); the
# SQLite demo database has no triggers, so it records no audit trail.
AUDIT_TRAIL_ENABLED = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Audit events can be written, never changed or deleted (database triggers).
PGHISTORY_APPEND_ONLY = True
if AUDIT_TRAIL_ENABLED:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1,
        "pghistory.middleware.HistoryMiddleware",
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out usernames
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic writes here and WhiteNoise serves from here.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")

# Redis is optional: without it tasks run in-process and the cache is local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose pool process is killed goes back to the broker (acks_late alone
# would acknowledge it as failed), to be redelivered after the visibility
# timeout: longer than the recalculation's hard time limit (10 minutes), so a
# task still running is never handed out twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis looks for such tasks every 10 s (by default only every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 15 * 60)),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
# Publishing while Redis is down fails within a second instead of hanging the
# request; the outbox row is already committed and the next tick sends it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A run writes a heartbeat this often; a "Running" run silent for longer than
# the second setting was lost with its process and is marked abandoned.
CALCULATION_HEARTBEAT_SECONDS = float(os.environ.get("CALCULATION_HEARTBEAT_SECONDS", 10))
CALCULATION_ABANDONED_AFTER_SECONDS = int(os.environ.get("CALCULATION_ABANDONED_AFTER_SECONDS", 60))
RECALCULATION_MAX_ATTEMPTS = 5
# A full run split into one part per financial year, which any worker can take
# up (scorecard/parts.py); off, one worker does it in one transaction.
RECALCULATION_IN_PARTS = env_bool("RECALCULATION_IN_PARTS", True)
# Beat fires by the local clock; nothing is scheduled between 01:00 and 03:00,
# the hours the UK clocks change in (celery/celery#6438).
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "scorecard.tasks.tick", "schedule": 60.0},
    "board-packs": {"task": "boardpack.tasks.build_waiting", "schedule": 60.0},
    "recalculate-scorecards-nightly": {
        "task": "scorecard.tasks.recalculate_scorecards",
        "schedule": crontab(hour=4, minute=15),
        "kwargs": {"trigger": "nightly"},
    },
    "open-monthly-returns": {
        "task": "scorecard.tasks.open_returns",
        "schedule": crontab(day_of_month=1, hour=5, minute=0),
    },
    "remind-team-managers": {
        "task": "scorecard.tasks.send_reminders",
        "schedule": crontab(day_of_week="mon-fri", hour=8, minute=0),
    },
}

if REDIS_URL:
    # A Redis that does not answer is a cache miss, never an error page.
    CACHES = {
        "default": {
            "BACKEND": "scorecard.caching.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "performance@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Sessions: an idle timeout and an absolute lifetime (Django's defaults have neither).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * 60))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", 10 * 60 * 60))
SESSION_SAVE_EVERY_REQUEST = False

# Security: see README "Security".
# Proxies of ours in front of the app (0: none, X-Forwarded-For is ignored).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
# Login throttling (django-axes) by username, never by address: a council
# office reaches the service from one address.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "scorecard.security.lockout_response"
# Wrong current passwords on the change page count as failed sign-ins, and
# requests for a reset link count against the address (scorecard.accounts).
# None of what was typed is kept with the attempt.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "email",
    "old_password",
    "new_password1",
    "new_password2",
]
# A password reset link works for this long, and once.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", 30 * 60))
AXES_CLIENT_IP_CALLABLE = "scorecard.security.client_ip"
# axes.W006 asks for the address among the lockout parameters; locking by
# address would lock a whole office out, so it is left out on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# No inline scripts or styles anywhere (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Browser features no page uses (scorecard.security.ResponseHeadersMiddleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "serial=(), bluetooth=(), display-capture=()"
)

# The product's own settings.
SERVICE_NAME = "Children's social care performance"
RETURN_DUE_WORKING_DAYS = int(os.environ.get("RETURN_DUE_WORKING_DAYS", 10))
SMALL_NUMBER_THRESHOLD = int(os.environ.get("SMALL_NUMBER_THRESHOLD", 5))
CALCULATION_MAX_AGE_HOURS = 26
# /healthz: the worker's minute tick older than this means no worker (or no beat)
# is running; a recalculation waiting longer than this means it is not being run.
WORKER_SILENT_LIMIT_SECONDS = int(os.environ.get("WORKER_SILENT_LIMIT_SECONDS", 5 * 60))
RECALCULATION_WAITING_LIMIT_MINUTES = int(os.environ.get("RECALCULATION_WAITING_LIMIT_MINUTES", 10))
# Scorecard spreadsheet imports: a file over either limit is refused before it is read.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 2 * 1024 * 1024))
# Maker-checker: an import of monthly figures waits for a second performance
# officer. Set to 1 to let an import into months with no return yet be one step.
IMPORT_ONE_STEP_INTO_NEW_MONTHS = os.environ.get("IMPORT_ONE_STEP_INTO_NEW_MONTHS", "") == "1"
# Annex A workbooks (annexa): read in memory, never stored; a year of lists is large.
ANNEXA_MAX_BYTES = int(os.environ.get("ANNEXA_MAX_BYTES", 40 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 5000))
# Printed in the header and footer of every page of a board pack (boardpack).
PROTECTIVE_MARKING = os.environ.get("PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # a refused request is one line, never a traceback
    "filters": {"one_line_refusals": {"()": "scorecard.log_filters.RefusalWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # sign-ins, sign-outs, lockouts, refused access: who, when, from where
        "security": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # a line per page laid out at INFO
    },  # the security log says who signed in
}

# Statistical process control: the special-cause run and trend lengths
# (Making Data Count's 7; see scorecard/spc.py for where authorities differ).
SPC_RUN_LENGTH = int(os.environ.get("SPC_RUN_LENGTH", 7))
SPC_TREND_LENGTH = int(os.environ.get("SPC_TREND_LENGTH", 7))
