"""The bench's measurements, each run by `benchmarks.run` in a process of its own
(so that its peak memory is its own) against one size's database:

    python -m benchmarks.steps STEP RESULT.json

STEP is `baseline` (Django started, one query: the memory every step starts
from), `recalculate` (the full recalculation beside the floor), `pages` (the
month after the set opened, then each page timed) or `approval` (a team's
return of that month submitted, approved by an officer, and the recalculation
the approval asked for timed). The result is written as JSON.
"""

import json
import re
import statistics
import sys
import time


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def baseline() -> dict:
    from scorecard.models import ServiceArea

    return {"areas": ServiceArea.objects.count()}


def recalculate() -> dict:
    from scorecard import engine

    from . import floor
    from .pages import Counter

    months = engine.months_to_cover()
    floors = []
    start = time.perf_counter()
    floor.compute(months[0], months[-1])
    floors.append(time.perf_counter() - start)
    with Counter() as counter:
        start = time.perf_counter()
        run = engine.recalculate(trigger="bench")
        seconds = time.perf_counter() - start
    if run.outcome != run.Outcome.SUCCEEDED:
        raise SystemExit(f"the recalculation failed: {run.error}")
    start = time.perf_counter()
    floor_cells = floor.compute(months[0], months[-1])
    floors.append(time.perf_counter() - start)
    agreeing, compared = floor.agreement()
    return {
        "months": len(months),
        "cells": run.rows_written,
        "seconds": round(seconds, 2),
        "statements": counter.count,
        "floor_seconds": [round(s, 2) for s in floors],
        "floor_cells": floor_cells,
        "floor_agreeing": agreeing,
        "floor_compared": compared,
    }


REQUESTS = 50


def pages() -> dict:
    from django.core.cache import cache

    from . import pages as bench_pages

    setting = bench_pages.prepare()
    clients = bench_pages.clients()
    results = {}
    for page in bench_pages.PAGES:
        client = clients[page.username]
        cache.clear()
        start = time.perf_counter()
        response, cold_statements = bench_pages.fetch(client, page, setting)
        cold = time.perf_counter() - start
        times, statements = [], []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response, count = bench_pages.fetch(client, page, setting)
            times.append(time.perf_counter() - start)
            statements.append(count)
        times.sort()
        results[page.name] = {
            "cold_ms": _ms(cold),
            "cold_statements": cold_statements,
            "median_ms": _ms(statistics.median(times)),
            "p95_ms": _ms(times[int(0.95 * len(times)) - 1]),
            "statements": sorted(set(statements)),
            "bytes": len(response.content),
        }
    return {"requests": REQUESTS, "month": f"{setting.draft.month:%B %Y}", "pages": results}


def approval() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from scorecard import benchmark_data, recalculation, services, workflow
    from scorecard.models import MonthlyReturn

    from . import pages as bench_pages
    from .pages import Counter

    newest = MonthlyReturn.objects.order_by("-month").values_list("month", flat=True).first()
    users = get_user_model().objects
    manager = users.get(username=benchmark_data.manager_username(2))
    officer = users.get(username=benchmark_data.OFFICER)
    setting = bench_pages.setting_for(newest, manager)
    # the team manager submits the month's figures from the return's page...
    client = Client()
    client.force_login(manager)
    data = {
        **setting.post_data,
        **{name: "Synthetic commentary." for name in setting.post_data if "_commentary" in name},
        "version": str(setting.draft.version),
        "submit": "Submit",
    }
    response = client.post(f"/returns/{setting.draft.pk}/", data)
    if response.status_code != 302:
        summary = response.content.decode().partition("govuk-error-summary__list")[2]
        errors = re.findall(r"<li>(?:<a [^>]*>)?([^<]*)", summary.partition("</ul>")[0])
        raise SystemExit(f"the return was not submitted ({response.status_code}): {errors}")
    # ...and an officer who did not shape it approves it, as the review page does
    services.transition_return(user=officer, monthly_return=setting.draft, action=workflow.APPROVE)
    with Counter() as counter:
        start = time.perf_counter()
        run = recalculation.run_waiting()
        seconds = time.perf_counter() - start
    if run is None or run.outcome != run.Outcome.SUCCEEDED:
        raise SystemExit(f"the approval's recalculation did not succeed: {run}")
    return {
        "return": str(setting.draft),
        "seconds": round(seconds, 2),
        "statements": counter.count,
        "cells": run.rows_written,
    }


STEPS = {"baseline": baseline, "recalculate": recalculate, "pages": pages, "approval": approval}


def main(step: str, output: str) -> None:
    import django

    django.setup()
    result = STEPS[step]()
    with open(output, "w", encoding="utf-8") as file:
        json.dump(result, file, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
