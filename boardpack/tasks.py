"""Celery tasks: thin wrappers around `services`. Names match
CELERY_BEAT_SCHEDULE in config/settings/base.py."""

from celery import shared_task

from . import services

# A pack of 120 measures over an authority and six teams (350 exceptions, a page
# each: 400 pages) takes about a minute and a half of one core; one still going
# after this is stopped and said to have failed (SoftTimeLimitExceeded is caught
# by `make`).
BUILD_SOFT_TIME_LIMIT = 8 * 60
BUILD_TIME_LIMIT = 10 * 60


@shared_task(
    name="boardpack.tasks.build_board_pack",
    soft_time_limit=BUILD_SOFT_TIME_LIMIT,
    time_limit=BUILD_TIME_LIMIT,
)
def build_board_pack(pack_id: int) -> int | None:
    """Make the pack asked for, if it still waits (the minute task may have made
    it first); its id, or None."""
    pack = services.build_waiting(pack_id=pack_id)
    return pack.pk if pack else None


@shared_task(
    name="boardpack.tasks.build_waiting",
    ignore_result=True,
    soft_time_limit=BUILD_SOFT_TIME_LIMIT,
    time_limit=BUILD_TIME_LIMIT,
)
def build_waiting() -> None:
    """Every minute: make the packs still waiting (asked for while the broker was
    down, or left by a worker that died)."""
    services.requeue_lost()
    while services.build_waiting() is not None:
        pass
