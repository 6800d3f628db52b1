"""HTML to PDF, on the server, with WeasyPrint.

WeasyPrint needs Pango (with HarfBuzz and fontconfig) from the system; a machine
without them can still serve every other page (`make run` on a fresh laptop), so
it is imported only here, and `unavailable()` says why a pack cannot be made.
"""

import functools
import logging
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


def render_pdf(html: str, *, base_url: str) -> Rendered:
    """Lay `html` out and write it as PDF. `base_url`: what its links are relative to."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=base_url).render()
    return Rendered(document.write_pdf(), len(document.pages), document)


def with_style(svg: str, css: str, number: int) -> SafeString:
    """An inline SVG (ours, from scorecard.charts) carrying its own stylesheet:
    WeasyPrint does not apply the page's rules inside an inline SVG. `number`:
    the chart's in the document, which makes its title's id its own."""
    if not svg:
        return mark_safe("")  # noqa: S308 - a constant
    svg = str(svg).replace('"chart-title"', f'"chart-title-{number}"')
    head, sep, rest = svg.partition(">")
    return mark_safe(f"{head}{sep}<style>{css}</style>{rest}")  # noqa: S308 - our own markup
