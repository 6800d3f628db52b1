"""A pack with many exceptions: a synthetic authority (manage.py
generate_benchmark_data) whose month has more exceptions than the forty the pack
once stopped at. Every exception gets its page, with its figures; what the
pack reads costs the same statements however many exceptions it has; and its
progress is written while it is laid out; no table row is split over pages."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boardpack import content, rendering, services
from boardpack.models import BoardPack
from scorecard import benchmark_data, engine, formatting
from scorecard.models import ServiceArea
from tests import snapshot

from .pdf import contents_pages, flat, page_texts, rows_on_more_than_one_page

pytestmark = pytest.mark.django_db

MONTH = date(2026, 3, 1)  # the synthetic set's last full financial year ends here
SMALL = benchmark_data.Size(areas=2, measures=20, years=1)
BIG = benchmark_data.Size(areas=2, measures=50, years=1)
MARKING = "OFFICIAL-SENSITIVE"
# a progress update as PostgreSQL was sent it, and the layout's step
PROGRESS = re.compile(
    r'^UPDATE "boardpack_boardpack" SET "progress" = (\d+), "step" = \'([^\']*)\''
)
LAID_OUT = re.compile(r"Laying out the pages: (\d+) so far")


def synthetic(size, *, replacing=False):
    """The synthetic set of `size`, calculated: copied in from the session's
    snapshot, or when `replacing` the set already here, made in place."""

    def build():
        benchmark_data.generate(size, seed=1, replace=replacing)
        engine.recalculate(trigger="test")

    if replacing:
        build()
    else:
        snapshot.load(f"synthetic {size}", build)
    cache.clear()


def pack():
    """The authority's pack for MONTH, asked for as the page asks (not yet made)."""
    director = get_user_model().objects.get(username=benchmark_data.DIRECTOR)
    return services.request_pack(user=director, area=ServiceArea.objects.authority(), month=MONTH)


def test_every_exception_has_a_page_of_its_own_in_the_ranked_order():
    synthetic(BIG)
    gathered = content.gather(pack())
    assert len(gathered.exceptions) > 40
    assert [(page.measure, page.area) for page in gathered.exception_pages] == [
        (found.measure, found.area) for found in gathered.exceptions
    ]


def test_what_the_pack_reads_costs_the_same_statements_for_few_exceptions_or_many():
    def read():
        asked = pack()
        exceptions = len(content.gather(asked).exceptions)
        with CaptureQueriesContext(connection) as queries:
            services.pack_html(asked)
        asked.delete()  # still waiting: the set it is of can be replaced
        return exceptions, len(queries)

    synthetic(SMALL)
    few, statements = read()
    synthetic(BIG, replacing=True)
    many, statements_for_many = read()
    assert many > 2 * few > 0
    assert statements_for_many == statements


def test_a_pack_of_many_exceptions_is_made_with_a_page_for_each_and_its_progress_shown():
    synthetic(BIG)
    asked = pack()
    gathered = content.gather(asked)
    services.take_up(pack_id=asked.pk)
    with CaptureQueriesContext(connection) as queries:
        services.make(asked)
    asked.refresh_from_db()
    assert asked.status == BoardPack.Status.READY, asked.error

    # the worker said how far it had got while it laid the pages out and drew them
    steps = [
        (int(found.group(1)), found.group(2))
        for query in queries
        if (found := PROGRESS.search(query["sql"]))
    ]
    assert [percent for percent, _ in steps] == sorted(percent for percent, _ in steps), steps
    laid_out = [int(m.group(1)) for _, step in steps if (m := LAID_OUT.fullmatch(step))]
    assert laid_out == sorted(laid_out) and len(laid_out) >= asked.pages // 10, steps
    assert laid_out[-1] > asked.pages - 10, steps
    assert (70, f"Drawing the {asked.pages} pages") in steps

    texts = page_texts(bytes(asked.pdf))
    assert len(texts) == asked.pages
    for number, text in enumerate(texts, 1):
        assert text.count(MARKING) >= 2, f"page {number}"
        assert f"Page {number} of {len(texts)}" in text
    starts = contents_pages(texts[1])
    exception_pages = texts[starts["The exceptions, one page each"] - 1 : starts["Workforce"] - 1]
    # one page each, in the ranked order, with its figures
    assert len(exception_pages) == len(gathered.exception_pages)
    for number, (text, page) in enumerate(
        zip(exception_pages, gathered.exception_pages, strict=True), 1
    ):
        heading = f"{number}. {flat(page.measure.title)}"
        assert heading in text, (number, text[:200])
        assert flat(page.reasons) in text, heading
        outturn = formatting.result_text(page.result, page.measure)
        assert f"Outturn {outturn}" in text, heading
        for month, result in page.figures:
            if result is not None and result.value is not None and not result.suppressed:
                assert formatting.number(result.value, page.measure.decimal_places) in text

    # the ranked table and the scorecard run over many pages: no row is split
    html, _ = services.pack_html(asked)
    laid_out = rendering.render_pdf(html, base_url="http://testserver/")
    assert laid_out.pages == asked.pages
    assert rows_on_more_than_one_page(laid_out.document) == 0
