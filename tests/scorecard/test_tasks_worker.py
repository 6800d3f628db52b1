"""The reminder task through a real Redis broker to a real Celery worker.

The worker runs in a thread of this process, so it shares the locmem email
outbox; it uses its own database connection, so the data is committed
(transaction=True) for it to see.
"""

import os
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.core import mail
from django.db import connections

from config import celery_app
from scorecard import roles, tasks
from scorecard.models import MonthlyReturn
from tests import factories

SITE = "https://performance.example.gov.uk"
JAN = date(2015, 1, 1)


@pytest.fixture
def worker(settings):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.fail("REDIS_URL is not set: run the tests with `make test`")
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping for the start check

    overrides = {
        "task_always_eager": False,
        "broker_url": redis_url,
        "result_backend": redis_url,
    }
    saved = {key: celery_app.conf[key] for key in overrides}
    celery_app.conf.update(overrides)
    # The app caches its result backend (per thread) when first used; an earlier
    # eager test leaves the "disabled" one behind. Forget it, before and after.
    forget_backend = lambda: vars(celery_app._local).pop("backend", None)  # noqa: E731
    forget_backend()
    # The worker thread opens its own database connection: have it closed after
    # each task rather than left open until the test database is dropped.
    db_settings = connections["default"].settings_dict
    saved_max_age = db_settings["CONN_MAX_AGE"]
    db_settings["CONN_MAX_AGE"] = 0
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=True) as running:
            yield running
    finally:
        db_settings["CONN_MAX_AGE"] = saved_max_age
        celery_app.conf.update(saved)
        forget_backend()


@pytest.fixture
def reminders_due(settings):
    settings.SITE_URL = SITE
    first = factories.area("First Response")
    second = factories.area("Children in Need South")
    factories.user("tm-a", roles.TEAM_MANAGERS, areas=[first])
    factories.user("tm-b", roles.TEAM_MANAGERS, areas=[second])
    factories.user("po-1", roles.PERFORMANCE_OFFICERS, areas=[first])
    return {
        "first": factories.monthly_return(first, month=JAN),  # due Friday 13 February 2015
        "second": factories.monthly_return(
            second, month=JAN, status=MonthlyReturn.Status.SUBMITTED
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_the_worker_emails_each_team_manager_their_returns_due(worker, reminders_due):
    assert mail.outbox == []
    result = tasks.send_reminders.delay("2015-02-11")  # Wednesday

    assert not isinstance(result, EagerResult)  # it went through the broker
    assert result.get(timeout=30) == 1  # the worker ran it (or this times out)
    assert result.successful()
    [message] = mail.outbox
    assert message.to == ["tm-a@example.org"]
    assert message.subject == "Return due: First Response, January 2015"
    assert f"{SITE}/returns/{reminders_due['first'].pk}/" in message.body
    assert "due Friday 13 February 2015" in message.body


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_nothing_on_a_bank_holiday_or_weekend(worker, reminders_due):
    for day in ("2015-02-14", "2015-04-06"):  # a Saturday; Easter Monday
        assert tasks.send_reminders.delay(day).get(timeout=30) == 0
    assert mail.outbox == []
    # The same overdue return on the next working day is chased.
    assert tasks.send_reminders.delay("2015-04-07").get(timeout=30) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_recalculates_the_scorecards_from_approved_returns(worker):
    from scorecard.models import ScorecardResult

    measure = factories.three_in_four_seen(JAN)

    result = tasks.recalculate_scorecards.delay(trigger="worker test")
    assert not isinstance(result, EagerResult)
    result.get(timeout=30)  # the nightly task asks through the outbox...
    run = wait_for_run("worker test")  # ...and the worker runs what it asked for
    stored = ScorecardResult.objects.get(measure=measure, area__parent__isnull=True, month=JAN)
    assert stored.value == 75 and stored.run_id == run.pk
    assert run.outcome == "succeeded"


def wait_for_run(trigger, *, timeout=60):
    import time

    from scorecard.models import CalculationRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = CalculationRun.objects.filter(trigger=trigger).exclude(outcome="running").first()
        if run is not None:
            return run
        time.sleep(0.2)
    pytest.fail(f"no finished {trigger!r} run within {timeout} s")
