"""A full run in parts, one financial year each, on any number of workers.

The worker that takes up a full run writes one `CalculationPart` per financial
year and sends a Celery group of `calculate_parts` tasks, one for each part
but its own; then it takes up parts itself, as any free worker does. A part is
claimed under a row lock (SKIP LOCKED) held by the transaction that works it
out and stages its results, so a part whose worker dies is simply claimed
again, and no part waits on the broker: with no other worker free (or Redis
down), the run's own worker does them all. The staged results are put in
place in one transaction, each part's as soon as it is done, committed once
every part is done (`Finishing`): directors see the previous results until
then, and all of the new ones after. Each part reads
one snapshot; a change committed while the parts run has its own request,
run next. A worker takes up the parts in the order of their months, each going
on from the end of the one before rather than reading every month held
(`Share`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Case, Q, When

from . import bulk, engine, publication
from .aggregation import add_months
from .models import CalculationPart, CalculationRun, ScorecardResult, StagedResult
from .months import months_between

logger = logging.getLogger(__name__)

WAIT_FOR_OTHERS_SECONDS = 0.2  # between looks at the parts other workers hold


def can_split() -> bool:
    """Parts need PostgreSQL and a transaction of their own each."""
    return (
        settings.RECALCULATION_IN_PARTS
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def run_in_parts(run: CalculationRun, months: list[date]) -> engine.Outcome:
    """Recalculate `months` as `run`, in parts (see the module); under the runs'
    lock, which the caller holds. Each part's results are put in place as soon
    as it is done (`Finishing`), in the one transaction that shows them all."""
    start(run, months)
    with Finishing(run, months) as finishing:
        work_until_done(run, finishing)
    return finishing.outcome


def work_until_done(run: CalculationRun, finishing: Finishing | None = None) -> None:
    """Take up the run's parts until every one is done, here or elsewhere;
    telling `finishing` of each done here."""
    share = Share(run)
    while CalculationPart.objects.filter(run=run, done=False).exists():
        if not share.take_up_a_part():
            time.sleep(WAIT_FOR_OTHERS_SECONDS)  # the rest are being worked out
        elif finishing is not None:
            finishing.part_done()


def start(run: CalculationRun, months: list[date]) -> None:
    """Write the run's parts and ask the other workers to help."""
    StagedResult.objects.filter(~Q(run__outcome=CalculationRun.Outcome.RUNNING)).delete()
    years = engine.financial_years(months)
    CalculationPart.objects.bulk_create(
        CalculationPart(run=run, first_month=year[0], last_month=year[-1]) for year in years
    )
    helpers = len(years) - 1
    if helpers < 1 or settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from celery import group

    from .tasks import calculate_parts

    try:
        group(calculate_parts.si(run.pk) for _ in range(helpers)).apply_async()
    except Exception:  # noqa: BLE001 - the broker is down: this worker does every part
        logger.warning("Could not ask other workers to help with run %s", run.pk, exc_info=True)


@dataclass
class Share:
    """One process's share of a run's parts, taken up in the order of their
    months: the part after the one it did last first, going on from that part's
    states at its end, kept in memory (`engine.compute`'s `carried`), so that it
    reads a year of returns before its months rather than every month held. A
    part after one done elsewhere goes on from that part's staged results; a
    part after one not yet done reads every month."""

    run: CalculationRun
    ended: engine.CarriedStates | None = None  # the states at the end of...
    ended_month: date | None = None  # ...the part this process did last: its last month

    def take_up_a_part(self) -> bool:
        """Claim a part of the run no one holds, work it out and stage its results;
        False when none is left to claim."""
        run = self.run
        following = None if self.ended_month is None else add_months(self.ended_month, 1)
        try:
            with transaction.atomic():
                engine.snapshot()
                part = (
                    CalculationPart.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(run=run, done=False, run__outcome=CalculationRun.Outcome.RUNNING)
                    .order_by(Case(When(first_month=following, then=0), default=1), "first_month")
                    .first()
                )
                if part is None:
                    return False
                computation = engine.calculate(
                    months_between(part.first_month, part.last_month),
                    run,
                    changed=None,
                    carried=self.carried_into(part),
                )
                bulk.insert(StagedResult, computation.rows)
                part.done = True
                part.done_by = f"{socket.gethostname()}:{os.getpid()}"
                part.rows_written = len(computation.rows)
                part.missing_populations = [
                    [area, year, sorted(titles)]
                    for (area, year), titles in computation.missing_populations.items()
                ]
                part.save()
                ended = computation.carried_on()
                del computation  # before the next part is worked out: memory stays flat
        except OperationalError as error:
            # another worker finished the part after this snapshot was taken
            if getattr(error.__cause__, "sqlstate", None) != "40001":
                raise
            return True
        self.ended, self.ended_month = ended, part.last_month
        return True

    def carried_into(self, part: CalculationPart) -> engine.CarriedStates | None:
        """What `part` goes on from: the states this process kept from the part
        before it, or that part's staged results where another process did it;
        None while it is not done (the part then reads every month)."""
        if self.ended_month is not None and add_months(self.ended_month, 1) == part.first_month:
            return self.ended
        before = CalculationPart.objects.filter(
            run=self.run, done=True, last_month=add_months(part.first_month, -1)
        )
        if not before.exists():
            return None
        return engine.CarriedStates.read(
            StagedResult.objects.filter(run=self.run), [part.first_month]
        )


def put_in_place(run: CalculationRun, part: CalculationPart | None = None) -> None:
    """Copy the run's staged results (of one `part`, or all) into the results."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in bulk.columns(ScorecardResult))
    which, params = "run_id = %s", [run.pk]
    if part is not None:
        which, params = (
            f"{which} AND month BETWEEN %s AND %s",
            [*params, part.first_month, part.last_month],
        )
    with connection.cursor() as cursor, bulk.foreign_keys_checked_at_once(cursor):
        cursor.execute(
            f"INSERT INTO {quote(ScorecardResult._meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {columns} FROM {quote(StagedResult._meta.db_table)} WHERE {which}",
            params,
        )


def publish(run: CalculationRun, months: list[date]) -> None:
    """Publish the months (their results in place) that are final: each month's
    results are in one part, so a part's months can be published on their own."""
    with connection.cursor() as cursor, bulk.foreign_keys_checked_at_once(cursor):
        publication.publish_final_months(months, run)


def finished(run: CalculationRun) -> engine.Outcome:
    """Once every part's results are in place: the staged ones gone, and what
    the parts came to."""
    StagedResult.objects.filter(run=run).delete()
    outcome = engine.Outcome()
    for part in CalculationPart.objects.filter(run=run):
        outcome.rows_written += part.rows_written
        for area, year, titles in part.missing_populations:
            outcome.missing_populations[(area, year)] |= set(titles)
    return outcome


class _Abandoned(Exception):
    """The run's own worker failed: the finishing transaction rolls back."""


class Finishing:
    """The parts' staged results put in place beside the parts rather than
    after them: on a thread and database connection of its own, one transaction
    takes the results the run replaces out, puts each part's staged results in
    as soon as the part is done (here or by another worker) and publishes its
    months, and commits once every part is done. Directors see the previous
    results until then, and all of the new ones after; meanwhile the database
    writes one part's results while this process works out the next (the two at
    once, on two cores). A failure on either side rolls it all back and fails
    the run."""

    def __init__(self, run: CalculationRun, months: list[date]):
        self.run, self.months = run, months
        self.outcome: engine.Outcome | None = None
        self.error: BaseException | None = None
        self._woken = threading.Event()  # a part is done here
        self._all_done = threading.Event()
        self._abandon = threading.Event()
        self._thread = threading.Thread(
            target=self._finish, daemon=True, name=f"finishing-run-{run.pk}"
        )

    def __enter__(self) -> Finishing:
        self._thread.start()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        (self._abandon if kind is not None else self._all_done).set()
        self._woken.set()
        self._thread.join()
        if kind is None and self.error is not None:
            raise self.error

    def part_done(self) -> None:
        """A part is done here: put it in place now. Raises what failed there."""
        if self.error is not None:
            raise self.error
        self._woken.set()

    def _finish(self) -> None:
        try:
            with transaction.atomic():
                engine.replaced_results(self.months).delete()
                moved = set()
                while True:
                    last_look = self._all_done.is_set()  # every part done before this
                    for part in CalculationPart.objects.filter(run=self.run, done=True).exclude(
                        pk__in=moved
                    ):
                        put_in_place(self.run, part)
                        publish(self.run, months_between(part.first_month, part.last_month))
                        moved.add(part.pk)
                    if self._abandon.is_set():
                        raise _Abandoned
                    if last_look:
                        break
                    self._woken.wait(WAIT_FOR_OTHERS_SECONDS)  # or look for others' parts
                    self._woken.clear()
                self.outcome = finished(self.run)
        except _Abandoned:
            pass
        except BaseException as error:  # noqa: BLE001 - raised again in the run's thread
            self.error = error
        finally:
            connections["default"].close()  # this thread's own connection
