"""Is the service healthy? For the load balancer and monitoring: no data, only parts."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import engine


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
    report, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure is the answer
            healthy = False
            report[name] = f"failing: {type(error).__name__}: {error}"
    return healthy, report
