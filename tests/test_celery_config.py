"""Celery settings that a typo would silently break."""

from django.conf import settings


def test_the_beat_schedule_avoids_the_hours_the_clocks_change():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert set(schedule) == {
        "tick",
        "board-packs",
        "recalculate-scorecards-nightly",
        "open-monthly-returns",
        "remind-team-managers",
    }
    every_minute = {"tick", "board-packs"}  # the outboxes' sweeps, at any hour
    for entry in (value for key, value in schedule.items() if key not in every_minute):
        assert not ({1, 2} & entry["schedule"].hour), entry  # UK clocks change 01:00-02:00
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert schedule["remind-team-managers"]["schedule"].hour == {8}
    assert schedule["open-monthly-returns"]["schedule"].day_of_month == {1}


def test_the_recalculation_task_is_robust():
    from scorecard.tasks import run_recalculations

    assert run_recalculations.acks_late is True
    assert run_recalculations.reject_on_worker_lost is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert run_recalculations.max_retries == 5
    assert run_recalculations.soft_time_limit < run_recalculations.time_limit
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    # Redelivered only once it cannot still be running, and well within the hour.
    assert run_recalculations.time_limit < visibility <= 30 * 60


def test_the_worker_ticks_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["tick"] == {
        "task": "scorecard.tasks.tick",
        "schedule": 60.0,
    }
