"""A workbook of 20,000 rows in each list is read and counted whole. Timed and
printed (reported, never asserted: see docs/benchmarks.md's rule)."""

import time

from annexa import derivations, quality, reading
from tests.annexa.workbooks import large

ROWS = 20_000


def test_twenty_thousand_rows_per_list_are_read_and_counted(capsys):
    content = large(ROWS)
    started = time.perf_counter()
    book = reading.read_workbook(content)
    read = time.perf_counter()
    from datetime import date

    counts = derivations.count(book, date(2026, 11, 3))
    found = quality.findings(book, date(2026, 11, 3))
    done = time.perf_counter()
    assert {number: len(rows.rows) for number, rows in book.lists.items()} == {
        number: ROWS for number in reading.LISTS
    }
    assert not counts.unavailable
    assert len(counts.months) == 12
    assert found[derivations.AUTHORITY]
    with capsys.disabled():
        print(
            f"\nAnnex A, {ROWS:,} rows x {len(book.lists)} lists ({len(content) / 1e6:.1f} MB): "
            f"read {read - started:.1f} s, counted {done - read:.1f} s"
        )
