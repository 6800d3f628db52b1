"""Celery tasks: thin wrappers, the work is in the modules they call.

Names match CELERY_BEAT_SCHEDULE in config/settings/base.py.
"""

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from . import months, notifications, opening, parts, recalculation, runs, warming, workdays
from .models import CalculationRun

logger = logging.getLogger(__name__)


@shared_task(name="scorecard.tasks.open_returns")
def open_returns() -> int:
    """Open the month just ended, judged by the London date when the task runs."""
    return opening.open_returns(months.month_just_ended(timezone.localdate()))


@shared_task(name="scorecard.tasks.send_reminders")
def send_reminders(today: str | None = None) -> int:
    """Remind team managers of returns due soon or overdue; nothing on a weekend or
    English bank holiday. `today` (ISO date, default the London date) re-sends a
    missed day's reminders."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    if not workdays.is_working_day(day):
        return 0
    return notifications.send_reminders(day)


# A run that takes longer than this is stopped; the broker redelivers a task
# whose worker died only after the visibility timeout, which is longer still.
RECALCULATION_SOFT_TIME_LIMIT = 8 * 60
RECALCULATION_TIME_LIMIT = 10 * 60


@shared_task(
    bind=True,
    name="scorecard.tasks.run_recalculations",
    acks_late=True,  # safe: a run is idempotent
    reject_on_worker_lost=True,  # a killed pool process gives the task back to the broker
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=RECALCULATION_SOFT_TIME_LIMIT,
    time_limit=RECALCULATION_TIME_LIMIT,
)
def run_recalculations(self) -> int | None:
    """Run the waiting recalculation requests; the run's id, or None if none waited."""
    run = recalculation.run_waiting()
    if run is not None:
        logger.info("Recalculated scorecards (%s): run %s %s", run.trigger, run.pk, run.outcome)
        if run.outcome == CalculationRun.Outcome.SUCCEEDED:
            warming.warm(run)  # never raises: a cold cache costs a slower first page
    elif recalculation.held_by_running_run() and not self.request.is_eager:
        # Redelivered after its worker died: the dead run still looks alive. Come
        # back once it can be marked abandoned, and take its requests up then.
        raise self.retry(countdown=settings.CALCULATION_ABANDONED_AFTER_SECONDS + 1)
    return run.pk if run else None


@shared_task(
    name="scorecard.tasks.calculate_parts",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RECALCULATION_SOFT_TIME_LIMIT,
    time_limit=RECALCULATION_TIME_LIMIT,
)
def calculate_parts(run_id: int) -> int:
    """Help with a run split into parts: take up its parts until none is left to
    claim; how many this task worked out. A failure is left to the run's own
    worker, which claims the part again and reports it."""
    run = CalculationRun.objects.filter(pk=run_id).first()
    done = 0
    try:
        share = parts.Share(run)
        while run is not None and share.take_up_a_part():
            done += 1
    except Exception:  # noqa: BLE001 - the run's own worker meets it again and reports it
        logger.warning("A part of run %s failed here", run_id, exc_info=True)
    return done


@shared_task(name="scorecard.tasks.recalculate_scorecards")
def recalculate_scorecards(trigger: str = "nightly") -> int | None:
    """The nightly recalculation: asked for through the outbox like any other."""
    with transaction.atomic():
        recalculation.request(trigger)
    return None


@shared_task(name="scorecard.tasks.tick", ignore_result=True)
def tick() -> None:
    """Every minute: show the worker is alive, and start any work still waiting
    (asked for while the broker was down, or left by an abandoned run)."""
    runs.beat()
    runs.mark_abandoned()
    if recalculation.open_requests().exists():
        run_recalculations.delay()
