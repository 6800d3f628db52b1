"""The outbox of recalculations: asked for inside the transaction that needs
them, run by whichever comes first, the kick sent after commit or the worker's
minute tick.

Asking writes a `RecalculationRequest` row in the caller's transaction, so a
committed approval always leaves work waiting, whatever happens to Redis or the
worker afterwards; a rolled-back one leaves none. At most one request waits at
a time for everything, and one per return changed (partial unique indexes): a
run reads every change committed before it starts, so one waiting request
covers all of them. A run for changed returns only recalculates what depends
on them; one request for everything among those it takes up makes it a full run.
"""

import contextlib
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import engine, runs
from .models import CalculationRun, RecalculationRequest

logger = logging.getLogger(__name__)

# Errors a later attempt can get past (the database restarting, a lost connection);
# anything else fails the same way every time and is reported on the run instead.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def request(trigger: str, *, changed: tuple | None = None) -> None:
    """Ask for a recalculation as part of the current transaction: of everything,
    or, given `changed` (area id, month) of a return approved or reopened, of the
    results that depend on it (`engine.recalculate`)."""
    area_id, month = changed or (None, None)
    RecalculationRequest.objects.bulk_create(
        [RecalculationRequest(trigger=trigger, area_id=area_id, month=month)],
        ignore_conflicts=True,
    )
    transaction.on_commit(kick)


def kick() -> None:
    """Start the waiting work now if a worker can be reached (in-process when no
    broker is configured). Never fails: the request is already committed, and the
    worker's next tick runs it."""
    from .tasks import run_recalculations

    try:
        run_recalculations.delay()
    except Exception:  # noqa: BLE001 - the broker is down; the outbox keeps the work
        logger.warning(
            "Could not start the recalculation now; the worker's next tick will run it",
            exc_info=True,
        )


def open_requests():
    """Requests not done and not taken up by a run that is still going."""
    return RecalculationRequest.objects.filter(done_at__isnull=True).filter(
        Q(run__isnull=True) | ~Q(run__outcome=CalculationRun.Outcome.RUNNING)
    )


def run_waiting() -> CalculationRun | None:
    """Take up every open request and run one recalculation for them all; the run,
    or None when nothing was waiting. Transient database errors propagate (the
    task retries them) and leave the requests open; other failures are reported
    on the run and close the requests."""
    runs.mark_abandoned()
    with transaction.atomic():
        claimed = list(open_requests().select_for_update(skip_locked=True, of=("self",)))
        if not claimed:
            return None
        triggers = ", ".join(sorted({claim.trigger for claim in claimed}))
        run = CalculationRun.objects.create(trigger=triggers[:80], started_at=timezone.now())
        RecalculationRequest.objects.filter(pk__in=[claim.pk for claim in claimed]).update(
            run=run, waiting=None, attempts=F("attempts") + 1
        )
    ids = [claim.pk for claim in claimed]
    changed = None
    if all(claim.month is not None for claim in claimed):
        changed = {(claim.area_id, claim.month) for claim in claimed}
    try:
        engine.recalculate(run=run, changed=changed)
    except TRANSIENT_ERRORS:
        exhausted = RecalculationRequest.objects.filter(
            pk__in=ids, attempts__gte=settings.RECALCULATION_MAX_ATTEMPTS
        )
        with contextlib.suppress(*TRANSIENT_ERRORS):  # the database may still be away
            exhausted.update(done_at=timezone.now())
        raise
    except Exception:  # noqa: BLE001 - reported on the run and in the log by the engine
        RecalculationRequest.objects.filter(pk__in=ids).update(done_at=timezone.now())
        return run
    RecalculationRequest.objects.filter(pk__in=ids).update(done_at=timezone.now())
    return run


def held_by_running_run() -> bool:
    return RecalculationRequest.objects.filter(
        done_at__isnull=True, run__outcome=CalculationRun.Outcome.RUNNING
    ).exists()


def oldest_open_request() -> RecalculationRequest | None:
    return open_requests().order_by("requested_at").first()
