"""Commentary that drafts its own facts (issue 17, point 4): the draft of one
measure, area and month, read sentence by sentence, from the seed's own
January 2015 figures and from hand-made edge cases."""

import re
from datetime import date
from decimal import Decimal

import pytest

from scorecard import drafting, engine, selectors, spc
from scorecard.aggregation import add_months
from scorecard.models import Benchmark, Measure, MonthlyReturn, ServiceArea, Target
from tests import factories

JAN15 = date(2015, 1, 1)
FEB15 = date(2015, 2, 1)


def sentences(text: str) -> list[str]:
    """A paragraph's sentences: each ends with a full stop, and the next starts
    with a capital or a figure (31.0% has no space after its point, and "Stat.
    neighbours" no capital after its)."""
    return re.split(r"(?<=\.) (?=[A-Z0-9])", text)


def seed_draft(code: str) -> list[str]:
    measure = Measure.objects.get(code=code)
    area = ServiceArea.objects.authority()
    return sentences(drafting.for_month(measure=measure, area=area, month=JAN15))


# --- the seed's January 2015 --------------------------------------------------------
# The reference scorecard read cleanly (docs/domain.md): outturns April 2014 to
# January 2015, the in-year target, a tolerance of 5 points, 2014 benchmarks.


def test_repeat_referrals_in_the_seeds_january(sample):
    # 35, 29, 33, 31, 23, 28, 27, 26, 25, 31; lower is better; target 25.0
    assert seed_draft("repeat-referrals") == [
        "31.0% in January 2015, up 6.0 points from 25.0% in December 2014 (worse).",
        "6.0 points worse than the 25.0% target, beyond the tolerance of 5.0 points: Red.",
        "7.6 points worse than Stat. neighbours (23.4%, 2014), 2.9 points worse than "
        "South East (28.1%, 2014) and 7.6 points worse than National (23.4%, 2014).",
        # July's 31.0 was as high; August to December all lower
        "The highest since July 2014.",
    ]


def test_assessments_in_45_days_in_the_seeds_january(sample):
    # 72, 75, 73, 81, 82, 83, 82, 82, 82, 76; higher is better; target 85.0
    assert seed_draft("assessments-45-days") == [
        "76.0% in January 2015, down 6.0 points from 82.0% in December 2014 (worse).",
        "9.0 points worse than the 85.0% target, beyond the tolerance of 5.0 points: Red.",
        "18.0 points worse than Stat. neighbours (94.0%, 2014), 5.2 points worse than "
        "South East (81.2%, 2014) and 6.2 points worse than National (82.2%, 2014).",
        "The lowest since June 2014.",  # June's 73; July to December all higher
    ]


def test_children_seen_is_amber_within_the_tolerance(sample):
    # 91, 89, 89, 87, 88, 90, 90, 93, 93, 89; target 93.0; no benchmarks
    assert seed_draft("children-seen") == [
        "89.0% in January 2015, down 4.0 points from 93.0% in December 2014 (worse).",
        "4.0 points worse than the 93.0% target, within the tolerance of 5.0 points: Amber.",
        "The lowest since August 2014.",
    ]


def test_placements_within_20_miles_meet_their_target_exactly(sample):
    # ... 46, 46, 47, 46: November's 46 was as low, so no "lowest since"
    assert seed_draft("cla-20-miles") == [
        "46.0% in January 2015, down 1.0 point from 47.0% in December 2014 (worse).",
        "Meets the 46.0% target: Green.",
        "26.5 points worse than Stat. neighbours (72.5%, 2014), 39.0 points worse than "
        "South East (85.0%, 2014) and 41.0 points worse than National (87.0%, 2014).",
    ]


def test_a_first_figure_has_nothing_to_be_compared_with(sample):
    # the seed holds January's ICPC figure only
    assert seed_draft("icpc-15-days") == [
        "44.0% in January 2015, the first figure held.",
        "26.0 points worse than the 70.0% target, beyond the tolerance of 5.0 points: Red.",
        "21.7 points worse than Stat. neighbours (65.7%, 2014), 21.4 points worse than "
        "South East (65.4%, 2014) and 25.3 points worse than National (69.3%, 2014).",
    ]


def test_pathway_plans_after_months_not_applicable(sample):
    # n/a April to December: nothing to compare with, and better than the target
    assert seed_draft("pathway-plans-16-18") == [
        "95.0% in January 2015, the first figure held.",
        "10.0 points better than the 85.0% target: Green.",
    ]


def test_a_rate_without_polarity_is_higher_or_lower_never_better(sample):
    assert seed_draft("cp-plan-rate") == [
        "29.1 per 10,000 in January 2015, the first figure held.",
        "5.2 per 10,000 lower than Stat. neighbours (34.3 per 10,000, 2014), 9.0 per 10,000 "
        "lower than South East (38.1 per 10,000, 2014) and 13.0 per 10,000 lower than "
        "National (42.1 per 10,000, 2014).",
    ]


def test_a_measure_without_a_target_says_it_is_not_rated(sample):
    assert seed_draft("qsw-turnover") == [
        "11.6% in January 2015, the first figure held.",
        "No target is set for January 2015, so it is not rated.",
        "4.4 points better than Stat. neighbours (16.0%, 2014).",
    ]


def test_a_month_without_a_figure_says_so(sample):
    assert seed_draft("referrals") == ["No figure for January 2015."]


# --- hand-made edge cases --------------------------------------------------------


def approved(area, month, measure, **figures):
    monthly_return = factories.monthly_return(
        area, month, status=MonthlyReturn.Status.APPROVED, approved_at="2016-01-01T00:00Z"
    )
    factories.value(monthly_return, measure, **figures)
    return monthly_return


def month(i):
    return add_months(date(2014, 1, 1), i)


@pytest.fixture
def seen(db):
    measure = factories.measure(title="% seen", polarity=Measure.Polarity.HIGHER)
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=80, starts=month(0))
    return measure


def test_last_year_and_a_record_low_over_every_figure_held(db, seen):
    team = factories.area("Team")
    for i, seen_of_20 in enumerate([18, 17, 18, 19, 18, 17, 18, 19, 18, 17, 18, 19, 12]):
        approved(team, month(i), seen, numerator=seen_of_20, denominator=20)
    engine.recalculate()
    draft = sentences(drafting.for_month(measure=seen, area=team, month=month(12)))
    assert draft == [
        "60.0% in January 2015, down 35.0 points from 95.0% in December 2014 (worse) and "
        "down 30.0 points from 90.0% in January 2014 (worse).",
        "20.0 points worse than the 80.0% target, beyond the tolerance of 5.0 points: Red.",
        "The lowest of the 13 figures held, from January 2014.",
        # twelve months between 85% and 95%, then 60%: below the lower limit
        f"Statistical process control: {spc.SPECIAL_CAUSE_CONCERNING} ({spc.BEYOND_LIMIT}); "
        f"{spc.HIT_AND_MISS}.",
    ]


def test_a_relative_tolerance_and_the_green_band_are_said_as_points(db, seen):
    seen.tolerance, seen.tolerance_kind, seen.green_band = 10, Measure.Tolerance.RELATIVE, 2
    seen.save()
    team = factories.area("Team")
    approved(team, month(0), seen, numerator=15, denominator=20)  # 75.0: 5 short of 80
    approved(team, month(1), seen, numerator=158, denominator=200)  # 79.0: 1 short
    engine.recalculate()
    assert sentences(drafting.for_month(measure=seen, area=team, month=month(0)))[1] == (
        "5.0 points worse than the 80.0% target, within the tolerance of 8.0 points "
        "(10% of the target): Amber."
    )
    assert sentences(drafting.for_month(measure=seen, area=team, month=month(1)))[1] == (
        "1.0 point worse than the 80.0% target, close enough to count as in line with it "
        "(within 1.6 points): Green."
    )


def test_too_few_to_rate_says_why_there_is_no_rating(db, seen):
    authority = factories.authority()
    factories.area("Team")
    approved(authority, month(0), seen, numerator=3, denominator=4)
    engine.recalculate()
    assert sentences(drafting.for_month(measure=seen, area=authority, month=month(0))) == [
        "75.0% in January 2014, the first figure held.",
        "Not rated against the 80.0% target: too few to rate: 4 children.",
    ]


@pytest.fixture
def small_numbers(db):
    """Two teams' referrals: North's 3 in February 2014 is withheld as a small
    number, and South's 40 with it (secondary suppression)."""
    referrals = factories.measure(
        title="Number of referrals", unit="count", entry="count", polarity="none", decimal_places=0
    )
    north, south = factories.area("North"), factories.area("South")
    for i, (in_north, in_south) in enumerate([(20, 30), (3, 40), (9, 35), (8, 36), (7, 34)]):
        approved(north, month(i), referrals, numerator=in_north)
        approved(south, month(i), referrals, numerator=in_south)
    engine.recalculate()
    return referrals, north, south


def test_a_withheld_figure_is_never_written_nor_given_away(small_numbers):
    referrals, north, south = small_numbers
    for area in (north, south):  # South's is withheld so that North's cannot be worked out
        draft = drafting.for_month(measure=referrals, area=area, month=month(1))
        assert draft == (
            "The figure for February 2014 is withheld (c: fewer than 5, not shown below the "
            "authority level so that no child can be identified)."
        )
    # March is compared with nothing before it: February is withheld, January beyond it
    assert drafting.for_month(measure=referrals, area=north, month=month(2)) == ("9 in March 2014.")
    # 7 in May is the lowest since... February, which no draft may say or deny
    may = drafting.for_month(measure=referrals, area=north, month=month(4))
    assert may == "7 in May 2014, down 1 from 8 in April 2014."
    assert "3" not in may and "40" not in drafting.for_month(
        measure=referrals, area=south, month=month(2)
    )


def test_a_signal_of_statistical_process_control_is_put_in_words(db):
    staff = factories.measure(
        title="Social workers in post",
        unit="count",
        entry="count",
        decimal_places=0,
        group_id="workforce",
        polarity=Measure.Polarity.HIGHER,
    )
    team = factories.area("Team")
    factories.monthly_counts(staff, team, [50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 50, 90])
    engine.recalculate()
    draft = sentences(drafting.for_month(measure=staff, area=team, month=month(12)))
    assert draft[-2:] == [
        "The highest of the 13 figures held, from January 2014.",
        f"Statistical process control: {spc.SPECIAL_CAUSE_IMPROVING} ({spc.BEYOND_LIMIT}).",
    ]
    # a month of common cause has no such sentence
    assert "process control" not in drafting.for_month(measure=staff, area=team, month=month(11))


def test_a_provisional_figure_says_so(db, seen):
    north, south = factories.area("North"), factories.area("South")
    approved(north, month(0), seen, numerator=18, denominator=20)
    factories.value(factories.monthly_return(south, month(0)), seen)  # still a draft
    engine.recalculate()
    draft = drafting.for_month(measure=seen, area=factories.authority(), month=month(0))
    assert sentences(draft)[-1] == "Provisional: 1 of 2 returns approved."


def test_benchmarks_from_other_years_each_say_their_period(db, seen):
    team = factories.area("Team")
    Benchmark.objects.create(
        measure=seen,
        comparator="england",
        period_kind="financial_year",
        period_start=date(2013, 4, 1),
        value=88,
    )
    Benchmark.objects.create(
        measure=seen,
        comparator="stat_neighbours",
        period_kind="calendar_year",
        period_start=date(2014, 1, 1),
        value=90,
    )
    approved(team, month(0), seen, numerator=18, denominator=20)
    engine.recalculate()
    assert sentences(drafting.for_month(measure=seen, area=team, month=month(0)))[2] == (
        "The same as Stat. neighbours (90.0%, 2014) and 2.0 points better than National "
        "(88.0%, 2013-14)."
    )


# --- a return's month, before it is approved --------------------------------------


def test_a_returns_own_month_is_drafted_from_the_figures_entered(db, seen):
    team = factories.area("Team")
    for i in range(12):
        approved(team, month(i), seen, numerator=17, denominator=20)
    engine.recalculate()
    draft = factories.monthly_return(team, month(12))
    factories.value(draft, seen, numerator=19, denominator=20)
    lines = selectors.return_lines(draft)
    assert sentences(drafting.for_return(draft, lines)[seen.pk]) == [
        "95.0% in January 2015, up 10.0 points from 85.0% in December 2014 (better) and up "
        "10.0 points from 85.0% in January 2014 (better).",
        "15.0 points better than the 80.0% target: Green.",
        "The highest of the 13 figures held, from January 2014.",
        # the 13th point lies above the limits of a flat history
        f"Statistical process control: {spc.SPECIAL_CAUSE_IMPROVING} ({spc.BEYOND_LIMIT}); "
        f"{spc.CONSISTENTLY_PASSING}.",
    ]
    # figures as typed, not yet saved, are drafted the same way
    typed = {seen.pk: drafting.Figure(Decimal(10), Decimal(20))}
    assert drafting.for_return(draft, lines, typed)[seen.pk].startswith(
        "50.0% in January 2015, down 35.0 points from 85.0% in December 2014 (worse)"
    )


def test_a_small_number_entered_is_withheld_from_its_own_draft(small_numbers):
    referrals, north, south = small_numbers
    north_return = factories.monthly_return(north, month(5))
    factories.value(north_return, referrals, numerator=2)
    south_return = factories.monthly_return(south, month(5))
    factories.value(south_return, referrals, numerator=50)
    withheld = "The figure for June 2014 is withheld"
    for monthly_return in (north_return, south_return):  # primary, then secondary
        drafts = drafting.for_return(monthly_return, selectors.return_lines(monthly_return))
        assert drafts[referrals.pk].startswith(withheld)
    # a blank line has nothing to draft
    blank = factories.monthly_return(north, month(6))
    factories.value(blank, referrals)
    assert drafting.for_return(blank, selectors.return_lines(blank)) == {}


def test_a_returns_draft_after_years_of_figures_is_the_one_it_gets_once_approved(db, seen):
    """Two years and more of figures before the return's month: the draft worked out
    from what is entered says what the stored result says once the return is
    approved, for a monthly measure whose target changed and whose chart has
    signalled, and for a quarterly one."""
    Target.objects.create(measure=seen, kind=Target.Kind.IN_YEAR, value=85, starts=month(24))
    quarterly = factories.measure(
        title="% reviewed", frequency=Measure.Frequency.QUARTERLY, polarity=Measure.Polarity.LOWER
    )
    Target.objects.create(measure=quarterly, kind=Target.Kind.IN_YEAR, value=30, starts=month(0))
    team = factories.area("Team")
    for i in range(29):  # January 2014 to May 2016; a shift up after the first year
        monthly_return = factories.monthly_return(
            team, month(i), status=MonthlyReturn.Status.APPROVED, approved_at="2016-07-01T00:00Z"
        )
        factories.value(
            monthly_return, seen, numerator=13 + (i * 7) % 4 + (3 if i > 12 else 0), denominator=20
        )
        factories.value(monthly_return, quarterly, numerator=5 + i % 4, denominator=20)
    engine.recalculate()
    june = factories.monthly_return(team, month(29))
    factories.value(june, seen, numerator=6, denominator=20)  # beyond the limits
    factories.value(june, quarterly, numerator=7, denominator=20)
    drafts = drafting.for_return(june, selectors.return_lines(june))

    june.status, june.approved_at = MonthlyReturn.Status.APPROVED, "2016-07-01T00:00Z"
    june.save()
    engine.recalculate()
    for measure in (seen, quarterly):
        assert drafts[measure.pk] == drafting.for_month(measure=measure, area=team, month=month(29))
    assert "Statistical process control" in drafts[seen.pk]
