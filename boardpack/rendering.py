"""HTML to PDF, on the server, with WeasyPrint.

WeasyPrint needs Pango (with HarfBuzz and fontconfig) from the system; a machine
without them can still serve every other page (`make run` on a fresh laptop), so
it is imported only here, and `unavailable()` says why a pack cannot be made.
"""

import contextlib
import functools
import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

MISSING_LIBRARIES = (
    "Board packs cannot be made on this server: the system libraries WeasyPrint "
    "draws PDFs with (Pango, HarfBuzz) are not installed. Packs made before can "
    "still be downloaded. The README's Production section names the packages."
)


@functools.cache
def unavailable() -> str:
    """Why no PDF can be made here; "" when one can. Asked once per process."""
    try:
        import weasyprint  # noqa: F401 - loads Pango through cffi
    except (ImportError, OSError):
        logger.warning("WeasyPrint cannot load its system libraries", exc_info=True)
        return MISSING_LIBRARIES
    return ""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    document: object  # weasyprint.Document: its laid-out pages, for checks


def render_pdf(
    html: str, *, base_url: str, progress: Callable[[str, int], None] | None = None
) -> Rendered:
    """Lay `html` out and write it as PDF. `base_url`: what its links are relative to.
    `progress(step, pages)`: told LAYING_OUT with the pages laid out so far, as
    each is (a page laid out again, when a later one changes it, is not counted
    twice), then DRAWING with how many there are, before they are drawn."""
    import weasyprint

    with _fewer_collections():
        with _pages_laid_out(progress):
            document = weasyprint.HTML(string=html, base_url=base_url).render()
        if progress:
            progress(DRAWING, len(document.pages))
        return Rendered(document.write_pdf(), len(document.pages), document)


# Objects allocated between two collections of Python's youngest generation
# while a pack is laid out and drawn (Python's default: 700).
ALLOCATIONS_A_COLLECTION = 100_000


_collections_lock = threading.Lock()
_rendering = 0  # how many threads are in `_fewer_collections`
_threshold_before = gc.get_threshold()


@contextlib.contextmanager
def _fewer_collections():
    """WeasyPrint keeps millions of small objects for a long document, and the
    cyclic garbage collector, run every 700 allocations, walks them again and
    again: an eighth of a 400-page pack's time. It runs less often meanwhile
    (the threshold is the process's: set by the first pack in, put back by the last out)."""
    global _rendering, _threshold_before
    with _collections_lock:
        if _rendering == 0:
            _threshold_before = gc.get_threshold()
            gc.set_threshold(ALLOCATIONS_A_COLLECTION, *_threshold_before[1:])
        _rendering += 1
    try:
        yield
    finally:
        with _collections_lock:
            _rendering -= 1
            if _rendering == 0:
                gc.set_threshold(*_threshold_before)


LAYING_OUT, DRAWING = "laying out", "drawing"

# WeasyPrint says "Step 5 - Creating layout - Page 12" on this logger as it lays
# each page out. Its records go only to the handlers `_pages_laid_out` adds
# while a pack is laid out, never to the log (a line a page).
WEASYPRINT_PROGRESS = logging.getLogger("weasyprint.progress")
WEASYPRINT_PROGRESS.setLevel(logging.INFO)
WEASYPRINT_PROGRESS.propagate = False
PAGE_LAID_OUT = "Step 5 - Creating layout - Page %d"


class _PageCounter(logging.Handler):
    """Tells `progress` each new page laid out in the thread it was made in (a
    pack made in another thread at the same time has its own)."""

    def __init__(self, progress):
        super().__init__(logging.INFO)
        self.progress, self.thread, self.pages = progress, threading.get_ident(), 0

    def emit(self, record):
        if record.thread != self.thread or not str(record.msg).startswith(PAGE_LAID_OUT):
            return
        page = record.args[0] if record.args else 0
        if page > self.pages:
            self.pages = page
            self.progress(LAYING_OUT, page)


@contextlib.contextmanager
def _pages_laid_out(progress):
    if progress is None:
        yield
        return
    counter = _PageCounter(progress)
    WEASYPRINT_PROGRESS.addHandler(counter)
    try:
        yield
    finally:
        WEASYPRINT_PROGRESS.removeHandler(counter)


def with_style(svg: str, css: str, number: int) -> SafeString:
    """An inline SVG (ours, from scorecard.charts) carrying its own stylesheet:
    WeasyPrint does not apply the page's rules inside an inline SVG. `number`:
    the chart's in the document, which makes its title's id its own."""
    if not svg:
        return mark_safe("")  # noqa: S308 - a constant
    svg = str(svg).replace('"chart-title"', f'"chart-title-{number}"')
    head, sep, rest = svg.partition(">")
    return mark_safe(f"{head}{sep}<style>{css}</style>{rest}")  # noqa: S308 - our own markup
