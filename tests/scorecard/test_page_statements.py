"""The pages `make bench` times make as many SQL statements at a larger size as at
a smaller one: more areas, measures and months cost no more queries. (The
scorecard and workforce pages have their own such tests, in
test_director_pages.py and workforce/test_page.py.)"""

import pytest
from django.core.cache import cache

from benchmarks import pages
from scorecard import benchmark_data, engine

pytestmark = pytest.mark.django_db

NOT_COVERED_ELSEWHERE = [
    "RAG summary",
    "Exceptions",
    "Measure detail",
    "Completeness",
    "Return entry",
    "Return save",
]


def statements(size: benchmark_data.Size, replace: bool) -> dict[str, tuple[int, int]]:
    """(cold, warm) statements of each page on a set of `size`."""
    benchmark_data.generate(size, replace=replace)
    engine.recalculate(trigger="test")
    setting = pages.prepare()
    clients = pages.clients()
    counts = {}
    for page in pages.PAGES:
        if page.name in NOT_COVERED_ELSEWHERE:
            cache.clear()
            cold = pages.fetch(clients[page.username], page, setting)[1]
            warm = pages.fetch(clients[page.username], page, setting)[1]
            counts[page.name] = (cold, warm)
    return counts


def test_the_benched_pages_make_the_same_statements_at_two_sizes():
    small = statements(benchmark_data.Size(areas=2, measures=12, years=1), replace=False)
    large = statements(benchmark_data.Size(areas=6, measures=30, years=2), replace=True)
    assert set(small) == set(NOT_COVERED_ELSEWHERE)
    assert large == small
