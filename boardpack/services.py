"""Asking for a board pack and making it.

The pack's row is its own outbox: asking writes a "waiting" row in the caller's
transaction, and after commit a worker is asked to make it. If the broker cannot
be reached then, nothing is lost: the worker's minute task (`tasks.build_waiting`)
makes every pack still waiting, and one whose worker died while making it.
"""

import hashlib
import logging
import math
import threading
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.utils import timezone

from scorecard.models import ServiceArea

from . import content, rendering
from .models import BoardPack

logger = logging.getLogger(__name__)

QUEUED = (
    "Queued: the background worker could not be reached just now. The pack is kept "
    "and is made when the worker next checks, within a few minutes of it running again."
)
# A pack "Being made" whose progress has been silent this long lost its worker
# (longer than the task's time limit, tasks.BUILD_TIME_LIMIT).
LOST_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3
LOST = "The worker making this pack stopped before it finished, {attempts} times."


def pack_filename(area: ServiceArea, month: date, version: int) -> str:
    return f"board-pack-{area.slug}-{month:%Y-%m}-v{version}.pdf"


def request_pack(*, user, area: ServiceArea, month: date) -> BoardPack:
    """A new version of `area`'s pack for `month`, waiting to be made; a worker is
    asked for it once the transaction commits."""
    with transaction.atomic():
        # one new version number at a time for the area
        ServiceArea.objects.select_for_update().filter(pk=area.pk).first()
        last = BoardPack.objects.filter(area=area, month=month).aggregate(Max("version"))
        version = (last["version__max"] or 0) + 1
        pack = BoardPack.objects.create(
            area=area,
            month=month,
            version=version,
            filename=pack_filename(area, month, version),
            requested_by=user,
            marking=settings.PROTECTIVE_MARKING,
        )
        transaction.on_commit(partial(kick, pack.pk))
    return pack


def kick(pack_id: int) -> None:
    """Have a worker make the pack now. Never fails: where the broker is down the
    pack says it is queued, and the minute task makes it. Without a broker (the
    demo's in-process mode) it is made in a thread of this process, never in the
    request that asked for it."""
    from .tasks import build_board_pack

    if build_board_pack.app.conf.task_always_eager:
        threading.Thread(
            target=_build_in_thread, args=(pack_id,), daemon=True, name=f"board-pack-{pack_id}"
        ).start()
        return
    try:
        build_board_pack.delay(pack_id)
    except Exception:  # noqa: BLE001 - the broker is down; the row keeps the request
        logger.warning("Could not ask a worker for board pack %s now", pack_id, exc_info=True)
        BoardPack.objects.filter(pk=pack_id, status=BoardPack.Status.WAITING).update(step=QUEUED)


def _build_in_thread(pack_id: int) -> None:
    try:
        build_waiting(pack_id=pack_id)
    finally:
        connections.close_all()  # this thread's own connection


def requeue_lost() -> int:
    """Packs whose worker died while making them wait to be made again (or fail,
    after MAX_ATTEMPTS); how many."""
    silent = BoardPack.objects.filter(
        status=BoardPack.Status.BUILDING, progress_at__lt=timezone.now() - LOST_AFTER
    )
    failed = silent.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=BoardPack.Status.FAILED,
        finished_at=timezone.now(),
        error=LOST.format(attempts=MAX_ATTEMPTS),
    )
    return failed + silent.update(status=BoardPack.Status.WAITING, step="", progress=0)


def build_waiting(*, pack_id: int | None = None) -> BoardPack | None:
    """Take up the oldest waiting pack (or the one given, if it still waits) and
    make it; the pack, or None when none was waiting."""
    pack = take_up(pack_id=pack_id)
    if pack is not None:
        make(pack)
    return pack


def take_up(*, pack_id: int | None = None) -> BoardPack | None:
    with transaction.atomic():
        waiting = BoardPack.objects.filter(status=BoardPack.Status.WAITING)
        if pack_id is not None:
            waiting = waiting.filter(pk=pack_id)
        pack = (
            waiting.select_for_update(skip_locked=True)
            .order_by("requested_at")
            .defer("pdf")
            .first()
        )
        if pack is None:
            return None
        now = timezone.now()
        BoardPack.objects.filter(pk=pack.pk).update(
            status=BoardPack.Status.BUILDING,
            started_at=now,
            progress_at=now,
            attempts=F("attempts") + 1,
            progress=0,
            step="Starting",
            error="",
        )
    pack.refresh_from_db(fields=["status", "attempts", "started_at"])
    return pack


def progress(pack: BoardPack, percent: int, step: str) -> None:
    BoardPack.objects.filter(pk=pack.pk, status=BoardPack.Status.BUILDING).update(
        progress=percent, step=step, progress_at=timezone.now()
    )


def make(pack: BoardPack) -> None:
    """Make the pack taken up: ready with its PDF, or failed saying why. Its
    progress is written as it goes, page by page while the pages are laid out
    (the longest part: a few hundred pages for a hundred exceptions)."""
    try:
        if why := rendering.unavailable():
            raise CannotMake(why)
        progress(pack, 5, "Reading the figures")
        html, gathered = pack_html(pack)
        progress(pack, 15, "Laying out the pages")
        rendered = rendering.render_pdf(
            html, base_url=settings.SITE_URL, progress=Progress(pack, pages_expected(gathered))
        )
        progress(pack, 95, "Storing the PDF")
        BoardPack.objects.filter(pk=pack.pk, status=BoardPack.Status.BUILDING).update(
            status=BoardPack.Status.READY,
            pdf=rendered.pdf,
            size=len(rendered.pdf),
            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
            pages=rendered.pages,
            run=gathered.run,
            provisional=gathered.provisional,
            progress=100,
            step="",
            finished_at=timezone.now(),
        )
    except Exception as error:  # noqa: BLE001 - said on the pack's page; the log has the rest
        logger.exception("Board pack %s could not be made", pack.pk)
        reason = str(error) if isinstance(error, CannotMake | content.NothingCalculated) else ""
        BoardPack.objects.filter(pk=pack.pk).update(
            status=BoardPack.Status.FAILED,
            finished_at=timezone.now(),
            step="",
            error=reason
            or f"It could not be made ({type(error).__name__}). Ask for a new one; "
            "if it fails again, the performance team can read why in the worker's log.",
        )


# The share of the progress bar the layout and the drawing take (after reading the
# figures, before storing): the layout about two thirds of the time, the drawing a third.
LAYOUT_FROM, DRAWING_FROM = 15, 70
# Pages laid out between two writes of the progress.
PAGES_A_STEP = 10


def pages_expected(gathered: content.PackContent) -> int:
    """About how many pages a pack takes, for the share of the layout done: a page
    each for the cover, the contents, the summary and the workforce, one for each
    exception, and the ranked exceptions and the scorecard at the rows a page
    holds (17 exceptions, 7 measures with their commentary)."""
    return (
        4
        + len(gathered.exception_pages)
        + math.ceil(len(gathered.exceptions) / 17)
        + math.ceil(len(gathered.lines) / 7)
    )


class Progress:
    """`rendering.render_pdf`'s progress, written to the pack as it is made: how
    many pages are laid out so far (every PAGES_A_STEP), then how many are drawn.
    The per cent is an estimate from `pages_expected`, never past DRAWING_FROM
    before the drawing starts; the words say only what is known."""

    def __init__(self, pack: BoardPack, expected: int):
        self.pack, self.expected = pack, max(expected, 1)

    def __call__(self, step: str, pages: int) -> None:
        if step == rendering.DRAWING:
            progress(self.pack, DRAWING_FROM, f"Drawing the {pages} pages")
        elif pages % PAGES_A_STEP == 0:
            share = min(pages / self.expected, 1)
            percent = LAYOUT_FROM + int(share * (DRAWING_FROM - LAYOUT_FROM - 1))
            progress(self.pack, percent, f"Laying out the pages: {pages} so far")


class CannotMake(Exception):
    """Why no pack can be made here (WeasyPrint's libraries missing)."""


def pack_html(pack: BoardPack) -> tuple[str, content.PackContent]:
    """(HTML, what it was made from) of the pack: every figure read in one snapshot
    of the database, so that a recalculation finishing meanwhile cannot mix two runs."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        gathered = content.gather(pack)
        html = render_to_string("boardpack/pack.html", {"c": gathered})
    return html, gathered
