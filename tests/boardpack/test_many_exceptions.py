"""A pack with many exceptions: a synthetic authority (manage.py
generate_benchmark_data) whose month has more exceptions than the forty the pack
once stopped at. Every exception gets its page, with its figures; what the
pack reads costs the same statements however many exceptions it has; and its
progress is written while it is laid out."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boardpack import content, services
from scorecard import benchmark_data, engine
from scorecard.models import ServiceArea
from tests import snapshot

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
