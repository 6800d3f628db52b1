"""After a successful calculation run, render into the page cache what a
director opens first, so that the first director after a run waits no longer
than the next: the RAG summary and the exceptions for the default month, the scorecard for the
authority and for each service area at the default month, and each measure's
page at the authority (the pages' own cached parts, `views.*_figures` and
`views.scorecard_table`, under the keys their requests use).

A run when a newer one is already asked for is not warmed (under a burst of
approvals, only the last run's pages are). Warming never fails a run: anything
that goes wrong is logged and the rest is skipped (a Redis that does not answer
is already a skipped write, see `caching.ForgivingRedisCache`); the pages then
render on their first request.
"""

import logging

from django.http import QueryDict

from . import engine, page_cache, recalculation, reports
from .models import Measure, ServiceArea

logger = logging.getLogger(__name__)


def warm(run=None) -> int:
    """Fill the cache for `run` (default: the latest successful run); how many
    parts were rendered or found there already. Never raises."""
    try:
        return _warm(run or engine.latest_successful_run())
    except Exception:  # noqa: BLE001 - a cache is never worth a failed run
        logger.warning("Could not warm the page cache; pages render on request", exc_info=True)
        return 0


def _warm(run) -> int:
    from . import views  # the pages' own renderers (views import this app's modules)

    if run is None:
        return 0
    if recalculation.open_requests().exists():
        # a newer run is already asked for: what would be warmed now would be read
        # for seconds at most; the newer run warms its own
        logger.info("Not warming the page cache for run %s: a newer run is waiting", run.pk)
        return 0
    months = reports.months_with_results(run)
    month = reports.default_month(months)
    authority = ServiceArea.objects.authority()
    if month is None or authority is None:
        return 0
    status = reports.month_statuses([month])[month]
    every_area = ServiceArea.objects.all()  # what a director may see
    measures = Measure.objects.filter(active=True).select_related("group")
    warmed = 0
    # /scorecard/ and /scorecard/?area=<id>, as the summary and the filters link
    # them: the authority's first, the page most read, then the summary
    for area in [authority, *ServiceArea.objects.filter(parent=authority, active=True)]:
        shown = QueryDict(mutable=True)
        if area != authority:
            shown["area"] = str(area.pk)
        views.scorecard_table(run, area, month, lambda: measures, shown)
        warmed += 1
        if area == authority:
            views.summary_figures(
                run, authority, month, status, page_cache.ALL_AREAS, lambda: every_area
            )
            views.exceptions_figures(
                run, authority, month, page_cache.ALL_AREAS, lambda: every_area.order_by("order")
            )
            warmed += 2
    for measure in measures:
        views.measure_figures(
            run,
            measure,
            authority,
            month,
            page_cache.ALL_AREAS,
            lambda: every_area.order_by("order"),
        )
        warmed += 1
    logger.info("Warmed %s cached page parts for run %s (%s)", warmed, run.pk, month)
    return warmed
