"""The concern score (issue 17, point 3): its weights, its parts in words and the
order it puts hand-made results in; then `exceptions` over stored results."""

from datetime import date
from decimal import Decimal as D

from scorecard import concern, periods, rag, spc
from scorecard.limits import VALUE_PLACES
from scorecard.models import Benchmark, Measure, Rating, ScorecardResult, ServiceArea

JANUARY = date(2015, 1, 1)
FIRST = date(2014, 1, 1)


def a_measure(pk=1, order=1, **fields):
    values = {
        "pk": pk,
        "code": f"m{pk}",
        "title": f"% measure {pk}",
        "unit": Measure.Unit.PERCENT,
        "polarity": Measure.Polarity.HIGHER,
        "entry": Measure.Entry.RATIO,
        "decimal_places": 1,
        "tolerance": D(5),
        "order": order,
    }
    return Measure(**{**values, **fields})


AUTHORITY = ServiceArea(pk=1, name="The Authority", order=0)
TEAM = ServiceArea(pk=2, name="First Response", order=1, parent_id=1)


def a_result(measure=None, area=AUTHORITY, **fields):
    """A result as the engine stores one: 76.0% against an 85.0% target, Red for
    one month, no SPC; `fields` change it."""
    measure = measure or a_measure()
    values = {
        "month": JANUARY,
        "value": D("76.0"),
        "target": D("85.0"),
        "rating": Rating.RED,
        "rating_months": 1,
        "spc_note": spc.NOT_ENOUGH_POINTS,
    }
    result = ScorecardResult(measure_id=measure.pk, area_id=area.pk, **{**values, **fields})
    result.measure, result.area = measure, area
    return result


def neighbours(value, measure=None):
    return Benchmark(
        measure_id=(measure or a_measure()).pk,
        comparator=Benchmark.Comparator.STAT_NEIGHBOURS,
        period_kind=periods.CALENDAR_YEAR,
        period_start=date(2014, 1, 1),
        value=D(value),
    )


def words(result, benchmark=None):
    return [part.words for part in concern.assess(result, result.measure, benchmark)]


def ranked(*results, benchmarks=None):
    return concern.rank(results, benchmarks or {})


# --- the weights --------------------------------------------------------------


def test_the_weights_are_named_and_weigh_what_the_page_says():
    assert concern.RED == 4 and concern.RED_PER_FURTHER_PERIOD == 1
    assert concern.RED_PERIODS_COUNTED == 12
    assert concern.PER_TOLERANCE_SHORT == 1 and concern.TOLERANCES_COUNTED == 5
    assert concern.WORSENING == 1
    assert concern.SPECIAL_CAUSE_CONCERN == 3
    assert concern.CONSISTENTLY_FAILING == 2
    assert concern.FAR_WORSE_THAN_NEIGHBOURS == 2
    assert concern.PROVISIONAL == 0
    assert (concern.FAR_POINTS, concern.FAR_RELATIVE_PERCENT) == (10, 20)


def test_each_part_scores_its_weight():
    measure = a_measure()
    red_4 = concern.red_part(a_result(measure, rating_months=4), measure)
    assert red_4.score == concern.RED + 3 * concern.RED_PER_FURTHER_PERIOD
    assert concern.red_part(a_result(measure), measure).score == concern.RED
    long_red = concern.red_part(a_result(measure, rating_months=40), measure)
    assert long_red.score == concern.RED + (concern.RED_PERIODS_COUNTED - 1)
    assert long_red.words == "Red for 40 months"  # counted up to a year, said as it is
    # 9.0 points short on a 5-point tolerance: 1.8 tolerances
    assert concern.shortfall_part(a_result(measure), measure).score == D("1.80")
    far_short = concern.shortfall_part(a_result(measure, value=D("20.0")), measure)
    assert far_short.score == concern.TOLERANCES_COUNTED * concern.PER_TOLERANCE_SHORT
    worse = a_result(measure, against_last_month=rag.WORSENING)
    assert concern.worsening_part(worse, measure).score == concern.WORSENING
    special = a_result(measure, **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.RUN]))
    assert concern.special_cause_part(special, measure).score == concern.SPECIAL_CAUSE_CONCERN
    failing = a_result(measure, **spc_fields(spc.COMMON_CAUSE, [], spc.CONSISTENTLY_FAILING))
    assert concern.failing_part(failing).score == concern.CONSISTENTLY_FAILING
    far = concern.neighbours_part(a_result(measure), measure, neighbours("94.0"))
    assert far.score == concern.FAR_WORSE_THAN_NEIGHBOURS


def test_how_far_short_counts_in_the_measures_own_tolerance():
    def short(measure, value, target="85.0"):
        result = a_result(measure, value=D(value), target=D(target))
        return concern.shortfall_part(result, measure).score

    # 0.9 points short on a half-point tolerance: 1.8 tolerances, as 9.0 on 5 is
    assert short(a_measure(tolerance=D("0.5")), "84.1") == D("1.80")
    # no tolerance at all: any shortfall counts in full
    assert short(a_measure(tolerance=D(0)), "84.9") == concern.TOLERANCES_COUNTED
    # a tolerance of 10% of a 30-day target is 3 days: 38 days is 8 short, 2.67 of them
    days = a_measure(
        unit=Measure.Unit.DAYS,
        polarity=Measure.Polarity.LOWER,
        decimal_places=0,
        entry="value",
        tolerance=D(10),
        tolerance_kind=Measure.Tolerance.RELATIVE,
    )
    assert short(days, "38", "30") == D("2.67")


def test_the_score_is_the_sum_of_its_parts():
    result = a_result(rating_months=2, against_last_month=rag.WORSENING)
    parts = concern.assess(result, result.measure)
    assert concern.score(parts) == concern.RED + 1 + D("1.80") + concern.WORSENING
    assert concern.score(()) == 0


def spc_fields(variation, signals, assurance=spc.HIT_AND_MISS, mean="85.0"):
    return {
        "spc_variation": variation,
        "spc_signals": signals,
        "spc_assurance": assurance,
        "spc_mean": D(mean),
        "spc_upper": D(mean) + 10,
        "spc_lower": D(mean) - 10,
        "spc_points": 14,
        "spc_note": "",
    }


# --- the words ----------------------------------------------------------------


def test_a_red_reads_its_months_and_how_far_short_it_is():
    assert words(a_result(rating_months=4)) == [
        "Red for 4 months",
        "9.0 points worse than the 85.0% target",
    ]
    quarterly = a_measure(frequency=periods.QUARTERLY)
    assert words(a_result(quarterly, rating_months=1))[0] == "Red for 1 quarter"


def test_a_lower_is_better_measure_reads_worse_in_its_own_unit():
    days = a_measure(
        unit=Measure.Unit.DAYS, polarity=Measure.Polarity.LOWER, decimal_places=0, entry="value"
    )
    result = a_result(days, value=D(38), target=D(30), rating_months=2)
    assert words(result) == ["Red for 2 months", "8 days worse than the 30 days target"]
    rate = a_measure(unit=Measure.Unit.RATE_10K, polarity=Measure.Polarity.LOWER, entry="value")
    result = a_result(rate, value=D("45.5"), target=D("40.0"))
    assert words(result)[1] == "5.5 per 10,000 worse than the 40.0 target"


def test_special_cause_concern_says_which_rule_on_which_side():
    below = a_result(**spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.RUN]))
    assert words(below)[2] == "special cause concern: 7 or more months in a row below the mean"
    beyond = a_result(
        value=D("70.0"), **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.BEYOND_LIMIT, spc.RUN])
    )
    assert words(beyond)[2] == (
        "special cause concern: below the lower process limit; "
        "7 or more months in a row below the mean"
    )
    lower_better = a_measure(polarity=Measure.Polarity.LOWER)
    falling = a_result(
        lower_better,
        value=D("31.0"),
        target=D("25.0"),
        against_last_month=rag.WORSENING,
        **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.TREND, spc.TWO_OF_THREE], mean="25.0"),
    )
    assert words(falling)[2] == (
        "special cause concern: 7 or more months rising; "
        "two of three points near the upper process limit"
    )


def charted(measure, values, **fields):
    """The latest of `values` with its chart's fields as the engine stores them: the
    chart's running state, the signals from it, the mean and limits rounded to the
    places a result keeps."""
    chart = spc.Running()
    for value in values:
        chart = chart.add(D(value), spc.recent_length())
    limits = chart.limits
    latest = spc.latest_signals(chart.recent, limits, measure.polarity)
    mean, upper, lower = (
        rag.round_to(x, VALUE_PLACES) for x in (limits.mean, limits.upper, limits.lower)
    )
    return a_result(
        measure,
        value=D(values[-1]),
        spc_variation=spc.variation(latest),
        spc_signals=[signal.rule for signal in latest],
        spc_assurance=spc.HIT_AND_MISS,
        spc_mean=mean,
        spc_upper=upper,
        spc_lower=lower,
        spc_points=chart.count,
        spc_note="",
        spc_state=chart.stored(),
        **fields,
    )


def test_each_rule_reads_on_the_side_its_point_lies():
    lower_better = a_measure(polarity=Measure.Polarity.LOWER)
    above = a_result(
        lower_better, value=D("90.0"), **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.RUN])
    )
    assert words(above)[2] == "special cause concern: 7 or more months in a row above the mean"
    near_lower = a_result(
        value=D("78.0"), **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.TWO_OF_THREE])
    )
    assert words(near_lower)[2] == (
        "special cause concern: two of three points near the lower process limit"
    )
    falling = a_result(
        value=D("80.0"),
        against_last_month=rag.WORSENING,
        **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.TREND]),
    )
    assert words(falling)[2] == "special cause concern: 7 or more months falling"


def test_a_trend_past_a_period_without_a_figure_is_told_without_a_direction():
    # The chart goes on past a month with no figure; the direction of travel has
    # nothing to compare with, so which way the trend runs is not said, not guessed.
    result = a_result(
        value=D("80.0"),
        against_last_month="",
        **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.TREND]),
    )
    assert words(result)[2] == ("special cause concern: a run of points all rising or all falling")


def test_a_point_beyond_the_upper_limit_reads_above_it_though_the_stored_limit_rounds_to_it():
    # Re-referrals, lower is better: 97.6% after thirteen months about 86%. The upper
    # limit is 97.59998, stored as 97.6000: the point itself, and still beyond it.
    lower_better = a_measure(polarity=Measure.Polarity.LOWER)
    months = ["82.8", "83.2", "85.9", "88.8", "80.3", "83.8", "89.3", "81.4", "88.0", "84.3"]
    result = charted(lower_better, [*months, "86.7", "86.5", "89.1", "97.6"], target=D("85.0"))
    assert (result.spc_signals, result.spc_upper) == ([spc.BEYOND_LIMIT], result.value)
    assert words(result)[2] == "special cause concern: above the upper process limit"
    result.spc_state = {}  # kept from before results kept their chart's state
    assert words(result)[2] == "special cause concern: above the upper process limit"
    clearly_above = charted(lower_better, [*months, "86.7", "86.5", "89.1", "99.0"])
    assert words(clearly_above)[2] == "special cause concern: above the upper process limit"


def test_a_run_just_below_a_mean_that_rounds_to_its_point_reads_below():
    # Three places: seventeen months at 86.000%, then seven below. The mean is
    # 2040.001 / 24 = 85.0000417, stored as 85.0000, which 85.000 equals; the chart's
    # exact mean, from its running state, puts the point below, where the run is.
    three_places = a_measure(decimal_places=3)
    values = ["86.000"] * 17 + ["82.000"] * 5 + ["83.001", "85.000"]
    result = charted(three_places, values, rating=Rating.GREEN, target=D("85.0"))
    assert (result.spc_signals, result.spc_mean) == ([spc.RUN], result.value)
    assert words(result) == ["special cause concern: 7 or more months in a row below the mean"]


def test_consistently_failing_and_far_from_neighbours_in_words():
    failing = a_result(
        rating=Rating.AMBER, value=D("82.0"), **spc_fields("", [], spc.CONSISTENTLY_FAILING)
    )
    assert words(failing) == [
        "3.0 points worse than the 85.0% target",
        "consistently failing: the target lies beyond the process limits",
    ]
    amber = a_result(rating=Rating.AMBER, value=D("82.0"))
    assert words(amber, neighbours("94.0")) == [
        "3.0 points worse than the 85.0% target",
        "12.0 points worse than statistical neighbours (94.0%, 2014)",
    ]


def test_far_from_neighbours_is_more_than_ten_points_or_a_fifth():
    amber = a_result(rating=Rating.AMBER, value=D("82.0"))
    assert words(amber, neighbours("92.0")) == []  # exactly 10 points: not far
    assert words(amber, neighbours("92.1")) != []
    assert words(amber, neighbours("70.0")) == []  # better than neighbours
    rate = a_measure(unit=Measure.Unit.RATE_10K, polarity=Measure.Polarity.LOWER, entry="value")
    rate_result = a_result(rate, rating=Rating.GREEN, value=D("36.0"), target=D("40.0"))
    assert words(rate_result, neighbours("30.0")) == []  # 6 over 30: exactly a fifth
    assert words(rate_result, neighbours("29.9")) == [
        "6.1 per 10,000 worse than statistical neighbours (29.9, 2014)"
    ]


def test_worsening_alone_is_an_exception_and_says_its_period():
    green = a_result(rating=Rating.GREEN, value=D("86.0"), against_last_month=rag.WORSENING)
    assert words(green) == ["worse than last month"]
    quarterly = a_measure(frequency=periods.QUARTERLY)
    green = a_result(
        quarterly, rating=Rating.GREEN, value=D("86.0"), against_last_month=rag.WORSENING
    )
    assert words(green) == ["worse than last quarter"]


def test_on_target_or_without_one_there_is_no_shortfall_to_read():
    on_target = a_result(rating=Rating.GREEN, value=D("85.0"), against_last_month=rag.WORSENING)
    assert words(on_target) == ["worse than last month"]
    just_short = a_result(rating=Rating.AMBER, value=D("84.5"), against_last_month=rag.WORSENING)
    assert words(just_short) == ["0.5 points worse than the 85.0% target", "worse than last month"]
    no_target = a_result(rating=Rating.NONE, target=None, against_last_month=rag.WORSENING)
    assert words(no_target) == ["worse than last month"]


def test_what_is_no_exception():
    assert words(a_result(rating=Rating.AMBER, value=D("82.0"))) == []  # Amber alone
    assert words(a_result(rating=Rating.GREEN, against_last_month=rag.IMPROVING)) == []
    improving = a_result(rating=Rating.GREEN, **spc_fields(spc.SPECIAL_CAUSE_IMPROVING, [spc.RUN]))
    assert words(improving) == []
    context = a_measure(polarity=Measure.Polarity.NONE)
    assert words(a_result(context, rating=Rating.NONE, against_last_month=rag.DOWN)) == []
    # nor beside its statistical neighbours' figure: without a polarity, not worse than it
    down = a_result(context, rating=Rating.NONE, value=D("20.0"), against_last_month=rag.DOWN)
    assert words(down, neighbours("94.0", context)) == []


def test_a_withheld_figure_is_never_an_exception():
    withheld = a_result(rating_months=4, suppressed=True, against_last_month=rag.WORSENING)
    assert concern.assess(withheld, withheld.measure, neighbours("94.0")) == ()
    assert ranked(withheld) == []


def test_a_provisional_figure_says_so_and_scores_nothing_for_it():
    result = a_result(provisional=True, returns_approved=4, returns_expected=6)
    assert words(result)[-1] == "provisional: 4 of 6 returns approved"
    assert concern.score(concern.assess(result, result.measure)) == concern.score(
        concern.assess(a_result(), a_result().measure)
    )


# --- the order ----------------------------------------------------------------


def test_red_for_four_months_comes_before_red_for_one():
    one, four = a_measure(1, order=1), a_measure(2, order=2)
    red_1, red_4 = a_result(one, rating_months=1), a_result(four, rating_months=4)
    found = ranked(red_1, red_4)
    assert [c.measure for c in found] == [four, one]
    # each with its result, whose figure, rating and target the page shows beside it
    assert found[0].result is red_4 and found[1].result is red_1
    assert found[0].score - found[1].score == 3 * concern.RED_PER_FURTHER_PERIOD


def test_special_cause_and_red_comes_before_red_alone():
    alone, special = a_measure(1, order=1), a_measure(2, order=2)
    found = ranked(
        a_result(alone),
        a_result(special, **spc_fields(spc.SPECIAL_CAUSE_CONCERNING, [spc.RUN])),
    )
    assert [c.measure for c in found] == [special, alone]


def test_far_worse_than_neighbours_comes_before_the_same_figure_near_them():
    near, far = a_measure(1, order=1), a_measure(2, order=2)
    found = ranked(
        a_result(near),
        a_result(far),
        benchmarks={near.pk: neighbours("80.0", near), far.pk: neighbours("94.0", far)},
    )
    assert [c.measure for c in found] == [far, near]
    assert found[0].reasons == (
        "Red for 1 month; 9.0 points worse than the 85.0% target; "
        "18.0 points worse than statistical neighbours (94.0%, 2014)"
    )


def test_ties_go_by_the_scorecards_order_then_the_authority_before_its_teams():
    first, second = a_measure(7, order=1), a_measure(3, order=2)
    found = ranked(
        a_result(second, area=TEAM),
        a_result(second),
        a_result(first, area=TEAM),
        a_result(first),
    )
    assert [(c.measure.pk, c.area.pk) for c in found] == [(7, 1), (7, 2), (3, 1), (3, 2)]
    assert len({c.score for c in found}) == 1


def test_the_authority_shows_itself_then_its_active_teams_and_a_team_only_itself():
    north = ServiceArea(pk=3, name="North", order=1, parent_id=1)
    south = ServiceArea(pk=4, name="South", order=2, parent_id=1)
    ash = ServiceArea(pk=5, name="Ash", order=2, parent_id=1)  # South's place: by name
    closed = ServiceArea(pk=6, name="Closed", order=0, parent_id=1, active=False)
    visible = [south, closed, AUTHORITY, ash, north, TEAM]
    shown = concern.areas_shown(AUTHORITY, visible)
    assert [a.name for a in shown] == ["The Authority", "First Response", "North", "Ash", "South"]
    assert concern.areas_shown(north, visible) == [north]
