"""The pages the bench times, each as the role that uses it, on the synthetic set
(`scorecard.benchmark_data`) after a full recalculation and with the month after
it opened (`prepare`): the director's scorecard, RAG summary, exceptions, measure detail and
workforce pages, the officer's completeness page, and a team manager's save of a
draft (POST) of the newest, open month and then its return entry page (GET), every
line filled.

Also used by the test that their SQL statement counts do not grow with the data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from scorecard import aggregation, benchmark_data, figures, opening
from scorecard.models import Measure, MonthlyReturn, ReturnValue
from workforce.models import FIGURE_FIELDS


@dataclass
class Setting:
    """What the pages are asked for."""

    draft: MonthlyReturn  # the manager's open return
    measure: Measure  # the measure whose detail page is read
    post_data: dict[str, str]  # the draft's figures as the form posts them


@dataclass(frozen=True)
class Page:
    name: str
    username: str
    method: str
    url: Callable[[Setting], str]
    status: int = 200

    def data(self, setting: Setting) -> dict | None:
        if self.method != "post":
            return None
        setting.draft.refresh_from_db(fields=["version"])  # each save moves it on
        return {**setting.post_data, "version": str(setting.draft.version)}


MANAGER = benchmark_data.manager_username(1)
PAGES = [
    Page("Scorecard", benchmark_data.DIRECTOR, "get", lambda s: "/scorecard/"),
    Page("RAG summary", benchmark_data.DIRECTOR, "get", lambda s: "/summary/"),
    Page("Exceptions", benchmark_data.DIRECTOR, "get", lambda s: "/exceptions/"),
    Page(
        "Measure detail",
        benchmark_data.DIRECTOR,
        "get",
        lambda s: f"/scorecard/measures/{s.measure.code}/",
    ),
    Page("Workforce", benchmark_data.DIRECTOR, "get", lambda s: "/workforce/"),
    Page("Completeness", benchmark_data.OFFICER, "get", lambda s: "/completeness/"),
    # saved first, so that the return's page is read with every line filled and drafted
    Page("Return save", MANAGER, "post", lambda s: f"/returns/{s.draft.pk}/", status=302),
    Page("Return entry", MANAGER, "get", lambda s: f"/returns/{s.draft.pk}/"),
]


def prepare() -> Setting:
    """Open the month after the set's newest (its returns draft) and find what the
    pages ask for; the draft's figures are the same team's of the month before."""
    newest = MonthlyReturn.objects.order_by("-month").values_list("month", flat=True).first()
    month = aggregation.add_months(newest, 1)
    opening.open_returns(month)
    return setting_for(month)


def setting_for(month: date, manager=None) -> Setting:
    """What the pages ask for in `month`: the draft return of `manager` (default:
    the first area's manager)."""
    manager = manager or get_user_model().objects.get(username=MANAGER)
    draft = MonthlyReturn.objects.get(month=month, area__memberships__user=manager)
    before = {
        v.measure_id: v
        for v in ReturnValue.objects.filter(
            monthly_return__area=draft.area, monthly_return__month=aggregation.add_months(month, -1)
        )
    }
    data = {}
    for value in ReturnValue.objects.filter(monthly_return=draft).select_related("measure"):
        last = before.get(value.measure_id)
        given = {
            name: getattr(last, name, None)
            for name in figures.entry_fields(value.measure.entry)
            if getattr(last, name, None) is not None
        }
        reason = last.not_applicable_reason if last else ""
        if not given and not reason:  # blank last month: a figure the form accepts
            given = {
                name: 10 * (i + 1)
                for i, name in enumerate(figures.entry_fields(value.measure.entry))
            }
        for name in ("numerator", "denominator", "value"):
            data[f"m{value.measure_id}_{name}"] = str(given.get(name, ""))
        data[f"m{value.measure_id}_not_applicable_reason"] = reason
        data[f"m{value.measure_id}_commentary"] = ""
    last_return = MonthlyReturn.objects.get(
        area=draft.area, month=aggregation.add_months(month, -1)
    )
    staffing = getattr(last_return, "staffing", None)
    if staffing is not None:
        for name in FIGURE_FIELDS:
            data[f"staffing-{name}"] = str(getattr(staffing, name))
    measure = Measure.objects.filter(active=True, entry=Measure.Entry.RATIO).order_by("order")[0]
    return Setting(draft=draft, measure=measure, post_data=data)


def clients() -> dict[str, Client]:
    """A signed-in client for each role the pages need."""
    signed_in = {}
    for username in {page.username for page in PAGES}:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        signed_in[username] = client
    return signed_in


class Counter:
    """SQL statements run while it is open: those of the default connection
    (`execute_wrapper`, an executemany counted once), and every COPY, which
    psycopg runs without Django's wrappers."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        self._copy = psycopg.Cursor.copy
        counter = self

        def copy(cursor, *args, **kwargs):
            counter.count += 1
            return counter._copy(cursor, *args, **kwargs)

        psycopg.Cursor.copy = copy
        return self

    def __exit__(self, *exc):
        psycopg.Cursor.copy = self._copy
        self._wrapper.__exit__(*exc)


def fetch(client: Client, page: Page, setting: Setting):
    """One request; (response, SQL statements it ran)."""
    url, data = page.url(setting), page.data(setting)
    with Counter() as counter:
        response = getattr(client, page.method)(url, data) if data else client.get(url)
    if response.status_code != page.status:
        raise AssertionError(f"{page.name}: {url} answered {response.status_code}")
    return response, counter.count
