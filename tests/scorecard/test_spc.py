"""The XmR chart's limits and special-cause rules (scorecard/spc.py): on the
plotthedots projects' published cases (tests/data/spc/README.md) and hand-made
edges. No database."""

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard import rag, spc
from scorecard.aggregation import add_months

CASES = json.loads((Path(__file__).parent.parent / "data" / "spc" / "plotthedots.json").read_text())


def decimals(numbers):
    return [D(str(n)) for n in numbers]


def rules(found, rule):
    """The positions whose signals include `rule`, with the side of each."""
    return {i: s.side for i, point in enumerate(found) for s in point if s.rule == rule}


def by_hand(mean="0", upper="10", lower="-10"):
    """Limits for a short series the rules are checked on (limits() wants 12 points)."""
    return spc.Limits(D(mean), D(1), D(upper), D(lower))


# --- limits ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["limits"], ids=lambda case: case["name"])
def test_limits_are_the_published_ones(case):
    found = spc.limits(decimals(case["values"]))
    places = D("1E-12")
    assert found.mean == D(case["mean"])
    assert found.lower.quantize(places) == D(case["lower"]).quantize(places)
    assert found.upper.quantize(places) == D(case["upper"]).quantize(places)


def test_the_nhs_england_demonstration_has_its_limits_and_its_one_special_cause():
    case = CASES["demo"]
    values = decimals(case["values"])
    found = spc.limits(values)
    assert found.mean.quantize(D("0.01")) == D(case["mean_to_2_places"])
    assert found.lower.quantize(D(1)) == D(case["lower_to_0_places"])
    assert found.upper.quantize(D(1)) == D(case["upper_to_0_places"])
    points = spc.signals(values, found, rag.HIGHER)
    assert [i for i, point in enumerate(points) if point] == case["special_cause_points"]
    assert points[11] == [spc.Signal(spc.BEYOND_LIMIT, spc.LOW, spc.CONCERNING)]


def test_twelve_points_have_limits_eleven_do_not():
    values = decimals([10, 12] * 6)
    assert spc.limits(values[:11]) is None
    assert spc.NOT_ENOUGH_POINTS == "fewer than 12 points: no statistical process control"
    # mean 11, every moving range 2: limits 11 ± 2.66 × 2, exactly
    assert spc.limits(values) == spc.Limits(D(11), D(2), D("16.32"), D("5.68"))


def test_limits_are_decimal_and_exact_for_percentages():
    values = decimals(["31.0", "25.0"] * 6)
    found = spc.limits(values)
    assert found == spc.Limits(D("28.0"), D("6.0"), D("43.96"), D("12.04"))
    assert all(isinstance(v, D) for v in (found.mean, found.mean_moving_range, found.upper))


def test_no_moving_range_puts_both_limits_on_the_mean_and_signals_nothing():
    values = decimals(["25.0"] * 12)
    found = spc.limits(values)
    assert found == spc.Limits(D("25.0"), D(0), D("25.0"), D("25.0"))
    assert spc.signals(values, found, rag.LOWER) == [[]] * 12
    assert spc.variation([]) == spc.COMMON_CAUSE


def test_a_baseline_recalculates_the_limits_from_its_start():
    months = [add_months(date(2014, 4, 1), i) for i in range(12 + 6)]
    before, after = decimals([50] * 6), decimals([10, 12] * 6)
    series = list(zip(months, before + after, strict=True))
    reset = spc.points(series, months[6])
    assert reset == series[6:]
    assert spc.limits([value for _, value in reset]) != spc.limits(before + after)
    assert len(spc.points(series, months[7])) == 11  # too few from a later reset
    assert spc.points(series, None) == series


def test_a_chart_leaves_out_the_months_without_a_figure():
    series = [(date(2014, 4, 1), D(1)), (date(2014, 5, 1), None), (date(2014, 6, 1), D(3))]
    assert spc.points(series, None) == [(date(2014, 4, 1), D(1)), (date(2014, 6, 1), D(3))]


def test_no_points_no_limits():
    assert spc.limits([]) is None and spc.running_limits([]) == []


@given(st.lists(st.decimals(-1000, 1000, places=1), max_size=30), st.integers(1, 9))
def test_a_chart_s_state_kept_as_json_is_the_same_state(values, keep):
    """What a result stores of its chart (`Running.stored`), read back."""
    state = spc.Running()
    for value in values:
        state = state.add(value, keep)
    assert spc.Running.from_stored(json.loads(json.dumps(state.stored()))) == state
    assert len(state.recent) == min(keep, len(values))


def test_the_points_kept_for_the_latest_signals_are_enough_for_two_of_three():
    assert spc.recent_length(2, 2) == 3
    assert spc.recent_length(7, 9) == spc.recent_length(9, 7) == 9


@given(st.lists(st.decimals(-1000, 1000, places=1), min_size=1, max_size=40))
def test_running_limits_are_the_limits_as_at_each_point(values):
    assert spc.running_limits(values) == [spc.limits(values[: i + 1]) for i in range(len(values))]


@given(
    st.lists(st.sampled_from([D(1), D(2), D(3), D(5), D(8), D(9)]), min_size=12, max_size=40),
    st.integers(2, 10),
    st.integers(2, 10),
    st.sampled_from([rag.HIGHER, rag.LOWER, rag.NO_POLARITY]),
)
def test_the_latest_signals_are_the_whole_charts_last(values, run_length, trend_length, polarity):
    found = spc.limits(values)
    whole = spc.signals(values, found, polarity, run_length, trend_length)
    assert spc.latest_signals(values, found, polarity, run_length, trend_length) == whole[-1]


@given(
    st.lists(
        st.sampled_from([D(-4), D(-1), D(0), D(1), D(2), D(3), D(6)]), min_size=1, max_size=20
    ),
    st.sampled_from([D(-1), D(0), D("0.5"), D(1)]),
    st.sampled_from([D(0), D(2), D(3), D("4.5")]),
    st.integers(2, 10),
    st.integers(2, 10),
    st.sampled_from([rag.HIGHER, rag.LOWER, rag.NO_POLARITY]),
)
def test_the_latest_signals_are_the_last_of_any_chart_s(
    values, mean, width, run_length, trend_length, polarity
):
    """Any limits, points on them and on the mean, charts shorter than a run."""
    limits = spc.Limits(mean, width / spc.LIMIT_FACTOR, mean + width, mean - width)
    whole = spc.signals(values, limits, polarity, run_length, trend_length)
    assert spc.latest_signals(values, limits, polarity, run_length, trend_length) == whole[-1]


@given(st.lists(st.decimals(-1000, 1000, places=1), min_size=12, max_size=40))
def test_limits_lie_2_66_mean_moving_ranges_either_side_of_the_mean(values):
    found = spc.limits(values)
    width = D("2.66") * found.mean_moving_range
    # exact to 20 places: a quotient that does not end is kept to 28 digits
    assert (found.upper - found.mean - width).quantize(D("1E-20")) == 0
    assert (found.mean - found.lower - width).quantize(D("1E-20")) == 0
    assert spc.limits(values[::-1]) == found  # order changes no moving range


# --- the rules ----------------------------------------------------------------


def test_a_point_beyond_a_limit_not_one_on_it():
    values = decimals([0, 10, 11, 0, -10, -11])
    found = spc.signals(values, by_hand(), rag.HIGHER)
    assert rules(found, spc.BEYOND_LIMIT) == {2: spc.HIGH, 5: spc.LOW}


@pytest.mark.parametrize("case", CASES["runs"]["cases"], ids=str)
def test_runs_on_one_side_of_the_mean_are_plotthedots(case):
    found = spc.signals(decimals(case["sides"]), by_hand(), rag.HIGHER)
    side = {1: spc.HIGH, -1: spc.LOW}
    assert rules(found, spc.RUN) == {i: side[case["sides"][i]] for i in case["in_run"]}


def test_a_point_on_the_mean_breaks_a_run():
    broken = decimals([1] * 6 + [0] + [1] * 6)
    assert rules(spc.signals(broken, by_hand(), rag.HIGHER), spc.RUN) == {}
    whole = decimals([1] * 6 + [2] + [1] * 6)
    assert len(rules(spc.signals(whole, by_hand(), rag.HIGHER), spc.RUN)) == 13


def test_the_run_length_is_a_setting():
    values = decimals([-1] * 6 + [1])
    assert rules(spc.signals(values, by_hand(), rag.HIGHER), spc.RUN) == {}
    six = spc.signals(values, by_hand(), rag.HIGHER, run_length=6)
    assert rules(six, spc.RUN) == dict.fromkeys(range(6), spc.LOW)
    assert six[0] == [spc.Signal(spc.RUN, spc.LOW, spc.CONCERNING)]


@pytest.mark.parametrize("case", CASES["trends"]["cases"], ids=str)
def test_trends_are_plotthedots(case):
    found = spc.signals(decimals(case["values"]), by_hand(mean="4"), rag.LOWER)
    expected = dict.fromkeys(case["rising"], spc.HIGH) | dict.fromkeys(case["falling"], spc.LOW)
    assert rules(found, spc.TREND) == expected


def test_the_trend_length_is_a_setting_and_a_trend_rises_or_falls_with_polarity():
    values = decimals([5, 4, 3, 2, 1, 0])
    assert rules(spc.signals(values, by_hand(), rag.HIGHER), spc.TREND) == {}
    five = spc.signals(values, by_hand(), rag.HIGHER, trend_length=5)
    assert rules(five, spc.TREND) == dict.fromkeys(range(6), spc.LOW)
    assert spc.Signal(spc.TREND, spc.LOW, spc.CONCERNING) in five[5]
    lower = spc.signals(values, by_hand(), rag.LOWER, trend_length=6)
    assert spc.Signal(spc.TREND, spc.LOW, spc.IMPROVING) in lower[5]


def test_two_of_three_near_a_limit_on_the_same_side_as_plotthedots():
    values = decimals(CASES["two_of_three_opposite_sides"]["values"])
    found = spc.signals(values, spc.limits(values), rag.HIGHER)
    assert found[-2:] == [[], []]  # near opposite limits: common cause


TWO_OF_THREE_CASES = [
    # limits ±9: near means beyond 6 (two sigma), up to and on the limit
    (["7", "1", "9"], {0: spc.HIGH, 2: spc.HIGH}),  # two of three, the third between
    (["-7", "-8", "0"], {}),  # the third on the mean: not all on one side
    (["-7", "-8", "-1"], {0: spc.LOW, 1: spc.LOW}),
    (["-7", "-1", "-9"], {0: spc.LOW, 2: spc.LOW}),  # on the limit is near it
    (["7", "-1", "7"], {}),  # the third on the other side
    (["7", "1", "6"], {}),  # 6 is two sigma exactly: not beyond it
    (["7", "1", "10"], {}),  # beyond the limit is not near it
    (["0", "7", "1", "1", "7", "0"], {}),  # two, but never two in three
    (["7", "1", "7", "7"], dict.fromkeys([0, 2, 3], spc.HIGH)),
    (["-1", "7", "1", "7"], {1: spc.HIGH, 3: spc.HIGH}),  # the second three
]


@pytest.mark.parametrize("values, expected", TWO_OF_THREE_CASES)
def test_two_of_three_near_a_limit(values, expected):
    found = spc.signals(decimals(values), by_hand(upper="9", lower="-9"), rag.HIGHER)
    assert rules(found, spc.TWO_OF_THREE) == expected


def test_two_of_three_about_a_mean_that_is_not_zero():
    values = decimals(["107", "101", "109", "93"])
    found = spc.signals(values, by_hand(mean="100", upper="109", lower="91"), rag.LOWER)
    assert rules(found, spc.TWO_OF_THREE) == {0: spc.HIGH, 2: spc.HIGH}
    assert found[0] == [spc.Signal(spc.TWO_OF_THREE, spc.HIGH, spc.CONCERNING)]


def test_a_point_carries_every_rule_it_is_part_of_in_order():
    values = decimals([1, 2, 3, 4, 5, 6, 20])
    found = spc.signals(values, by_hand(mean="0.5", upper="9", lower="-8"), rag.HIGHER)
    assert [s.rule for s in found[6]] == [spc.BEYOND_LIMIT, spc.RUN, spc.TREND]
    assert [s.rule for s in found[5]] == [spc.RUN, spc.TREND]


def charts_of_the_rules():
    """Every chart the rules above are checked on, with its limits."""
    yield from ((decimals(case["sides"]), by_hand()) for case in CASES["runs"]["cases"])
    for case in CASES["trends"]["cases"]:
        yield decimals(case["values"]), by_hand(mean="4")
    for values, _ in TWO_OF_THREE_CASES:
        yield decimals(values), by_hand(upper="9", lower="-9")
    yield decimals([1] * 6 + [0] + [1] * 6), by_hand()
    yield decimals([-1] * 6 + [1]), by_hand()
    yield decimals([5, 4, 3, 2, 1, 0]), by_hand()
    yield decimals([3] * 10 + [-3] * 10), by_hand()  # runs longer than the tail by default
    yield decimals([*range(-5, 6), *range(5, -6, -1)]), by_hand()  # and trends
    yield decimals(["107", "101", "109", "93"]), by_hand(mean="100", upper="109", lower="91")
    yield decimals([1, 2, 3, 4, 5, 6, 20]), by_hand(mean="0.5", upper="9", lower="-8")


@pytest.mark.parametrize(
    "run_length, trend_length", [(7, 7), (6, 5), (5, 6), (9, 6), (6, 9), (2, 2)]
)
def test_the_latest_signals_are_each_point_s_as_the_chart_stood_at_it(run_length, trend_length):
    """What the engine asks of each month: the signals of the chart's last point."""
    for values, limits in charts_of_the_rules():
        for end in range(1, len(values) + 1):
            chart = values[:end]
            whole = spc.signals(chart, limits, rag.HIGHER, run_length, trend_length)
            latest = spc.latest_signals(chart, limits, rag.HIGHER, run_length, trend_length)
            assert latest == whole[-1], (chart, run_length, trend_length)


# --- polarity, variation and assurance ----------------------------------------


@pytest.mark.parametrize(
    "polarity, high, low",
    [
        (rag.HIGHER, spc.IMPROVING, spc.CONCERNING),
        (rag.LOWER, spc.CONCERNING, spc.IMPROVING),
        (rag.NO_POLARITY, spc.NEUTRAL, spc.NEUTRAL),
    ],
)
def test_polarity_decides_improving_or_concerning(polarity, high, low):
    found = spc.signals(decimals([11, -11]), by_hand(), polarity)
    assert [s.meaning for point in found for s in point] == [high, low]


def test_an_unknown_polarity_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="unknown polarity"):
        spc.signals(decimals([11]), by_hand(), "sideways")
    with pytest.raises(ValueError, match="unknown polarity"):
        spc.assurance(by_hand(), D(0), "sideways")


def test_variation_in_words_from_the_latest_point():
    improving = spc.Signal(spc.RUN, spc.HIGH, spc.IMPROVING)
    concerning = spc.Signal(spc.TREND, spc.LOW, spc.CONCERNING)
    neutral = spc.Signal(spc.RUN, spc.HIGH, spc.NEUTRAL)
    assert spc.variation([]) == "common cause"
    assert spc.variation([improving]) == "special cause, improving"
    assert spc.variation([concerning]) == "special cause, concerning"
    assert spc.variation([improving, concerning]) == "special cause, concerning"
    assert spc.variation([concerning, improving]) == "special cause, concerning"
    assert spc.variation([neutral]) == spc.SPECIAL_CAUSE_NEUTRAL


def test_variation_of_a_measure_without_polarity_is_neither():
    values = decimals([10, 12] * 6 + [30])
    found = spc.signals(values, spc.limits(values[:12]), rag.NO_POLARITY)
    assert spc.variation(found[-1]) == "special cause, neither improving nor concerning"


@pytest.mark.parametrize(
    "target, polarity, expected",
    [
        # limits 5.68 to 16.32
        ("5.68", rag.HIGHER, spc.CONSISTENTLY_PASSING),  # at the target meets it
        ("5.69", rag.HIGHER, spc.HIT_AND_MISS),
        ("16.32", rag.HIGHER, spc.HIT_AND_MISS),
        ("16.33", rag.HIGHER, spc.CONSISTENTLY_FAILING),
        ("16.32", rag.LOWER, spc.CONSISTENTLY_PASSING),
        ("16.31", rag.LOWER, spc.HIT_AND_MISS),
        ("5.68", rag.LOWER, spc.HIT_AND_MISS),
        ("5.67", rag.LOWER, spc.CONSISTENTLY_FAILING),
        ("11", rag.NO_POLARITY, None),
    ],
)
def test_assurance(target, polarity, expected):
    found = spc.limits(decimals([10, 12] * 6))
    assert spc.assurance(found, D(target), polarity) == expected


def test_assurance_in_words_and_none_without_a_target_or_limits():
    found = spc.limits(decimals([10, 12] * 6))
    assert spc.assurance(found, None, rag.HIGHER) is None
    assert spc.assurance(None, D(11), rag.HIGHER) is None
    assert spc.assurance(found, D(11), rag.HIGHER) == (
        "the target lies within the limits: it will be hit and missed at random"
    )
    assert spc.CONSISTENTLY_PASSING == "consistently passing"
    assert spc.CONSISTENTLY_FAILING == "consistently failing"
