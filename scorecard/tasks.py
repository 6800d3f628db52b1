"""Celery tasks: thin wrappers, the work is in the modules they call.

Names match CELERY_BEAT_SCHEDULE in config/settings/base.py.
"""

import logging
from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import engine, notifications, opening, workdays

logger = logging.getLogger(__name__)


@shared_task(name="scorecard.tasks.open_returns")
def open_returns() -> int:
    """Open the month just ended, judged by the London date when the task runs."""
    return opening.open_returns(opening.month_just_ended(timezone.localdate()))


@shared_task(name="scorecard.tasks.send_reminders")
def send_reminders(today: str | None = None) -> int:
    """Remind team managers of returns due soon or overdue; nothing on a weekend or
    English bank holiday. `today` (ISO date, default the London date) re-sends a
    missed day's reminders."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    if not workdays.is_working_day(day):
        return 0
    return notifications.send_reminders(day)


@shared_task(
    name="scorecard.tasks.recalculate_scorecards",
    acks_late=True,  # safe: a run is idempotent
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=30 * 60,
    time_limit=35 * 60,
)
def recalculate_scorecards(trigger: str = "nightly", month: str | None = None) -> int:
    """Recalculate the stored scorecards (all months, or one YYYY-MM); returns the run's id."""
    queued = cache.get(QUEUED_KEY)
    cache.delete(QUEUED_KEY)
    months = [opening.parse_month(month)] if month else None
    try:
        run = engine.recalculate(months=months, trigger=trigger)
    except SoftTimeLimitExceeded:
        logger.error("Scorecard recalculation (%s) hit its soft time limit", trigger)
        raise
    logger.info("Recalculated scorecards (%s, queued %s): run %s", trigger, queued, run.pk)
    return run.pk


QUEUED_KEY = "scorecard:recalculation-queued"


def queue_recalculation(*, trigger: str) -> None:
    """Queue a recalculation after an approval, unless one is already waiting:
    at most one waits at a time, and it will read every approval made before it starts."""
    if cache.add(QUEUED_KEY, trigger, timeout=60 * 60):
        recalculate_scorecards.delay(trigger=trigger)
