"""Exceptions, ranked by concern (issue 17, point 3): which measures and areas a
director should read first this month, and why, in words.

A stored result is an exception when it is Red, worse than the period before
(direction of travel), shows special-cause concern, is consistently failing
its target, or is far worse than its statistical neighbours. Its concern score
is the sum of its parts' scores (`parts`), each part shown in words ("Red for
4 months; 26.0 points worse than target; ..."). The scoring takes a result's
stored fields and the benchmark in force, and queries nothing; `exceptions`
reads what it needs in a fixed number of queries.

A figure withheld as a small number (`disclosure`) is never an exception: its
rating, direction and SPC are withheld with it, and a row on this list would
itself say it is Red.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from . import periods, rag, reports, spc
from .formatting import PERIOD_NOUNS, difference, figure, periods_text
from .models import Benchmark, Measure, Rating, ScorecardResult, ServiceArea

# --- the weights -------------------------------------------------------------
# Being Red, and each further period in a row at Red (up to a year's worth): a
# measure Red for 4 months is a deeper concern than one Red for the first time.
RED = Decimal(4)
RED_PER_FURTHER_PERIOD = Decimal(1)
RED_PERIODS_COUNTED = 12
# How far worse than the target, in the measure's own tolerances (the measure's
# Amber band, so that 10 points on a 5-point tolerance weighs what 20 days on a
# 10-day one does), up to a limit so that one distant target does not swamp the rest.
PER_TOLERANCE_SHORT = Decimal(1)
TOLERANCES_COUNTED = 5
WORSENING = Decimal(1)
SPECIAL_CAUSE_CONCERN = Decimal(3)
CONSISTENTLY_FAILING = Decimal(2)
FAR_WORSE_THAN_NEIGHBOURS = Decimal(2)
PROVISIONAL = Decimal(0)  # said, never scored: a provisional figure is no more or less a concern

# --- "far worse than statistical neighbours" ------------------------------------
# A percentage: worse by more than 10 percentage points (the seed's assessments
# in 45 days, 76.0% against 94.0%, and ICPCs in 15 days, 44.0% against 65.7%, are;
# repeat referrals, 31.0% against 23.4%, are not). Any other unit (a rate per
# 10,000, days, a count): worse by more than 20% of the neighbours' figure, as
# such units have no common scale of points.
FAR_POINTS = Decimal(10)
FAR_RELATIVE_PERCENT = Decimal(20)


@dataclass(frozen=True)
class Part:
    words: str
    score: Decimal


@dataclass(frozen=True)
class Concern:
    measure: Measure
    area: ServiceArea
    result: ScorecardResult
    score: Decimal
    parts: tuple[Part, ...]

    @property
    def reasons(self) -> str:
        return "; ".join(part.words for part in self.parts)


def _shown(result, measure) -> Decimal | None:
    """The figure as the pages show it and the engine rated and charted it."""
    return rag.round_to(result.value, measure.decimal_places)


def red_part(result, measure) -> Part | None:
    if result.rating != Rating.RED:
        return None
    months = max(result.rating_months, 1)
    further = min(months, RED_PERIODS_COUNTED) - 1
    return Part(f"Red for {periods_text(measure, months)}", RED + RED_PER_FURTHER_PERIOD * further)


def shortfall_part(result, measure) -> Part | None:
    """How far worse than the target, where it is."""
    value = _shown(result, measure)
    if value is None or result.target is None:
        return None
    gap = rag.shortfall(value, result.target, measure.polarity)
    if gap <= 0:
        return None
    allowed = rag.allowed_shortfall(result.target, measure.tolerance, measure.tolerance_kind)
    tolerances = min(gap / allowed, TOLERANCES_COUNTED) if allowed > 0 else TOLERANCES_COUNTED
    return Part(
        f"{difference(gap, measure)} worse than the {figure(result.target, measure)} target",
        (PER_TOLERANCE_SHORT * tolerances).quantize(Decimal("0.01")),
    )


def worsening_part(result, measure) -> Part | None:
    if result.against_last_month != rag.WORSENING:
        return None
    return Part(f"worse than {periods.last_period_words(measure.frequency)}", WORSENING)


def _mean(result) -> Decimal:
    """The mean of the month's chart: exact from its running state (`spc.Running`)
    where the result keeps one. The stored mean is rounded to the places a result
    keeps, and a point of three or four places just off the mean can equal it."""
    if result.spc_state:
        return spc.Running.from_stored(result.spc_state).limits.mean
    return result.spc_mean


def _signal_words(rule: str, result, measure) -> str:
    """One of this month's special-cause rules in words, on the side of the mean the
    point lies, as `spc.signals` puts all but a trend (a point beyond the upper
    limit lies above the mean; the stored limit, rounded, may equal the point)."""
    value = _shown(result, measure)
    below = value < _mean(result)
    run = settings.SPC_RUN_LENGTH
    if rule == spc.BEYOND_LIMIT:
        return f"{'below the lower' if below else 'above the upper'} process limit"
    if rule == spc.RUN:
        many = PERIOD_NOUNS[measure.frequency][1]
        return f"{run} or more {many} in a row {'below' if below else 'above'} the mean"
    if rule == spc.TWO_OF_THREE:
        return f"two of three points near the {'lower' if below else 'upper'} process limit"
    if rule == spc.TREND and result.against_last_month in (rag.IMPROVING, rag.WORSENING):
        rising = (result.against_last_month == rag.IMPROVING) == (measure.polarity == rag.HIGHER)
        many = PERIOD_NOUNS[measure.frequency][1]
        return f"{settings.SPC_TREND_LENGTH} or more {many} {'rising' if rising else 'falling'}"
    return rule


def special_cause_part(result, measure) -> Part | None:
    if result.spc_variation != spc.SPECIAL_CAUSE_CONCERNING:
        return None
    # Never without a rule: the variation is read from this month's signals (`spc.variation`).
    rules = "; ".join(_signal_words(rule, result, measure) for rule in result.spc_signals)
    return Part(f"special cause concern: {rules}", SPECIAL_CAUSE_CONCERN)


def failing_part(result) -> Part | None:
    if result.spc_assurance != spc.CONSISTENTLY_FAILING:
        return None
    return Part(
        "consistently failing: the target lies beyond the process limits", CONSISTENTLY_FAILING
    )


def is_far(gap: Decimal, benchmark: Decimal, measure) -> bool:
    """Whether a figure worse than its neighbours by `gap` is far worse (FAR_POINTS,
    FAR_RELATIVE_PERCENT); never when `gap` is 0 or less, as good as them or better."""
    if measure.unit == Measure.Unit.PERCENT:
        return gap > FAR_POINTS
    return gap * 100 > abs(benchmark) * FAR_RELATIVE_PERCENT


def neighbours_part(result, measure, neighbours: Benchmark | None) -> Part | None:
    value = _shown(result, measure)
    if value is None or neighbours is None:
        return None
    gap = rag.shortfall(value, neighbours.value, measure.polarity)
    if not is_far(gap, neighbours.value, measure):
        return None
    return Part(
        f"{difference(gap, measure)} worse than statistical neighbours "
        f"({figure(neighbours.value, measure)}, {neighbours.period})",
        FAR_WORSE_THAN_NEIGHBOURS,
    )


def provisional_part(result) -> Part | None:
    if not result.provisional:
        return None
    return Part(
        f"provisional: {result.returns_approved} of {result.returns_expected} returns approved",
        PROVISIONAL,
    )


def assess(result, measure, neighbours: Benchmark | None = None) -> tuple[Part, ...]:
    """The parts of a result's concern, in the order they are read; () when it is
    no exception (not Red, not worse than last period, no special-cause concern,
    not consistently failing, not far worse than `neighbours`, its statistical
    neighbours' benchmark in force). Never any part of a withheld figure."""
    if result is None or result.suppressed or not result.due or not measure.has_polarity:
        return ()
    if result.value is None or result.not_applicable:
        return ()
    reasons = [
        red_part(result, measure),
        special_cause_part(result, measure),
        failing_part(result),
        neighbours_part(result, measure, neighbours),
        worsening_part(result, measure),
    ]
    if not any(reasons):
        return ()
    found = [reasons[0], shortfall_part(result, measure), *reasons[1:], provisional_part(result)]
    return tuple(part for part in found if part)


def score(parts) -> Decimal:
    """The concern score: the sum of the parts' (`assess`)."""
    return sum((part.score for part in parts), Decimal(0))


def rank(results, neighbours: dict[int, Benchmark]) -> list[Concern]:
    """The exceptions among `results` (each with its measure and area attached),
    highest concern first. Ties go by the measure's order on the scorecard, then
    the area's (the authority before its teams), then their ids: the order a
    director reads the scorecard in, and the same on every page."""
    concerns = []
    for result in results:
        found = assess(result, result.measure, neighbours.get(result.measure_id))
        if found:
            concerns.append(Concern(result.measure, result.area, result, score(found), found))
    return sorted(
        concerns,
        key=lambda c: (
            -c.score,
            c.measure.order,
            c.measure.pk,
            not c.area.is_authority,
            c.area.order,
            c.area.pk,
        ),
    )


def areas_shown(area: ServiceArea, visible_areas) -> list[ServiceArea]:
    """The area chosen and, for the authority, its active teams the reader may see."""
    if not area.is_authority:
        return [area]
    teams = [a for a in visible_areas if a.parent_id == area.pk and a.active]
    return [area, *sorted(teams, key=lambda a: (a.order, a.name))]


def exceptions(*, area: ServiceArea, month: date, visible_areas) -> list[Concern]:
    """The exceptions as at `month` in `area` (and for the authority, in each of its
    teams among `visible_areas`), highest concern first; four queries whatever
    the number of measures and areas."""
    areas = {a.pk: a for a in areas_shown(area, visible_areas)}
    measures = {m.pk: m for m in Measure.objects.filter(active=True).select_related("group")}
    wanted = {pk: reports.as_at(m, month) for pk, m in measures.items()}
    results = []
    for result in ScorecardResult.objects.filter(
        area_id__in=areas, measure_id__in=measures, month__in=set(wanted.values())
    ):
        if result.month == wanted[result.measure_id]:
            result.measure, result.area = measures[result.measure_id], areas[result.area_id]
            results.append(result)
    return rank(results, stat_neighbours(measures, wanted))


def with_commentary(found: list[Concern], *, area, month: date, visible_areas) -> list[tuple]:
    """[(concern, [(month, area name, text)])]: each exception with the latest
    approved commentary on it (`reports.latest_commentary`), a team's own, or
    for the authority every shown area's; one query."""
    said = reports.latest_commentary(
        {c.measure.pk for c in found}, month, areas_shown(area, visible_areas)
    )
    return [
        (
            c,
            [
                words
                for words in said.get(c.measure.pk, [])
                if c.area.is_authority or words[1] == c.area.name
            ],
        )
        for c in found
    ]


def stat_neighbours(measures: dict, wanted: dict[int, date]) -> dict[int, Benchmark]:
    """{measure id: its statistical neighbours' benchmark in force in the month its
    figure stands for (`wanted`)}; one query."""
    benchmarks = list(
        Benchmark.objects.filter(
            measure_id__in=measures,
            comparator=Benchmark.Comparator.STAT_NEIGHBOURS,
            period_start__lte=max(wanted.values(), default=date.min),
        )
    )
    found = {}
    for when in set(wanted.values()):
        in_force = reports.benchmarks_in_force(benchmarks, when)
        for pk, month in wanted.items():
            if month == when and Benchmark.Comparator.STAT_NEIGHBOURS in in_force.get(pk, {}):
                found[pk] = in_force[pk][Benchmark.Comparator.STAT_NEIGHBOURS]
    return found
