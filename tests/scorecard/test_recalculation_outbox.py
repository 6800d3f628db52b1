"""The outbox of recalculations on real PostgreSQL: asked for with the change
that needs it, retried where a retry can succeed, reported where it cannot."""

import threading
import time
from datetime import date

import pytest
from django.db import OperationalError, connections, transaction

from scorecard import engine, recalculation
from scorecard.models import CalculationRun, RecalculationRequest
from tests import database, factories, faults

JAN = date(2015, 1, 1)


@pytest.fixture
def approved_figures():
    return factories.three_in_four_seen(JAN)


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_nothing_waiting():
    with pytest.raises(RuntimeError), transaction.atomic():
        recalculation.request("approval")
        raise RuntimeError("the approval failed")
    assert not RecalculationRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_cut_off_by_the_database_is_retried_and_then_succeeds(approved_figures):
    waiting = RecalculationRequest.objects.create(trigger="approval")
    blocker = database.connect(autocommit=True)
    blocker.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])

    def cut_off_the_waiting_run():
        # The run waits for the lock; end its session as a database restart would.
        for _ in range(100):
            killed = blocker.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            if killed:
                return
            time.sleep(0.1)

    cutter = threading.Thread(target=cut_off_the_waiting_run)
    cutter.start()
    try:
        with pytest.raises(OperationalError):  # the task's autoretry takes this
            recalculation.run_waiting()
    finally:
        cutter.join()
        blocker.close()
        connections.close_all()

    waiting.refresh_from_db()
    assert waiting.done_at is None and waiting.attempts == 1  # still to do
    [cut_off] = CalculationRun.objects.all()
    assert cut_off.outcome == "failed" and "terminating connection" in cut_off.error

    run = recalculation.run_waiting()
    assert run.outcome == "succeeded"
    waiting.refresh_from_db()
    assert waiting.done_at is not None and waiting.run_id == run.pk and waiting.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_the_same_way_every_time_is_reported_not_retried(approved_figures):
    waiting = RecalculationRequest.objects.create(trigger="approval")
    with faults.inserts_refused(
        "scorecard_scorecardresult", message="results refused for this test"
    ):  # the database itself refuses the results
        run = recalculation.run_waiting()
    assert run.outcome == "failed" and "results refused for this test" in run.error
    waiting.refresh_from_db()
    assert waiting.done_at is not None  # reported on the run, not retried for ever
    assert recalculation.run_waiting() is None
