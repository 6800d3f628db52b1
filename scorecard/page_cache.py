"""What the directors' pages cache, and under which keys: one calculation run's
worth at a time.

Pages read only stored results, and results change only in a calculation run:
the engine commits a run's results before it marks the run succeeded. So what
is worked out from results is cached under the latest successful run's id, and
a new run means new keys: nobody is shown an older run's figures once a newer
run has succeeded (the old entries are never read again and expire). Anything
else a cached part shows goes into its key (the month, the area, whose areas
the reader may see, the query). A Redis that does not answer is a miss
(`caching.ForgivingRedisCache`), so the page is worked out afresh.
"""

import hashlib
import time

from django.core.cache import cache

from . import engine, selectors

TIMEOUT = 24 * 60 * 60  # a day: a new run replaces every key well before


def run_id(run=None) -> int:
    """The id the keys carry: the latest successful run's (0 before any)."""
    run = run if run is not None else engine.latest_successful_run()
    return run.pk if run else 0


def key(name: str, run_pk: int, *parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
    return f"{name}:{run_pk}:{digest}"


# After a run every key is new, and every reader of a page would render it at
# once; the first renders it, the others wait this long for it before they do.
RENDERING_WAIT_SECONDS = 3
RENDERING_LOCK_SECONDS = 30


def cached(name: str, run_pk: int, parts: tuple, compute):
    """The cached value under (name, run, parts), or `compute()` stored there:
    by one reader at a time (another waits for it), or by each when Redis does
    not answer."""
    entry_key = key(name, run_pk, *parts)
    value = cache.get(entry_key)
    if value is not None:
        return value
    lock = f"{entry_key}:rendering"
    if not cache.add(lock, 1, timeout=RENDERING_LOCK_SECONDS) and cache.get(lock) is not None:
        deadline = time.monotonic() + RENDERING_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            value = cache.get(entry_key)
            if value is not None:
                return value
    try:
        value = compute()
        cache.set(entry_key, value, timeout=TIMEOUT)
    finally:
        cache.delete(lock)
    return value


ALL_AREAS = "all"


def areas_part(user) -> str | tuple:
    """Whose areas a reader may see, as a key part: the same for everyone who may
    see every area (directors, officers), the area ids for anyone else."""
    if selectors.can_see_all_areas(user):
        return ALL_AREAS
    return tuple(
        selectors.scorecard_areas_for_user(user).order_by("pk").values_list("pk", flat=True)
    )
