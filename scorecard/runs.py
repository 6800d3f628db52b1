"""Calculation runs that are alive, and runs whose process died.

A run writes a heartbeat every few seconds on its own database connection. A
run left "Running" whose heartbeat has stopped for longer than
CALCULATION_ABANDONED_AFTER_SECONDS was killed (a worker lost, a deploy, the
machine restarted): it is marked abandoned, and the requests it had taken up
become waiting work again.
"""

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import CalculationRun, Heartbeat

logger = logging.getLogger(__name__)

ABANDONED_ERROR = (
    "The process running this calculation stopped before it finished "
    "(no heartbeat for {seconds} s). Its results were not written; "
    "the work it had taken up runs again."
)


@contextlib.contextmanager
def heartbeat(run: CalculationRun):
    """Keep `run.heartbeat_at` fresh while the block runs."""
    if connection.vendor != "postgresql":  # SQLite demo: one process, nothing to lose
        yield
        return
    stop = threading.Event()
    beater = threading.Thread(
        target=_beat, args=(run.pk, stop), daemon=True, name=f"heartbeat-run-{run.pk}"
    )
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join(timeout=5)


def _beat(run_id: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.CALCULATION_HEARTBEAT_SECONDS):
            try:
                CalculationRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
            except Exception:  # noqa: BLE001 - a missed beat is not the run's failure
                logger.warning("Could not write the heartbeat of run %s", run_id, exc_info=True)
                connections["default"].close()
    finally:
        connections["default"].close()  # this thread's own connection


def mark_abandoned() -> int:
    """Mark runs left "Running" by a dead process as abandoned; how many."""
    seconds = settings.CALCULATION_ABANDONED_AFTER_SECONDS
    cutoff = timezone.now() - timedelta(seconds=seconds)
    stale = CalculationRun.objects.alias(last_sign=Coalesce("heartbeat_at", "started_at")).filter(
        Q(outcome=CalculationRun.Outcome.RUNNING), last_sign__lt=cutoff
    )
    count = stale.update(
        outcome=CalculationRun.Outcome.ABANDONED,
        finished_at=timezone.now(),
        error=ABANDONED_ERROR.format(seconds=seconds),
    )
    if count:
        logger.error(
            "Marked %s calculation run(s) abandoned: no heartbeat for %s s", count, seconds
        )
    return count


WORKER = "worker"


def beat(name: str = WORKER) -> None:
    """Record that a background part is alive now."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def last_beat(name: str = WORKER):
    return Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
