from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard import rag

TOL = D(5)


@pytest.mark.parametrize(
    "outturn, target, polarity, expected",
    [
        # at the target: meets it
        (D("85.0"), D("85.0"), rag.HIGHER, rag.GREEN),
        (D("25.0"), D("25.0"), rag.LOWER, rag.GREEN),
        # beating it
        (D("95.0"), D("85.0"), rag.HIGHER, rag.GREEN),
        (D("20.0"), D("25.0"), rag.LOWER, rag.GREEN),
        # just worse than it
        (D("84.9"), D("85.0"), rag.HIGHER, rag.AMBER),
        (D("25.1"), D("25.0"), rag.LOWER, rag.AMBER),
        # exactly at the tolerance: still Amber
        (D("80.0"), D("85.0"), rag.HIGHER, rag.AMBER),
        (D("30.0"), D("25.0"), rag.LOWER, rag.AMBER),
        # just beyond the tolerance: Red
        (D("79.9"), D("85.0"), rag.HIGHER, rag.RED),
        (D("30.1"), D("25.0"), rag.LOWER, rag.RED),
    ],
)
def test_rating_at_the_edges(outturn, target, polarity, expected):
    assert rag.rate(outturn, target, polarity, TOL) == expected


@pytest.mark.parametrize(
    "measure, outturn, target, polarity, expected",
    [
        ("repeat referrals", "31.0", "25.0", rag.LOWER, rag.RED),
        ("assessments in 45 days", "76.0", "85.0", rag.HIGHER, rag.RED),
        ("children seen", "89.0", "93.0", rag.HIGHER, rag.AMBER),
        ("16-18 pathway plans", "95.0", "85.0", rag.HIGHER, rag.GREEN),
        ("care leavers", "66.8", "85.0", rag.HIGHER, rag.RED),
        ("CLA within 20 miles", "46.0", "46.0", rag.HIGHER, rag.GREEN),
        ("ICPC in 15 days", "44.0", "70.0", rag.HIGHER, rag.RED),
    ],
)
def test_the_seed_ratings_with_a_tolerance_of_5_points(
    measure, outturn, target, polarity, expected
):
    assert rag.rate(D(outturn), D(target), polarity, TOL) == expected


def test_no_outturn_no_target_or_no_polarity_is_no_rating_never_green():
    assert rag.rate(None, D(85), rag.HIGHER, TOL) == rag.NO_RATING
    assert rag.rate(D(90), None, rag.HIGHER, TOL) == rag.NO_RATING
    assert rag.rate(D(90), D(85), rag.NO_POLARITY, TOL) == rag.NO_RATING


def test_relative_tolerance_is_a_share_of_the_target():
    # 10% of a target of 50 allows 5 points
    assert rag.rate(D(45), D(50), rag.HIGHER, D(10), rag.RELATIVE) == rag.AMBER
    assert rag.rate(D("44.9"), D(50), rag.HIGHER, D(10), rag.RELATIVE) == rag.RED
    assert rag.rate(D(55), D(50), rag.LOWER, D(10), rag.RELATIVE) == rag.AMBER


def test_direction_of_travel_follows_polarity():
    assert rag.direction(D(31), D(25), rag.LOWER) == rag.WORSENING
    assert rag.direction(D(31), D(25), rag.HIGHER) == rag.IMPROVING
    assert rag.direction(D(25), D(25), rag.HIGHER) == rag.UNCHANGED
    assert rag.direction(D(31), D(25), rag.NO_POLARITY) == rag.UP
    assert rag.direction(D(20), D(25), rag.NO_POLARITY) == rag.DOWN
    assert rag.direction(D(20), None, rag.HIGHER) == ""


def test_benchmark_comparison_follows_polarity():
    assert rag.compare(D("31.0"), D("23.4"), rag.LOWER) == rag.WORSE
    assert rag.compare(D("76.0"), D("94.0"), rag.HIGHER) == rag.WORSE
    assert rag.compare(D("20.0"), D("23.4"), rag.LOWER) == rag.BETTER
    assert rag.compare(D("96.0"), D("94.0"), rag.HIGHER) == rag.BETTER
    assert rag.compare(D("29.1"), D("34.3"), rag.NO_POLARITY) == "lower"
    assert rag.compare(D("36.0"), D("34.3"), rag.NO_POLARITY) == "higher"
    assert rag.compare(D(5), D(5), rag.HIGHER) == rag.SAME


def test_no_figure_or_no_benchmark_is_no_comparison():
    assert rag.compare(None, D("23.4"), rag.LOWER) == ""
    assert rag.compare(D("31.0"), None, rag.LOWER) == ""


def test_a_rating_needs_a_polarity_and_a_known_tolerance_kind():
    with pytest.raises(ValueError, match="^no shortfall without a polarity: 'sideways'$"):
        rag.shortfall(D(90), D(85), "sideways")
    with pytest.raises(ValueError, match="^unknown tolerance kind: 'percent'$"):
        rag.rate(D(80), D(85), rag.HIGHER, TOL, "percent")


def test_round_to_rounds_half_up_like_a_spreadsheet():
    assert rag.round_to(D("30.05"), 1) == D("30.1")
    assert rag.round_to(D("30.04"), 1) == D("30.0")
    assert rag.round_to(None, 1) is None


values = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)
tolerances = st.decimals(min_value=0, max_value=50, places=2, allow_nan=False)
ORDER = {rag.RED: 0, rag.AMBER: 1, rag.GREEN: 2}


@given(values, values, values, tolerances)
def test_rating_is_monotonic_in_the_value(a, b, target, tolerance):
    low, high = sorted([a, b])
    assert (
        ORDER[rag.rate(low, target, rag.HIGHER, tolerance)]
        <= ORDER[rag.rate(high, target, rag.HIGHER, tolerance)]
    )
    assert (
        ORDER[rag.rate(low, target, rag.LOWER, tolerance)]
        >= ORDER[rag.rate(high, target, rag.LOWER, tolerance)]
    )


@given(values, values, tolerances)
def test_swapping_polarity_mirrors_the_rating(value, target, tolerance):
    # value v against target t with higher-better rates as -v against -t with lower-better
    assert rag.rate(value, target, rag.HIGHER, tolerance) == rag.rate(
        -value, -target, rag.LOWER, tolerance
    )


@pytest.mark.parametrize(
    "outturn, band, kind, expected",
    [
        # "in line with target": 89.8 against 90 with a 0.2-point band is on track
        (D("89.8"), D("0.2"), rag.POINTS, rag.GREEN),
        (D("89.7"), D("0.2"), rag.POINTS, rag.AMBER),
        # the default band of 0 rates only a met target Green (today's ratings)
        (D("89.8"), D(0), rag.POINTS, rag.AMBER),
        (D("90.0"), D(0), rag.POINTS, rag.GREEN),
        # relative band: 1% of a 90 target is 0.9 points
        (D("89.1"), D(1), rag.RELATIVE, rag.GREEN),
        (D("89.0"), D(1), rag.RELATIVE, rag.AMBER),
    ],
)
def test_green_band_at_its_edge(outturn, band, kind, expected):
    tolerance = D(5) if kind == rag.POINTS else D("5.6")  # 5.6% of 90 is 5.04 points
    assert rag.rate(outturn, D(90), rag.HIGHER, tolerance, kind, green_band=band) == expected


def test_green_band_for_lower_is_better():
    assert rag.rate(D("25.2"), D(25), rag.LOWER, TOL, rag.POINTS, green_band=D("0.2")) == rag.GREEN
    assert rag.rate(D("25.3"), D(25), rag.LOWER, TOL, rag.POINTS, green_band=D("0.2")) == rag.AMBER
