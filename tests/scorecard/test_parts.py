"""A full run in parts, on two real Celery workers (their own processes, through
the real Redis broker): the same results as one worker's run, cell by cell."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from config import celery_app
from scorecard import engine, parts
from scorecard.models import (
    CalculationPart,
    CalculationRun,
    Publication,
    PublishedFigure,
    ReturnValue,
    ScorecardResult,
    StagedResult,
)
from tests import database, factories, faults
from tests.scorecard.test_incremental import COMPARED

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stored() -> dict:
    return {
        (row["measure_id"], row["area_id"], row["month"]): row
        for row in ScorecardResult.objects.values(*COMPARED)
    }


@pytest.fixture
def two_workers(settings):
    """Two Celery workers in processes of their own, on the test database."""
    redis_url = os.environ["REDIS_URL"]
    url = database.url()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        DJANGO_DEBUG="false",
    )
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    workers = [
        subprocess.Popen(
            [
                celery,
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--hostname=part-worker-{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for n in (1, 2)
    ]
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        deadline = time.monotonic() + 60
        while len(celery_app.control.ping(timeout=0.5)) < 2:
            assert time.monotonic() < deadline, "the two workers did not start"
        yield workers
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        celery_app.conf.update(saved)


@pytest.fixture
def four_financial_years(transactional_db):
    factories.approved_returns(measures=8, area_count=10, months=36, name="Team")


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_a_run_s_parts_and_give_the_single_run_s_results(
    four_financial_years, two_workers, settings
):
    settings.RECALCULATION_IN_PARTS = False
    engine.recalculate(trigger="one worker")
    single = stored()

    run = CalculationRun.objects.create(trigger="in parts", started_at=run_started())
    months = engine.months_to_cover()
    with engine.one_run_at_a_time():
        parts.start(run, months)  # the workers are asked to help...
        with parts.Finishing(run, months) as finishing:
            deadline = time.monotonic() + 60
            while CalculationPart.objects.filter(run=run, done=False).exists():
                assert time.monotonic() < deadline, "the workers did not finish the parts"
                time.sleep(0.1)  # ...and this process, the run's own, takes up none
        outcome = finishing.outcome

    done_by = set(CalculationPart.objects.filter(run=run).values_list("done_by", flat=True))
    assert len(done_by) == 2 and all(str(os.getpid()) not in who for who in done_by)
    assert CalculationPart.objects.filter(run=run).count() == 4
    assert outcome.rows_written == ScorecardResult.objects.filter(run=run).count() == len(single)
    assert not StagedResult.objects.exists()
    assert stored() == single


@pytest.mark.django_db(transaction=True)
def test_with_no_worker_free_the_run_s_own_worker_does_every_part(four_financial_years, settings):
    settings.RECALCULATION_IN_PARTS = False
    engine.recalculate(trigger="one worker")
    single = stored()

    settings.RECALCULATION_IN_PARTS = True
    run = engine.recalculate(trigger="in parts")  # tests run tasks in-process: none helps
    done_by = set(CalculationPart.objects.filter(run=run).values_list("done_by", flat=True))
    assert len(done_by) == 1 and str(os.getpid()) in done_by.pop()
    assert run.outcome == "succeeded" and stored() == single


def published() -> set:
    return set(
        PublishedFigure.objects.values_list(
            "publication__month", "measure_id", "area_id", "value", "rating", "not_applicable"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_run_in_parts_publishes_what_a_single_run_publishes(four_financial_years, settings):
    """Each part's months are published as the part is put in place."""
    run = engine.recalculate(trigger="in parts")
    in_parts = published()
    assert set(Publication.objects.values_list("run", flat=True)) == {run.pk}
    assert len({month for month, *_ in in_parts}) == len(engine.months_to_cover())

    Publication.objects.all().delete()
    settings.RECALCULATION_IN_PARTS = False
    engine.recalculate(trigger="one worker")
    assert published() == in_parts


def run_started():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_part_held_by_a_worker_that_dies_is_taken_up_again(four_financial_years, settings):
    """The second part held: the third, after a part not done, reads every month;
    the fourth goes on from the third, as this process kept it; the second, once
    taken up again, from the first's staged results."""
    settings.RECALCULATION_IN_PARTS = False
    engine.recalculate(trigger="one worker")
    single = stored()

    run = CalculationRun.objects.create(trigger="in parts", started_at=run_started())
    months = engine.months_to_cover()
    parts.start(run, months)  # tests run tasks in-process: nobody else is asked
    held = CalculationPart.objects.filter(run=run).order_by("first_month")[1]
    worker = database.connect()  # a worker that has claimed the second part...
    worker.execute("SELECT id FROM scorecard_calculationpart WHERE id = %s FOR UPDATE", [held.pk])

    def die_once_the_rest_are_done():
        while CalculationPart.objects.filter(run=run, done=True).count() < 3:
            time.sleep(0.05)
        worker.close()  # ...and dies: PostgreSQL ends its transaction and its lock

    dying = threading.Thread(target=die_once_the_rest_are_done)
    dying.start()
    with engine.one_run_at_a_time():
        with (
            CaptureQueriesContext(connection) as queries,
            parts.Finishing(run, months) as finishing,
        ):
            parts.work_until_done(run, finishing)
        outcome = finishing.outcome
    dying.join()
    connections.close_all()
    assert CalculationPart.objects.get(pk=held.pk).done_by.endswith(f":{os.getpid()}")
    assert outcome.rows_written == len(single) and stored() == single
    staged_read = [q for q in queries if q["sql"].startswith('SELECT "scorecard_stagedresult"')]
    assert len(staged_read) == 1  # the second part's, of the first's results


@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_in_its_last_part_leaves_the_previous_results_untouched(
    four_financial_years,
):
    """The parts before it are put in place as each is done, in the transaction
    that would show them: the failure rolls them back with it."""
    engine.recalculate(trigger="before")
    before = stored()
    ReturnValue.objects.update(numerator=F("denominator"))  # every figure changes
    last_year = engine.financial_years(engine.months_to_cover())[-1][0]
    with (
        faults.inserts_refused(
            "scorecard_stagedresult",
            when=f"NEW.month >= '{last_year}'",
            message="failure injected in the last part",
        ),
        pytest.raises(DatabaseError),
    ):
        engine.recalculate(trigger="doomed")
    doomed = CalculationRun.objects.get(trigger="doomed")
    assert doomed.outcome == "failed" and "failure injected" in doomed.error
    assert CalculationPart.objects.filter(run=doomed, done=True).count() == 3
    assert stored() == before
