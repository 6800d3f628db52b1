"""Celery tasks: thin wrappers, the work is in the modules they call.

Names match CELERY_BEAT_SCHEDULE in config/settings/base.py.
"""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import notifications, opening, workdays


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
