"""The engine's statistical process control: each result carries the XmR chart
as it stood at its month (issue 17, point 1), checked on the NHS England SPC
tool's demonstration (tests/data/spc/README.md) and against `spc` itself."""

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from scorecard import engine, rag, spc
from scorecard.aggregation import add_months
from scorecard.models import Measure, ScorecardResult, ServiceArea, Target
from tests import factories

DEMO = json.loads((Path(__file__).parent.parent / "data" / "spc" / "plotthedots.json").read_text())[
    "demo"
]
FIRST = date(2014, 1, 1)


def month(i):
    return add_months(FIRST, i)


def count_measure(**fields):
    fields = {
        "unit": Measure.Unit.COUNT,
        "entry": Measure.Entry.COUNT,
        "decimal_places": 0,
        "group_id": "workforce",  # counts of staff: never withheld as small numbers
        **fields,
    }
    return factories.measure(**fields)


def results(measure, area):
    return list(ScorecardResult.objects.filter(measure=measure, area=area).order_by("month"))


@pytest.fixture
def demonstration(db):
    measure = count_measure(title="Demonstration", polarity=Measure.Polarity.HIGHER)
    team = factories.area("Demonstration team")
    factories.monthly_counts(measure, team, DEMO["values"])
    return measure, team


def test_the_last_month_carries_the_published_chart(demonstration):
    measure, team = demonstration
    engine.recalculate()
    last = results(measure, team)[-1]
    assert last.month == month(len(DEMO["values"]) - 1)
    assert last.spc_points == 15
    assert last.spc_mean.quantize(D("0.01")) == D(DEMO["mean_to_2_places"])
    assert last.spc_lower.quantize(D(1)) == D(DEMO["lower_to_0_places"])
    assert last.spc_upper.quantize(D(1)) == D(DEMO["upper_to_0_places"])
    assert last.spc_mean == D("76.6667")  # kept to the four places a result keeps
    assert (last.spc_variation, last.spc_signals, last.spc_note) == (spc.COMMON_CAUSE, [], "")


def test_each_month_carries_the_chart_as_it_stood_then(demonstration):
    measure, team = demonstration
    engine.recalculate()
    stored = results(measure, team)
    values = [D(v) for v in DEMO["values"]]
    for i, result in enumerate(stored):
        limits = spc.limits(values[: i + 1])
        if limits is None:
            assert (result.spc_mean, result.spc_variation) == (None, "")
            assert result.spc_note == spc.NOT_ENOUGH_POINTS and result.spc_points == i + 1
            continue
        latest = spc.signals(values[: i + 1], limits, rag.HIGHER)[-1]
        assert result.spc_upper == rag.round_to(limits.upper, 4)
        assert result.spc_lower == rag.round_to(limits.lower, 4)
        assert result.spc_signals == [signal.rule for signal in latest]
        assert result.spc_variation == spc.variation(latest)
    # December 2014, the 12th month: the fall to 54 lies below the first limits
    december = stored[11]
    assert december.spc_signals == [spc.BEYOND_LIMIT]
    assert december.spc_variation == spc.SPECIAL_CAUSE_CONCERNING
    assert stored[10].spc_note == spc.NOT_ENOUGH_POINTS  # 11 points: none


def test_the_authority_has_its_own_chart_of_its_pooled_figures(demonstration):
    measure, team = demonstration
    engine.recalculate()
    authority = ServiceArea.objects.authority()
    mine = [(r.spc_mean, r.spc_upper, r.spc_variation) for r in results(measure, authority)]
    assert mine == [(r.spc_mean, r.spc_upper, r.spc_variation) for r in results(measure, team)]


def test_assurance_compares_the_target_with_the_limits(demonstration):
    measure, team = demonstration
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=50, starts=FIRST)
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=80, starts=month(13))
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=99, starts=month(14))
    engine.recalculate()
    stored = results(measure, team)
    assert stored[12].spc_assurance == spc.CONSISTENTLY_PASSING  # 50 below the lower limit
    assert stored[13].spc_assurance == spc.HIT_AND_MISS  # 80 within the limits
    assert stored[14].spc_assurance == spc.CONSISTENTLY_FAILING  # 99 above the upper


def test_a_baseline_reset_starts_the_limits_again(demonstration):
    measure, team = demonstration
    measure.spc_baseline_start = month(3)
    measure.save()
    engine.recalculate()
    stored = results(measure, team)
    assert stored[2].spc_note == (
        "before the process limits' baseline of April 2014: no statistical process control"
    )
    assert stored[13].spc_note == spc.NOT_ENOUGH_POINTS and stored[13].spc_points == 11
    assert stored[14].spc_points == 12
    assert stored[14].spc_mean == rag.round_to(
        spc.limits([D(v) for v in DEMO["values"][3:]]).mean, 4
    )


def test_a_month_without_a_figure_has_no_point_and_says_so(db):
    measure = count_measure(title="Gappy")
    team = factories.area("Gappy team")
    counts = [10, 12] * 7
    counts[12] = None
    factories.monthly_counts(measure, team, counts)
    engine.recalculate()
    by_month = {r.month: r for r in results(measure, team)}
    assert by_month[month(12)].spc_note == engine.NO_FIGURE_FOR_SPC
    assert by_month[month(13)].spc_points == 13  # the month without a figure left out


def test_the_run_length_is_a_setting(db, settings):
    measure = count_measure(title="Runs", polarity=Measure.Polarity.LOWER)
    team = factories.area("Runs team")
    factories.monthly_counts(measure, team, [30, 10] * 6 + [25] * 6)  # six above the mean
    engine.recalculate()
    assert results(measure, team)[-1].spc_signals == []
    settings.SPC_RUN_LENGTH = 6
    engine.recalculate()
    last = results(measure, team)[-1]
    assert last.spc_signals == [spc.RUN]
    assert last.spc_variation == spc.SPECIAL_CAUSE_CONCERNING  # higher is worse


@pytest.mark.django_db
def test_a_withheld_figure_is_on_no_chart(db):
    """Small numbers: a figure shown as 'c' gives no point to any month's chart,
    so no limit beside it or after it gives it away."""
    measure = count_measure(title="Children seen", group_id="assessment")
    north, south = factories.area("North"), factories.area("South")
    counts = [40, 44] * 7
    factories.monthly_counts(measure, north, counts[:5] + [3] + counts[6:])
    factories.monthly_counts(measure, south, counts)
    engine.recalculate()
    june = ScorecardResult.objects.get(measure=measure, area=north, month=month(5))
    assert june.suppressed and june.spc_note == engine.WITHHELD_FROM_SPC
    last = results(measure, north)[-1]
    shown = [D(c) for i, c in enumerate(counts) if i != 5]
    assert last.spc_points == 13
    assert last.spc_mean == rag.round_to(spc.limits(shown).mean, 4)


def test_periods_in_a_row_at_a_rating_follow_the_stored_ratings(sample):
    engine.recalculate()
    streaks = 0
    for measure in Measure.objects.all():
        for area in ServiceArea.objects.all():
            previous, count = None, 0
            for result in ScorecardResult.objects.filter(
                measure=measure, area=area, due=True
            ).order_by("month"):
                if result.rating == rag.NO_RATING:
                    count = 0
                else:
                    count = count + 1 if result.rating == previous else 1
                previous = result.rating
                assert result.rating_months == count, (measure, area, result.month)
                streaks += count > 1
    assert streaks > 10  # the sample has real runs of the same rating


def test_a_run_for_one_month_counts_the_periods_before_it(sample):
    engine.recalculate()
    latest = ScorecardResult.objects.order_by("-rating_months").first().month  # a long streak

    full = {
        (r.measure_id, r.area_id): r.rating_months
        for r in ScorecardResult.objects.filter(month=latest)
    }
    engine.recalculate(months=[latest])
    alone = {
        (r.measure_id, r.area_id): r.rating_months
        for r in ScorecardResult.objects.filter(month=latest)
    }
    assert alone == full and max(alone.values()) > 1
