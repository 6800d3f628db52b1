"""The engine's rules for one area's results, on plain values (no database): the
target in force, the benchmarks compared, year to date and rolling 12 months,
why a figure has no rating, which small numbers are withheld, and the rows."""

from datetime import date
from decimal import Decimal as D

import pytest

from scorecard import engine, periods, rag, spc
from scorecard.aggregation import add_months
from scorecard.figures import Figure
from scorecard.models import CalculationRun, Measure, MeasureGroup, ServiceArea

FEB14, MAR14, APR14, MAY14 = date(2014, 2, 1), date(2014, 3, 1), date(2014, 4, 1), date(2014, 5, 1)
DEC14, JAN15, FEB15, MAR15 = date(2014, 12, 1), date(2015, 1, 1), date(2015, 2, 1), date(2015, 3, 1)
NORTH = ServiceArea(pk=1, name="North", parent_id=9)


def measure(**fields):
    values = dict(
        code="seen",
        title="% seen",
        group_id="assessment",
        unit=Measure.Unit.PERCENT,
        entry=Measure.Entry.RATIO,
        polarity=Measure.Polarity.HIGHER,
        decimal_places=1,
        tolerance=D(5),
        tolerance_kind=Measure.Tolerance.POINTS,
        green_band=D(0),
        min_denominator=5,
    )
    return Measure(**{**values, **fields})


SEEN = measure()
REFERRALS = measure(
    code="referrals",
    title="Referrals",
    group_id="referrals",
    unit=Measure.Unit.COUNT,
    entry=Measure.Entry.COUNT,
    polarity=Measure.Polarity.NONE,
    decimal_places=0,
)
CP_RATE = measure(
    code="cp-rate",
    title="CP rate",
    group_id="child_protection",
    unit=Measure.Unit.RATE_10K,
    entry=Measure.Entry.COUNT,
    polarity=Measure.Polarity.LOWER,
)


# --- the target in force and the benchmarks compared -----------------------

TARGETS = [(APR14, D(85)), (FEB15, D(88)), (MAR15, D(95))]  # oldest first, as read


def test_a_target_applies_from_the_month_it_starts_until_the_next_one():
    assert engine._target_in_force(TARGETS, MAR14) is None  # before any target
    assert engine._target_in_force(TARGETS, APR14) == D(85)
    assert engine._target_in_force(TARGETS, JAN15) == D(85)
    assert engine._target_in_force(TARGETS, FEB15) == D(88)
    assert engine._target_in_force(TARGETS, date(2016, 1, 1)) == D(95)


BENCHMARKS = [
    ("england", periods.calendar_year(2014), D(82)),
    ("region", periods.calendar_year(2014), D(95)),
    ("england", periods.calendar_year(2015), D(90)),
    ("region", periods.calendar_year(2016), D(80)),
]  # oldest first, as read


def compared(month, value):
    in_force = engine.benchmarks_in_force(BENCHMARKS, month)
    return engine._benchmark_comparison(SEEN, in_force, value)


def test_each_comparator_is_compared_at_its_latest_year_up_to_the_months_own():
    assert compared(FEB15, D("87.5")) == {
        "england": "worse",  # against 2015's 90, not 2014's 82
        "region": "worse",  # against 2014's 95: 2016's is not out yet
    }
    assert compared(DEC14, D("87.5")) == {
        "england": "better",
        "region": "worse",
    }
    assert compared(date(2013, 12, 1), D(90)) == {}


def test_no_figure_is_compared_with_nothing():
    assert compared(FEB15, None) == {}


# --- year to date and rolling 12 months ------------------------------------


def point(numerator, denominator, expected=1, approved=1):
    return Figure(D(numerator), D(denominator)), expected, approved


def test_sums_over_months_add_the_parts_of_the_months_with_figures():
    series = {
        JAN15: point(80, 100),
        FEB15: point(875, 1000),
        DEC14: (None, 1, 0),
        MAR14: (Figure(not_applicable=True), 1, 1),
    }
    # the year to February 2015 and its 12 months: March 2014 is not applicable
    pooled = D(955) * 100 / D(1100)
    assert engine._year_totals(SEEN, series, None, FEB15) == (pooled, pooled)
    # nothing to add up in the year to December 2014 and its 12 months
    assert engine._year_totals(SEEN, series, None, DEC14) == (None, None)


def test_only_numerators_over_denominators_are_summed_over_months():
    series = {JAN15: (Figure(D(7)), 1, 1)}
    assert engine._year_totals(REFERRALS, series, None, JAN15) == (None, None)


# --- why a figure has no rating --------------------------------------------


def test_too_few_children_to_rate_below_the_measures_minimum_denominator():
    assert engine._note(SEEN, Figure(D(3), D(4)), D(75)) == "too few to rate: 4 children"
    assert engine._note(SEEN, Figure(D(4), D(5)), D(80)) == ""  # at the minimum
    context = measure(polarity=Measure.Polarity.NONE)  # shown for context, never rated
    assert engine._note(context, Figure(D(3), D(4)), D(75)) == ""
    assert engine._note(SEEN, Figure(value=D(75)), D(75)) == ""  # imported: no parts


def test_a_count_per_10000_without_a_population_has_no_figure_and_says_so():
    assert engine._note(CP_RATE, Figure(D(36)), None) == engine.NO_POPULATION
    assert engine._note(CP_RATE, Figure(D(36)), D(3)) == ""
    assert engine._note(CP_RATE, Figure(), None) == ""  # nothing was entered
    assert engine._note(REFERRALS, Figure(D(36)), None) == ""


def test_no_figure_or_not_applicable_needs_no_note():
    assert engine._note(SEEN, None, None) == ""
    assert engine._note(SEEN, Figure(not_applicable=True), None) == ""
    assert engine._note(CP_RATE, Figure(D(36), not_applicable=True), None) == ""


# --- small numbers withheld ------------------------------------------------

AREAS = [
    ServiceArea(pk=pk, name=name, parent_id=9)
    for pk, name in [(1, "North"), (2, "South"), (3, "East"), (4, "West")]
]


@pytest.fixture
def threshold(settings):
    settings.SMALL_NUMBER_THRESHOLD = 5


def area_figure(count):
    if count is None:
        return None  # no approved figure
    if count == "n/a":
        return Figure(not_applicable=True)
    return Figure(D(count))


def counts(*by_month):
    """{area id: {month: point}} from one {area id: count, None or 'n/a'} per month."""
    series = {area.pk: {} for area in AREAS}
    for month, figures in by_month:
        for area_id, count in figures.items():
            series[area_id][month] = (area_figure(count), 1, 1)
    return series


def test_a_small_count_is_withheld_and_so_is_the_next_smallest_area(threshold):
    series = counts((JAN15, {1: None, 2: 3, 3: 40, 4: 12}), (FEB15, {1: "n/a", 2: 30, 3: 2, 4: 12}))
    assert engine.withheld_figures(REFERRALS, AREAS, [JAN15, FEB15], series, {}) == {
        (2, JAN15),
        (4, JAN15),  # South's 3, and West's 12 so that 3 is not the total less
        (3, FEB15),
        (4, FEB15),
    }


def test_two_small_counts_hide_each_other_and_nothing_else(threshold):
    series = counts((JAN15, {1: 1, 2: 3, 3: 40, 4: 12}))
    assert engine.withheld_figures(REFERRALS, AREAS, [JAN15], series, {}) == {
        (1, JAN15),
        (2, JAN15),
    }
    series = counts((JAN15, {1: 0, 2: 5, 3: 40, 4: 12}))  # none, or at the threshold: shown
    assert engine.withheld_figures(REFERRALS, AREAS, [JAN15], series, {}) == set()


def test_a_percentage_of_few_children_is_withheld_with_the_next_smallest_denominator(threshold):
    series = {
        1: {JAN15: point(3, 40)},
        2: {JAN15: point(20, 30)},
        3: {JAN15: point(24, 25)},
        4: {JAN15: point(30, 60)},
    }
    # East's 25 children, not South's 20 of 30: the denominator is what can be worked out
    assert engine.withheld_figures(SEEN, AREAS, [JAN15], series, {}) == {(1, JAN15), (3, JAN15)}


def test_an_imported_count_without_its_numerator_is_withheld_by_its_value(threshold):
    series = {
        area.pk: {JAN15: (Figure(value=D(count)), 1, 1)}
        for area, count in zip(AREAS, [3, 40, 12, 25], strict=True)
    }
    assert engine.withheld_figures(REFERRALS, AREAS, [JAN15], series, {}) == {
        (1, JAN15),
        (3, JAN15),
    }


def test_staffing_figures_and_the_authoritys_own_are_never_withheld(threshold):
    series = counts((JAN15, {1: 1, 2: 3, 3: 40, 4: 12}))
    staffing = measure(
        code="agency",
        group_id=MeasureGroup.WORKFORCE,
        unit=Measure.Unit.COUNT,
        entry=Measure.Entry.COUNT,
    )
    assert engine.withheld_figures(staffing, AREAS, [JAN15], series, {}) == set()
    assert engine.withheld_figures(REFERRALS, [], [JAN15], series, {}) == set()  # authority-level


# --- one area's rows -------------------------------------------------------

COLUMNS = [
    "numerator",
    "denominator",
    "value",
    "not_applicable",
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
    "note",
    "suppressed",
]


def shown(row):
    return {column: getattr(row, column) for column in COLUMNS}


def results(measure, series, months, withheld=(), populations=None, run=None, **going_on):
    """`going_on`: `carried` (engine.Carried) and the `history` read."""
    return engine.results_for(
        measure,
        NORTH,
        months,
        series,
        TARGETS,
        {month: engine.benchmarks_in_force(BENCHMARKS, month) for month in months},
        populations or {},
        run or CalculationRun(),
        set(withheld),
        going_on.get("history", sorted(set(series) | set(months))),
        going_on.get("carried"),
    )


BANDED = measure(green_band=D(1))  # 1 point short of the target is in line with it
SERIES = {
    FEB14: point(95, 100),  # a year before February 2015
    MAR14: point(10, 100),  # the last financial year, but within the 12 months
    APR14: point(30, 40),
    JAN15: point(80, 100),
    FEB15: point(875, 1000, expected=2, approved=1),
}


def test_a_months_row_has_its_figure_target_rating_directions_sums_and_benchmarks():
    run = CalculationRun()
    jan, feb = results(BANDED, SERIES, [JAN15, FEB15], run=run)
    assert shown(feb) == {
        "numerator": D(875),
        "denominator": D(1000),
        "value": D("87.5"),
        "not_applicable": False,
        "target": D(88),  # the target that starts in February
        "rating": "green",  # 0.5 short: within the Green band of 1
        "against_last_month": "improving",  # from 80.0
        "against_last_year": "worsening",  # from 95.0
        "year_to_date": D(30 + 80 + 875) * 100 / D(40 + 100 + 1000),  # April to February
        "rolling_12_months": D(10 + 30 + 80 + 875) * 100 / D(100 + 40 + 100 + 1000),
        "benchmark_comparison": {"england": "worse", "region": "worse"},
        "provisional": True,  # one of the two returns expected is approved
        "returns_expected": 2,
        "returns_approved": 1,
        "note": "",
        "suppressed": False,
    }
    assert (feb.run, feb.measure, feb.area, feb.month) == (run, BANDED, NORTH, FEB15)
    assert (jan.month, jan.target, jan.rating) == (JAN15, D(85), "amber")  # 5 short
    assert (jan.against_last_month, jan.against_last_year) == ("", "")  # no December, no 2014
    assert not jan.provisional


def test_a_month_without_a_figure_has_a_row_with_nothing_to_show():
    (row,) = results(SEEN, {DEC14: (None, 1, 0)}, [DEC14])
    assert shown(row) == {
        "numerator": None,
        "denominator": None,
        "value": None,
        "not_applicable": False,
        "target": D(85),
        "rating": "none",
        "against_last_month": "",
        "against_last_year": "",
        "year_to_date": None,
        "rolling_12_months": None,
        "benchmark_comparison": {},
        "provisional": True,
        "returns_expected": 1,
        "returns_approved": 0,
        "note": "",
        "suppressed": False,
    }


def test_a_not_applicable_month_shows_as_such_and_counts_in_no_sum():
    series = {**SERIES, FEB15: (Figure(not_applicable=True), 1, 1)}
    (row,) = results(SEEN, series, [FEB15])
    assert (row.not_applicable, row.value, row.numerator, row.rating) == (True, None, None, "none")
    assert row.year_to_date == D(30 + 80) * 100 / D(40 + 100)


def test_too_few_children_shows_the_percentage_but_no_rating():
    (row,) = results(SEEN, {FEB15: point(1, 4)}, [FEB15])  # 25% against 88 would be Red
    assert (row.value, row.rating, row.note) == (D(25), "none", "too few to rate: 4 children")


def test_the_months_a_quarterly_measure_is_not_due_have_rows_that_say_so():
    quarterly = measure(frequency="quarterly")
    series = {DEC14: point(80, 100), MAR15: point(90, 100)}
    run = CalculationRun()
    dec, jan, feb, mar = results(quarterly, series, [DEC14, JAN15, FEB15, MAR15], run=run)
    for row, month in ((jan, JAN15), (feb, FEB15)):
        assert (row.run, row.measure, row.area, row.month) == (run, quarterly, NORTH, month)
        assert (row.due, row.provisional, row.value, row.rating) == (False, False, None, "none")
    assert (dec.due, dec.value, mar.due, mar.value) == (True, D(80), True, D(90))
    assert mar.against_last_month == "improving"  # March against December: the last quarter


def test_a_year_to_date_rate_is_its_latest_figure_at_that_years_population():
    ytd = measure(
        code="referral-rate",
        unit=Measure.Unit.RATE_10K,
        entry=Measure.Entry.COUNT,
        polarity=Measure.Polarity.NONE,
        year_to_date=True,
    )
    series = {JAN15: (Figure(D(600)), 1, 1), FEB15: (Figure(D(660)), 1, 1)}
    populations = {(NORTH.pk, 2015): 120_000}
    jan, feb = results(ytd, series, [JAN15, FEB15], populations=populations)
    assert (feb.value, feb.year_to_date) == (D(55), D(55))  # 660 / 120,000 x 10,000, not a sum
    assert feb.rolling_12_months is None  # no March in the 12 months: no year's figure


def test_no_population_says_for_which_year():
    (row,) = results(CP_RATE, {FEB15: (Figure(D(36)), 1, 1)}, [FEB15])
    assert (row.value, row.rating, row.note) == (None, "none", "no child population for 2015")
    (row,) = results(
        CP_RATE, {FEB15: (Figure(D(36)), 1, 1)}, [FEB15], populations={(NORTH.pk, 2015): 120_000}
    )
    assert (row.value, row.note) == (D(3), "")  # 36 / 120,000 x 10,000


def test_a_withheld_figure_gives_nothing_away_beside_it():
    feb, mar = results(
        SEEN, {**SERIES, MAR15: point(90, 100)}, [FEB15, MAR15], withheld={(NORTH.pk, FEB15)}
    )
    assert feb.suppressed and not mar.suppressed
    assert (feb.rating, feb.against_last_month, feb.benchmark_comparison) == ("none", "", {})
    assert mar.against_last_month == ""  # February's figure would show through March's
    assert (mar.value, mar.rating) == (D(90), "amber")  # against March's target of 95


# --- periods in a row and the chart, and going on from the period before -----

# April 2014 to November 2015: Green for 16 months (against 85, 88, then 95),
# then Amber, Red, and Green again
LONG = {
    add_months(APR14, i): point(value, 100)
    for i, value in enumerate(
        [96, 99, 97, 98, 96, 99, 98, 97, 99, 96, 98, 97, 99, 96, 97, 98, 92, 80, 97, 98]
    )
}


def test_each_row_counts_its_periods_at_its_rating_and_keeps_its_chart_as_it_stood():
    months = sorted(LONG)
    rows = results(SEEN, LONG, months)
    assert [row.rating for row in rows] == ["green"] * 16 + ["amber", "red", "green", "green"]
    assert [row.rating_months for row in rows] == [*range(1, 17), 1, 1, 1, 2]
    chart = spc.Running()
    for row in rows:
        chart = chart.add(rag.round_to(row.value, 1), spc.recent_length())  # as shown
        assert row.spc_state == chart.stored()
        assert row.spc_points == chart.count
    assert rows[-1].spc_mean is not None and rows[-1].spc_assurance


def test_a_month_off_the_chart_says_why():
    baselined = measure(spc_baseline_start=MAY14)
    series = {**LONG, add_months(APR14, 20): (None, 1, 0)}
    months = sorted(series)
    rows = results(baselined, series, months, withheld={(NORTH.pk, add_months(APR14, 19))})
    assert rows[0].spc_note.startswith("before the process limits' baseline of May 2014")
    assert (rows[0].spc_points, rows[1].spc_points) == (0, 1)
    assert rows[-2].spc_note == engine.WITHHELD_FROM_SPC
    assert rows[-1].spc_note == engine.NO_FIGURE_FOR_SPC


def test_going_on_from_the_period_before_gives_what_the_whole_series_gives():
    """As a run does that reads only the year before: the Green streak began
    before that year, and the chart with its first point."""
    months, run = sorted(LONG), CalculationRun()
    whole = results(SEEN, LONG, months, run=run)
    first = months[14]
    before = whole[13]
    carried = engine.Carried(
        before.month, before.rating, before.rating_months, spc.Running.from_stored(before.spc_state)
    )
    year_before = [m for m in months if add_months(first, -12) <= m]
    going_on = results(SEEN, LONG, months[14:], run=run, carried=carried, history=year_before)
    assert going_on == whole[14:]
    assert going_on[0].rating_months == 15
