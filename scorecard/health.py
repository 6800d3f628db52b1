"""Is the service healthy? For the load balancer and monitoring: no data, only parts.

It answers within HEALTH_DEADLINE_SECONDS whatever hangs: the database checks
run with a short statement timeout each, and the broker is asked in a thread of
its own that the probe stops waiting for.
"""

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import engine, recalculation, runs
from .models import CalculationRun

logger = logging.getLogger(__name__)

HEALTH_DEADLINE_SECONDS = 2.0
# Five statements at most (the database, worker, calculation and outbox checks)
# stay inside the deadline even if every one of them waits on a lock.
STATEMENT_TIMEOUT_MS = 300


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    import redis

    redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1
    ).ping()
    return "ok"


def check_worker() -> str:
    """The worker's minute tick (sent by beat, run by a worker) is recent."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    beat_at = runs.last_beat()
    if beat_at is None:
        raise RuntimeError("the worker has never ticked")
    age = timezone.now() - beat_at
    if age > timedelta(seconds=settings.WORKER_SILENT_LIMIT_SECONDS):
        raise RuntimeError(f"the worker last ticked {age} ago")
    return "ok"


def check_calculation() -> str:
    latest = CalculationRun.objects.exclude(outcome=CalculationRun.Outcome.RUNNING).first()
    if latest is not None and latest.outcome != CalculationRun.Outcome.SUCCEEDED:
        raise RuntimeError(f"the last calculation run {latest.pk} {latest.outcome}")
    run = engine.latest_successful_run()
    if run is None:
        raise RuntimeError("no successful calculation run")
    age = timezone.now() - run.finished_at
    if age > timedelta(hours=settings.CALCULATION_MAX_AGE_HOURS):
        raise RuntimeError(f"last successful calculation run is {age} old")
    return "ok"


def check_outbox() -> str:
    waiting = recalculation.oldest_open_request()
    if waiting is None:
        return "ok"
    age = timezone.now() - waiting.requested_at
    if age > timedelta(minutes=settings.RECALCULATION_WAITING_LIMIT_MINUTES):
        raise RuntimeError(f"a recalculation has waited {age}")
    return "ok"


DATABASE_CHECKS = {
    "database": check_database,
    "worker": check_worker,
    "calculation": check_calculation,
    "outbox": check_outbox,
}
ORDER = ("database", "broker", "worker", "calculation", "outbox")


def _answer(name, check, report) -> None:
    try:
        report[name] = check()
    except Exception:  # noqa: BLE001 - any failure is the answer
        report[name] = "failing"
        logger.exception("Health check %s failing", name)


@contextlib.contextmanager
def _short_statements():
    if connection.vendor != "postgresql":
        yield
        return
    with contextlib.suppress(Exception), connection.cursor() as cursor:  # reported below
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    try:
        yield
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def health() -> tuple[bool, dict[str, str]]:
    """Which parts answer. The reasons go to the log, not to the anonymous caller:
    they can name hosts and users."""
    report: dict[str, str] = {}
    broker = threading.Thread(
        target=_answer, args=("broker", check_broker, report), daemon=True, name="health-broker"
    )
    broker.start()
    started = timezone.now()
    with _short_statements():
        for name, check in DATABASE_CHECKS.items():
            _answer(name, check, report)
    left = HEALTH_DEADLINE_SECONDS - (timezone.now() - started).total_seconds()
    broker.join(max(0.0, left))
    if "broker" not in report:
        report["broker"] = "failing"
        logger.error("Health check broker did not answer within %s s", HEALTH_DEADLINE_SECONDS)
    result = {name: report[name] for name in ORDER}
    return all(value != "failing" for value in result.values()), result
