"""Is the service healthy? For the load balancer and monitoring: no data, only parts."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import engine

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2,
                         socket_connect_timeout=2).ping()
    return "ok"


def check_calculation() -> str:
    run = engine.latest_successful_run()
    if run is None:
        raise RuntimeError("no successful calculation run")
    age = timezone.now() - run.finished_at
    if age > timedelta(hours=settings.CALCULATION_MAX_AGE_HOURS):
        raise RuntimeError(f"last successful calculation run is {age} old")
    return "ok"


CHECKS = {"database": check_database, "broker": check_broker, "calculation": check_calculation}


def health() -> tuple[bool, dict[str, str]]:
    """Which parts answer. The reasons go to the log, not to the anonymous caller:
    they can name hosts and users."""
    report, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception:  # noqa: BLE001 - any failure is the answer
            healthy = False
            report[name] = "failing"
            logger.exception("Health check %s failing", name)
    return healthy, report
