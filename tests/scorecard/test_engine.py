"""The recalculation on PostgreSQL: what it computes from approved returns only,
and that it is idempotent, atomic, exclusive and set-based."""

import threading
import time
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from scorecard import engine
from scorecard.models import (
    Benchmark,
    CalculationRun,
    Measure,
    MonthlyReturn,
    Population,
    ReturnValue,
    ScorecardResult,
    Target,
)
from tests import factories, faults

JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)
APPROVED, SUBMITTED = MonthlyReturn.Status.APPROVED, MonthlyReturn.Status.SUBMITTED


@pytest.fixture
def areas(db):
    return factories.area("North"), factories.area("South")


@pytest.fixture
def seen(areas):
    measure = factories.measure(title="% seen", level=Measure.Level.AREA)
    measure.reporting_areas.set(areas)
    Target.objects.create(
        measure=measure, kind=Target.Kind.IN_YEAR, value=85, starts=date(2014, 4, 1)
    )
    return measure


def figure(area, month, measure, status=APPROVED, **values):
    monthly_return, _ = MonthlyReturn.objects.get_or_create(
        area=area,
        month=month,
        defaults={
            "status": status,
            "approved_at": "2015-03-01T12:00Z" if status == APPROVED else None,
        },
    )
    return factories.value(monthly_return, measure, **values)


def stored(value):
    """Results keep four decimal places; the ratios they come from stay exact beside them."""
    return value.quantize(D("0.0001"))


def result(measure, area, month):
    return ScorecardResult.objects.get(measure=measure, area=area, month=month)


def test_the_authority_percentage_pools_numerators_and_denominators(areas, seen):
    north, south = areas
    figure(north, FEB, seen, numerator=1, denominator=10)
    figure(south, FEB, seen, numerator=45, denominator=50)
    engine.recalculate()
    authority = result(seen, factories.authority(), FEB)
    assert authority.value == stored(D(46) * 100 / D(60))  # 76.67%, not an average's 50%
    assert (authority.numerator, authority.denominator) == (46, 60)
    assert result(seen, north, FEB).value == 10
    assert authority.rating == "red" and not authority.provisional


def test_only_approved_returns_count_and_the_rest_make_it_provisional(areas, seen):
    north, south = areas
    figure(north, FEB, seen, numerator=9, denominator=10)
    figure(south, FEB, seen, status=SUBMITTED, numerator=1, denominator=10)
    engine.recalculate()
    authority = result(seen, factories.authority(), FEB)
    assert authority.value == 90
    assert authority.provisional
    assert (authority.returns_expected, authority.returns_approved) == (2, 1)
    assert result(seen, south, FEB).value is None


def test_imported_authority_history_is_used_where_no_area_returns_exist(areas, seen):
    figure(factories.authority(), JAN, seen, value="82.5")
    figure(areas[0], FEB, seen, numerator=9, denominator=10)
    figure(areas[1], FEB, seen, numerator=8, denominator=10)
    engine.recalculate()
    authority = factories.authority()
    assert result(seen, authority, JAN).value == D("82.5")
    assert not result(seen, authority, JAN).provisional
    assert result(seen, authority, FEB).value == 85
    assert result(seen, authority, FEB).against_last_month == "improving"


def test_counts_are_summed_and_rates_use_the_population(areas):
    north, south = areas
    referrals = factories.measure(unit="count", entry="count", polarity="none", decimal_places=0)
    cp_rate = factories.measure(
        unit="rate_10k", entry="count", polarity="none", level=Measure.Level.AUTHORITY
    )
    figure(north, FEB, referrals, numerator=120)
    figure(south, FEB, referrals, numerator=80)
    authority = factories.authority()
    Population.objects.create(area=authority, year=2015, children_0_17=120_000)
    figure(authority, FEB, cp_rate, numerator=360)
    engine.recalculate()
    assert result(referrals, authority, FEB).value == 200
    assert result(cp_rate, authority, FEB).value == 30  # 360 / 120,000 x 10,000


def test_year_to_date_and_rolling_12_months_sum_before_dividing(areas, seen):
    north = areas[0]
    figure(north, date(2014, 3, 1), seen, numerator=0, denominator=100)  # last financial year
    figure(north, date(2014, 4, 1), seen, numerator=1, denominator=10)
    figure(north, date(2014, 5, 1), seen, numerator=30, denominator=40)
    engine.recalculate()
    may = result(seen, north, date(2014, 5, 1))
    assert may.year_to_date == stored(D(31) * 100 / D(50))
    assert may.rolling_12_months == stored(D(31) * 100 / D(150))


def test_benchmarks_and_direction_use_polarity(areas, seen):
    Benchmark.objects.create(measure=seen, comparator="england", period="2014", value=82)
    Benchmark.objects.create(measure=seen, comparator="region", period="2014", value=95)
    north = areas[0]
    figure(north, date(2014, 2, 1), seen, numerator=95, denominator=100)
    figure(north, JAN, seen, numerator=80, denominator=100)
    figure(north, FEB, seen, numerator=90, denominator=100)
    engine.recalculate()
    feb = result(seen, north, FEB)
    assert feb.against_last_month == "improving"
    assert feb.against_last_year == "worsening"
    assert feb.benchmark_comparison == {"england": "better", "region": "worse"}


def test_zero_denominators_and_missing_months_give_no_value_not_an_error(areas, seen):
    north, south = areas
    figure(north, FEB, seen, numerator=0, denominator=0)
    figure(south, date(2014, 11, 1), seen, numerator=5, denominator=10)
    engine.recalculate()
    assert result(seen, north, FEB).value is None
    assert result(seen, north, FEB).rating == "none"
    assert result(seen, south, JAN).value is None  # a month with no return
    assert result(seen, south, JAN).provisional


def rows():
    return sorted(
        ScorecardResult.objects.values_list(
            "measure_id",
            "area_id",
            "month",
            "numerator",
            "denominator",
            "value",
            "target",
            "rating",
            "against_last_month",
            "against_last_year",
            "year_to_date",
            "rolling_12_months",
            "benchmark_comparison",
            "provisional",
            "returns_expected",
            "returns_approved",
            "not_applicable",
        ),
        key=repr,
    )


def test_two_runs_over_the_same_data_write_identical_rows(sample):
    first = rows()
    engine.recalculate(trigger="again")
    assert rows() == first and first


@pytest.mark.django_db(transaction=True)  # committed for real, as in production
def test_a_run_that_fails_part_way_leaves_the_previous_results_untouched(sample):
    before = rows()
    ReturnValue.objects.filter(measure__code="repeat-referrals").update(value=99)
    with (  # part-way: old rows deleted, 10 new written
        faults.inserts_refused(
            "scorecard_scorecardresult",
            when="nextval('tried_rows') > 10",
            message="failure injected after 10 rows",
        ),
        pytest.raises(DatabaseError),
    ):
        engine.recalculate(trigger="doomed")
    assert rows() == before
    failed = CalculationRun.objects.get(trigger="doomed")
    assert failed.outcome == "failed" and "failure injected" in failed.error
    assert engine.latest_successful_run().trigger != "doomed"


def test_the_months_covered_stop_at_the_last_completed_month_by_the_local_date(areas, seen):
    figure(areas[0], JAN, seen, numerator=1, denominator=2)
    figure(areas[0], FEB, seen, numerator=1, denominator=2)
    assert engine.months_to_cover(today=date(2015, 2, 28)) == [JAN]
    assert engine.months_to_cover(today=date(2015, 3, 1)) == [JAN, FEB]


def advisory_lock_waiters(backend_pid):
    """The advisory locks this backend is waiting for, as (classid, objid) pairs: a
    bigint key is split into its high and low 32 bits (objsubid 1)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT classid::bigint, objid::bigint FROM pg_locks "
            "WHERE locktype = 'advisory' AND objsubid = 1 AND NOT granted "
            "AND pid = %s",
            [backend_pid],
        )
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_cannot_interleave(areas, seen):
    figure(areas[0], FEB, seen, numerator=1, denominator=2)
    holding, release = threading.Event(), threading.Event()
    second_backend, outcome = [], {}

    def hold_the_lock():
        with transaction.atomic():
            engine.advisory_lock()
            holding.set()
            release.wait(timeout=20)
        connections.close_all()

    def second_run():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_backend.append(cursor.fetchone()[0])
        engine.recalculate(trigger="second")
        outcome["finished after the release"] = release.is_set()
        connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert holding.wait(timeout=10)
    runner = threading.Thread(target=second_run)
    runner.start()
    # PostgreSQL shows the second run's backend waiting for the engine's lock.
    key = divmod(engine.ADVISORY_LOCK_KEY, 2**32)
    deadline = time.monotonic() + 15
    while not (second_backend and advisory_lock_waiters(second_backend[0]) == [key]):
        assert runner.is_alive(), "the second run ended without waiting for the lock"
        assert time.monotonic() < deadline, "the second run never waited for the lock"
        runner.join(timeout=0.02)
    assert not CalculationRun.objects.filter(trigger="second", outcome="succeeded").exists()
    release.set()
    holder.join(timeout=20)
    runner.join(timeout=20)
    assert outcome == {"finished after the release": True}
    assert CalculationRun.objects.get(trigger="second").outcome == "succeeded"


def waiting_for_lock_on(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)  # two connections, each committing for real
def test_a_run_reads_one_snapshot_so_a_change_committed_while_it_reads_is_not_half_seen(
    areas, seen
):
    north = areas[0]
    figure(north, FEB, seen, numerator=9, denominator=10)  # 90% against a target of 85
    Benchmark.objects.create(measure=seen, comparator="england", period="2015", value=95)
    finished = threading.Event()

    def run():
        engine.recalculate(trigger="during a change")
        finished.set()
        connections.close_all()

    runner = threading.Thread(target=run)
    with transaction.atomic():  # another connection changes the target and the benchmark
        with connection.cursor() as cursor:  # the run stops when it reads the benchmarks,
            cursor.execute("LOCK TABLE scorecard_benchmark IN ACCESS EXCLUSIVE MODE")
        runner.start()  # after it has read the returns and the targets
        deadline = time.monotonic() + 20
        while not waiting_for_lock_on("scorecard_benchmark") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_for_lock_on("scorecard_benchmark"), "the run never reached the benchmarks"
        Target.objects.filter(measure=seen).update(value=95)
        Benchmark.objects.filter(measure=seen).update(value=80)
    runner.join(timeout=30)
    assert finished.is_set()
    during = result(seen, north, FEB)
    # Read committed would pair the old target (read before the change) with the new
    # benchmark (read after it): a result that never existed. One snapshot: all old.
    assert (during.target, during.benchmark_comparison) == (85, {"england": "worse"})
    engine.recalculate(trigger="after the change")  # the next run sees all of it
    after = result(seen, north, FEB)
    assert (after.target, after.benchmark_comparison) == (95, {"england": "better"})


def count_queries():
    with CaptureQueriesContext(connection) as queries:
        run = engine.recalculate(trigger="measured")
    return len(queries), run.rows_written


def test_the_number_of_queries_does_not_grow_with_the_data(db):
    """A fixed number of statements per financial year (each is worked out and
    written before the next), whatever the measures, areas and returns in it."""
    factories.approved_returns(measures=2, area_count=2, months=3, name="Small")
    small, small_rows = count_queries()
    ScorecardResult.objects.all().delete()
    factories.approved_returns(measures=12, area_count=6, months=3, name="Large")
    large, large_rows = count_queries()
    assert large_rows > 15 * small_rows
    assert large == small, (small, large)
