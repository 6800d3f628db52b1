"""The engine's series on their own, plain values in and out (no database): each
area's approved figures, the authority's pooled from them, and the named
fallback to the authority's own figure."""

from datetime import date
from decimal import Decimal as D

from scorecard import engine
from scorecard.figures import Figure
from scorecard.models import Measure

JAN, FEB, MAR = date(2015, 1, 1), date(2015, 2, 1), date(2015, 3, 1)
NORTH, SOUTH, AUTHORITY = 1, 2, 9
APPROVED, SUBMITTED = "approved", "submitted"
RATIO = Measure(code="seen", entry=Measure.Entry.RATIO)
VALUE = Measure(code="spend", entry=Measure.Entry.VALUE)


def test_an_area_counts_only_months_whose_return_is_approved():
    known = {("seen", NORTH, JAN): Figure(D(3), D(4)), ("seen", NORTH, FEB): Figure(D(1), D(2))}
    statuses = {(NORTH, JAN): APPROVED, (NORTH, FEB): SUBMITTED}
    series = engine.area_series(RATIO, NORTH, [JAN, FEB, MAR], known, statuses)
    assert series == {JAN: (Figure(D(3), D(4)), 1, 1), FEB: (None, 1, 0), MAR: (None, 1, 0)}


def test_an_approved_return_without_the_measure_gives_no_figure_but_counts_as_approved():
    series = engine.area_series(RATIO, NORTH, [JAN], {}, {(NORTH, JAN): APPROVED})
    assert series == {JAN: (None, 1, 1)}


def authority(measure, known, statuses, areas=(NORTH, SOUTH), months=(JAN,)):
    reporting = {
        area: engine.area_series(measure, area, list(months), known, statuses) for area in areas
    }
    area_months = {month for (area, month) in statuses if area != AUTHORITY}
    return engine.authority_series(
        measure, AUTHORITY, list(months), known, statuses, reporting, area_months
    )


def test_the_authority_pools_its_areas_approved_parts_and_counts_their_returns():
    known = {("seen", NORTH, JAN): Figure(D(3), D(4)), ("seen", SOUTH, JAN): Figure(D(1), D(6))}
    statuses = {(NORTH, JAN): APPROVED, (SOUTH, JAN): APPROVED}
    assert authority(RATIO, known, statuses) == {JAN: (Figure(D(4), D(10)), 2, 2)}
    statuses[(SOUTH, JAN)] = SUBMITTED  # south not yet approved: north alone, provisional
    assert authority(RATIO, known, statuses) == {JAN: (Figure(D(3), D(4)), 2, 1)}


def test_a_missing_area_return_is_not_expected_and_a_month_without_any_is_the_authoritys():
    known = {("seen", NORTH, JAN): Figure(D(3), D(4)), ("seen", AUTHORITY, FEB): Figure(D(5), D(8))}
    statuses = {(NORTH, JAN): APPROVED, (AUTHORITY, FEB): APPROVED}
    assert authority(RATIO, known, statuses, months=(JAN, FEB)) == {
        JAN: (Figure(D(3), D(4)), 1, 1),  # south has no return for January
        FEB: (Figure(D(5), D(8)), 1, 1),  # no area has a February return
    }


def test_an_authority_level_measure_is_the_authoritys_own_approved_figure():
    known = {("seen", AUTHORITY, JAN): Figure(D(5), D(8))}
    assert authority(RATIO, known, {(AUTHORITY, JAN): APPROVED}, areas=()) == {
        JAN: (Figure(D(5), D(8)), 1, 1)
    }
    assert authority(RATIO, known, {(AUTHORITY, JAN): SUBMITTED}, areas=()) == {JAN: (None, 1, 0)}


def test_values_without_parts_cannot_be_pooled_so_the_authoritys_own_figure_stands():
    known = {
        ("spend", NORTH, JAN): Figure(value=D(10)),
        ("spend", SOUTH, JAN): Figure(value=D(20)),
        ("spend", AUTHORITY, JAN): Figure(value=D(31)),
    }
    statuses = {(NORTH, JAN): APPROVED, (SOUTH, JAN): APPROVED, (AUTHORITY, JAN): APPROVED}
    assert authority(VALUE, known, statuses) == {JAN: (Figure(value=D(31)), 1, 1)}
    statuses[(AUTHORITY, JAN)] = SUBMITTED  # the authority's own not approved: nothing
    assert authority(VALUE, known, statuses) == {JAN: (None, 2, 2)}


def test_the_fallback_takes_the_authoritys_own_figure_only_when_nothing_pooled():
    own, pooled = Figure(value=D(31)), (Figure(D(4), D(10)), 2, 1)
    assert engine.own_figure_fallback((None, 2, 1), own, True) == (own, 1, 1)
    assert engine.own_figure_fallback((Figure(), 2, 1), own, True) == (own, 1, 1)
    assert engine.own_figure_fallback(pooled, own, True) == pooled
    assert engine.own_figure_fallback((None, 2, 1), own, False) == (None, 2, 1)
    assert engine.own_figure_fallback((None, 2, 1), None, True) == (None, 2, 1)
    assert engine.own_figure_fallback((None, 2, 1), Figure(), True) == (None, 2, 1)
    not_applicable = (Figure(not_applicable=True), 2, 2)  # every area said why not
    assert engine.own_figure_fallback(not_applicable, own, True) == not_applicable


def test_an_authority_level_measure_ignores_the_areas_returns_for_the_month():
    known = {("seen", NORTH, JAN): Figure(D(3), D(4)), ("seen", AUTHORITY, JAN): Figure(D(5), D(8))}
    statuses = {(NORTH, JAN): APPROVED, (AUTHORITY, JAN): SUBMITTED}
    assert authority(RATIO, known, statuses, areas=()) == {JAN: (None, 1, 0)}
    statuses[(AUTHORITY, JAN)] = APPROVED
    assert authority(RATIO, known, statuses, areas=()) == {JAN: (Figure(D(5), D(8)), 1, 1)}


def test_pooling_sums_the_parts_of_the_areas_that_have_a_figure():
    assert engine.pooled(
        RATIO, [Figure(D(3), D(4)), Figure(not_applicable=True), Figure(D(1), D(6))]
    ) == Figure(D(4), D(10))
    assert engine.pooled(RATIO, []) is None  # no area has a figure


def test_when_every_area_says_not_applicable_so_does_the_authority():
    every = [Figure(not_applicable=True), Figure(not_applicable=True)]
    assert engine.pooled(RATIO, every) == Figure(not_applicable=True)


def test_values_given_with_their_parts_pool_as_the_sum_of_the_parts_divided():
    # cases per worker: 300 cases over 15 FTE and 300 over 25: 600 over 40, not (20+12)/2
    areas = [Figure(D(300), D(15), D(20)), Figure(D(300), D(25), D(12))]
    assert engine.pooled(VALUE, areas) == Figure(D(600), D(40), D(15))
    assert engine.pooled(VALUE, [Figure(D(0), D(0), None)]) == Figure(D(0), D(0), None)
    assert engine.pooled(VALUE, [*areas, Figure(D(300), None, D(20))]) is None
    assert engine.pooled(VALUE, [*areas, Figure(None, D(15), D(20))]) is None
