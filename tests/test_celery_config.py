"""Celery settings that a typo would silently break."""

from django.conf import settings


def test_the_beat_schedule_avoids_the_hours_the_clocks_change():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert set(schedule) == {"recalculate-scorecards-nightly", "open-monthly-returns",
                             "remind-team-managers"}
    for entry in schedule.values():
        assert not ({1, 2} & entry["schedule"].hour), entry  # UK clocks change 01:00-02:00
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert schedule["remind-team-managers"]["schedule"].hour == {8}
    assert schedule["open-monthly-returns"]["schedule"].day_of_month == {1}


def test_the_recalculation_task_is_robust():
    from scorecard.tasks import recalculate_scorecards

    assert recalculate_scorecards.acks_late is True
    assert recalculate_scorecards.max_retries == 5
    assert recalculate_scorecards.soft_time_limit < recalculate_scorecards.time_limit
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > recalculate_scorecards.time_limit
