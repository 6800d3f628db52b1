"""A full run in parts, one financial year each, on any number of workers.

The worker that takes up a full run writes one `CalculationPart` per financial
year and sends a Celery group of `calculate_parts` tasks, one for each part
but its own; then it takes up parts itself, as any free worker does. A part is
claimed under a row lock (SKIP LOCKED) held by the transaction that works it
out and stages its results, so a part whose worker dies is simply claimed
again, and no part waits on the broker: with no other worker free (or Redis
down), the run's own worker does them all. When every part is done, the
staged results are put in place in one transaction: directors see the
previous results until then, and all of the new ones after. Each part reads
one snapshot; a change committed while the parts run has its own request,
run next. A worker takes up the parts in the order of their months, each going
on from the end of the one before rather than reading every month held
(`Share`).
"""

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import OperationalError, connection, transaction
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
    lock, which the caller holds."""
    start(run, months)
    work_until_done(run)
    return finish(run, months)


def work_until_done(run: CalculationRun) -> None:
    """Take up the run's parts until every one is done, here or elsewhere."""
    share = Share(run)
    while CalculationPart.objects.filter(run=run, done=False).exists():
        if not share.take_up_a_part():
            time.sleep(WAIT_FOR_OTHERS_SECONDS)  # the rest are being worked out


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


def finish(run: CalculationRun, months: list[date]) -> engine.Outcome:
    """Put every part's staged results in place at once, and publish."""
    outcome = engine.Outcome()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in bulk.columns(ScorecardResult))
    with transaction.atomic():
        engine.replaced_results(months).delete()
        with connection.cursor() as cursor, bulk.foreign_keys_checked_at_once(cursor):
            cursor.execute(
                f"INSERT INTO {quote(ScorecardResult._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT {columns} FROM {quote(StagedResult._meta.db_table)} WHERE run_id = %s",
                [run.pk],
            )
        StagedResult.objects.filter(run=run).delete()
        publication.publish_final_months(months, run)
        for part in CalculationPart.objects.filter(run=run):
            outcome.rows_written += part.rows_written
            for area, year, titles in part.missing_populations:
                outcome.missing_populations[(area, year)] |= set(titles)
    return outcome
