"""Commentary that drafts its own facts: for one measure, area and month, a
paragraph of what the figures say and nothing of why (the team manager adds
that). Built from the engine's stored results, the month's target, tolerance and
benchmarks; the words of figures, ratings and process control are the ones the
pages use (`formatting`, `spc`).

A return's own month has no stored result until it is approved, so a return's
drafts (`for_return`) work that month out from the figures entered, by the
engine's own rules (`engine.results_for`, as if the return were approved, its
earlier months from the stored results), and the earlier months come from the
stored results. A figure withheld as a small number (`disclosure`) is never
written, nor is anything that would give it away.
"""

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings

from . import aggregation, disclosure, engine, periods, rag, reports
from .figures import Figure
from .formatting import RATING_WORDS, as_decimal, exact, figure, number
from .models import (
    MonthlyReturn,
    Population,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
)
from .months import months_between

# "The highest since July 2014" is said only of a figure beyond at least this many
# earlier figures in a row: beating last month alone is not a record.
SINCE_AT_LEAST = 3

# The unit of a difference between two figures: percentages differ by points.
DIFFERENCE_UNITS = {"percent": "points", "rate_10k": "per 10,000", "days": "days", "fte": "FTE"}
BETTER_OR_WORSE = {rag.IMPROVING: "better", rag.WORSENING: "worse"}


class Stored(NamedTuple):
    """An earlier month's stored result as read (`_earlier`): its figure, for the
    engine's rules, and whether it was withheld; the words read it as `Earlier`.
    A tuple: a return's page reads thousands."""

    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    not_applicable: bool
    suppressed: bool

    @property
    def figure(self) -> Figure:
        return Figure(self.numerator, self.denominator, self.value, self.not_applicable)


@dataclass(frozen=True)
class Earlier:
    """What a draft reads of an earlier month's stored result."""

    value: Decimal | None
    suppressed: bool = False


# --- the words ---------------------------------------------------------------


def written(value: Decimal, measure) -> str:
    """A figure with its unit: '31.0%', '1,204', '29.1 per 10,000'."""
    text = figure(value, measure)
    return f"{text} per 10,000" if measure.unit == "rate_10k" else text


def difference(amount: Decimal, measure) -> str:
    """How far apart two figures are, with the unit: '6.0 points', '12', '1 point'."""
    amount = as_decimal(amount)  # a tolerance may be a model's int default
    text = number(abs(amount), measure.decimal_places)
    unit = DIFFERENCE_UNITS.get(measure.unit, "")
    if unit == "points" and shown(measure, abs(amount)) == 1:
        unit = "point"
    return f"{text} {unit}" if unit else text


def when(measure, month: date) -> str:
    """The period a figure describes: 'January 2015', or a quarter's label."""
    return reports.period_label(measure, month) or f"{month:%B %Y}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def shown(measure, value: Decimal | None) -> Decimal | None:
    """A value at the measure's places, as the pages show and the engine compares it."""
    return rag.round_to(value, measure.decimal_places)


# --- the paragraph -------------------------------------------------------------


def paragraph(measure, result, earlier: dict[date, Earlier], benchmarks: dict, names: list) -> str:
    """The facts of `result` (a stored `ScorecardResult`, or the engine's `Result`
    for a month not yet stored), one sentence each: the figure against last
    period and the same month last year, against the target and its tolerance,
    against each benchmark in force (`benchmarks`: {comparator: Benchmark}) with
    its period, the highest or lowest since when, the process control signal,
    and whether the figure is provisional. `earlier`: the area's earlier months;
    `names`: `reports.comparators()`, read once for every draft of a page."""
    label = when(measure, result.month)
    if not result.due:
        return _sentence(f"no figure is due for {label}")
    if result.suppressed:
        why = disclosure.NOTE.format(threshold=settings.SMALL_NUMBER_THRESHOLD)
        return _sentence(f"the figure for {label} is withheld ({why.rstrip('.')})")
    if result.not_applicable:
        return _sentence(f"not applicable in {label}")
    now = shown(measure, result.value)
    if now is None:
        return _sentence(f"no figure for {label}" + (f": {result.note}" if result.note else ""))
    sentences = [
        movement(measure, result, now, earlier),
        against_target(measure, result, now),
        against_benchmarks(measure, result, now, benchmarks, names),
        record(measure, result.month, now, earlier),
        process_control(result),
        reports.MonthStatus(result.month, result.returns_approved, result.returns_expected).banner
        if result.provisional
        else "",
    ]
    return " ".join(_sentence(s.rstrip(".")) for s in sentences if s)


def movement(measure, result, now: Decimal, earlier: dict[date, Earlier]) -> str:
    """'31.0% in January 2015, up 6.0 points from 25.0% in December 2014 (worse)'."""
    compared = [
        _compared(measure, now, month, earlier.get(month), direction)
        for month, direction in (
            (periods.previous_due(measure.frequency, result.month), result.against_last_month),
            (aggregation.add_months(result.month, -12), result.against_last_year),
        )
    ]
    compared = [words for words in compared if words]
    text = f"{written(now, measure)} in {when(measure, result.month)}"
    if compared:
        return f"{text}, {_and(compared)}"
    if not any(e.value is not None or e.suppressed for e in earlier.values()):
        return f"{text}, the first figure held"
    return text


def _compared(measure, now, month, then: Earlier | None, direction: str) -> str:
    # a withheld figure is left out: no change from it may be written
    if then is None or then.suppressed or then.value is None:
        return ""
    before = shown(measure, then.value)
    at = when(measure, month)
    if before == now:
        return f"the same as in {at}"
    words = f"{'up' if now > before else 'down'} {difference(now - before, measure)} from "
    words += f"{written(before, measure)} in {at}"
    if direction in BETTER_OR_WORSE:
        words += f" ({BETTER_OR_WORSE[direction]})"
    return words


def against_target(measure, result, now: Decimal) -> str:
    """The figure against the target in force and its tolerance, with the rating
    the engine gave it: '6.0 points worse than the 25.0% target, beyond the
    tolerance of 5.0 points: Red'."""
    if not measure.has_polarity:
        return ""
    target = result.target
    if target is None:
        return f"no target is set for {when(measure, result.month)}, so it is not rated"
    aim = f"the {written(target, measure)} target"
    if result.note:
        return f"not rated against {aim}: {result.note}"
    rating = RATING_WORDS.get(result.rating, RATING_WORDS[rag.NO_RATING])
    gap = rag.shortfall(now, target, measure.polarity)
    if gap == 0:
        return f"meets {aim}: {rating}"
    if gap < 0:
        return f"{difference(gap, measure)} better than {aim}: {rating}"
    tolerance = rag.allowed_shortfall(target, measure.tolerance, measure.tolerance_kind)
    relative = measure.tolerance_kind == rag.RELATIVE
    allowed = f"the tolerance of {difference(tolerance, measure)}"
    if relative:
        allowed += f" ({exact(measure.tolerance)}% of the target)"
    worse = f"{difference(gap, measure)} worse than {aim}"
    if result.rating == rag.GREEN:
        band = rag.allowed_shortfall(target, measure.green_band, measure.tolerance_kind)
        in_line = f"close enough to count as in line with it (within {difference(band, measure)})"
        return f"{worse}, {in_line}: {rating}"
    if result.rating == rag.AMBER:
        return f"{worse}, within {allowed}: {rating}"
    return f"{worse}, beyond {allowed}: {rating}"


def against_benchmarks(measure, result, now: Decimal, benchmarks: dict, names: list) -> str:
    """Against each comparator's benchmark in force, in the scorecard's order and
    names (`reports.comparators`), with the period each describes: '7.6 points
    worse than Stat. neighbours (23.4%, 2014)'."""
    compared = []
    for comparator, name in names:
        benchmark = benchmarks.get(comparator)
        word = result.benchmark_comparison.get(comparator)
        if benchmark is None or not word:
            continue
        of = f"{name} ({written(benchmark.value, measure)}, {benchmark.period.label})"
        if word == rag.SAME:
            compared.append(f"the same as {of}")
            continue
        apart = shown(measure, abs(now - benchmark.value))
        how_far = difference(apart, measure) if apart else "slightly"
        compared.append(f"{how_far} {word} than {of}")
    return _and(compared) if compared else ""


def record(measure, month: date, now: Decimal, earlier: dict[date, Earlier]) -> str:
    """'The highest since July 2014': the last earlier figure at least as high (or
    as low), where at least SINCE_AT_LEAST figures in between were beaten; or
    the highest of every figure held. Nothing where a withheld figure lies in
    between: whether it was beaten would give it away."""
    past = [
        (m, e)
        for m, e in sorted(earlier.items(), reverse=True)
        if m < month and periods.is_due(measure.frequency, m)
    ]
    for word, beaten in (("highest", lambda v: v < now), ("lowest", lambda v: v > now)):
        count = 0
        for m, e in past:  # newest first, each rounded only when reached
            if e.suppressed:
                break
            value = shown(measure, e.value)
            if value is None:
                continue
            if not beaten(value):
                if count >= SINCE_AT_LEAST:
                    return f"the {word} since {when(measure, m)}"
                break
            count += 1
        else:
            if count >= SINCE_AT_LEAST:
                first = min(m for m, e in past if e.value is not None)
                return f"the {word} of the {count + 1} figures held, from {when(measure, first)}"
    return ""


def process_control(result) -> str:
    """This month's special-cause signal in words, where there is one: 'statistical
    process control: special cause, concerning (a run of points on one side of
    the mean); consistently failing'."""
    if not result.spc_signals or not result.spc_variation:
        return ""
    text = f"statistical process control: {result.spc_variation} ({'; '.join(result.spc_signals)})"
    return f"{text}; {result.spc_assurance}" if result.spc_assurance else text


# --- from the database -------------------------------------------------------------


def _earlier(area, measure_ids, month) -> dict[int, dict[date, Stored]]:
    """{measure id: {month: stored result}} of the area's months before `month`;
    one query, of the few fields a draft and the engine's rules read."""
    found = defaultdict(dict)
    for measure_id, month_of, *stored in (
        ScorecardResult.objects.filter(area=area, measure_id__in=measure_ids, month__lt=month)
        .order_by()
        .values_list(
            "measure_id",
            "month",
            "numerator",
            "denominator",
            "value",
            "not_applicable",
            "suppressed",
        )
    ):
        found[measure_id][month_of] = Stored._make(stored)
    return found


def _as_earlier(stored: dict[date, Stored]) -> dict[date, Earlier]:
    return {
        month: Earlier(None if row.not_applicable else row.value, row.suppressed)
        for month, row in stored.items()
    }


def for_month(*, measure, area, month: date) -> str:
    """The draft for a month the engine has stored a result for (an approved
    return's); "" when it has none. Three queries, and one for the region."""
    result = ScorecardResult.objects.filter(measure=measure, area=area, month=month).first()
    if result is None:
        return ""
    earlier = _as_earlier(_earlier(area, [measure.pk], month)[measure.pk])
    benchmarks = reports.benchmarks_at([measure.pk], month).get(measure.pk, {})
    return paragraph(measure, result, earlier, benchmarks, reports.comparators())


def entered_figure(value: ReturnValue) -> Figure:
    """A return's line as the engine reads it (`engine._entered_figures`)."""
    return Figure(
        value.numerator, value.denominator, value.value, bool(value.not_applicable_reason)
    )


def for_return(monthly_return: MonthlyReturn, lines, entered: dict | None = None) -> dict:
    """{measure id: draft} for a return's lines (`selectors.return_lines`). The
    month itself from the figures entered (`entered`: {measure id: Figure} as
    typed, else as saved), worked out by the engine's rules as if the return
    were approved; an approved return's from its stored results where the
    engine has stored them. A fixed number of queries whatever the lines."""
    entered = {line.measure.pk: entered_figure(line.value) for line in lines} | (entered or {})
    # nothing entered yet: nothing to draft
    lines = [line for line in lines if entered.get(line.measure.pk) not in (None, Figure())]
    if not lines:
        return {}
    area, month = monthly_return.area, monthly_return.month
    measure_ids = [line.measure.pk for line in lines]
    earlier = _earlier(area, measure_ids, month)
    benchmarks = reports.benchmarks_at(measure_ids, month)
    stored = {}
    if monthly_return.status == MonthlyReturn.Status.APPROVED:
        stored = {
            r.measure_id: r
            for r in ScorecardResult.objects.filter(
                area=area, month=month, measure_id__in=measure_ids
            )
        }
    computing = [line.measure for line in lines if line.measure.pk not in stored]
    results = dict(stored)
    if computing:
        results |= _computed(area, month, computing, entered, earlier, benchmarks)
    names = reports.comparators()
    drafts = {}
    for line in lines:
        measure = line.measure
        result = results.get(measure.pk)
        if result is None:
            continue
        drafts[measure.pk] = paragraph(
            measure,
            result,
            _as_earlier(earlier[measure.pk]),
            benchmarks.get(measure.pk, {}),
            names,
        )
    return drafts


def _computed(area, month, measures, entered, earlier, benchmarks) -> dict:
    """{measure id: the engine's Result for the month} from the figures entered,
    with the stored results before it, as the engine would work it out were the
    return approved (`engine.results_for`)."""
    targets = defaultdict(list)
    for measure_id, starts, value in (
        Target.objects.filter(kind=Target.Kind.IN_YEAR, measure__in=measures)
        .order_by("starts")
        .values_list("measure_id", "starts", "value")
    ):
        targets[measure_id].append((starts, value))
    populations = dict(
        ((area_id, year), children)
        for area_id, year, children in Population.objects.values_list(
            "area_id", "year", "children_0_17"
        )
    )
    withheld = _withheld_this_month(area, month, measures, entered, populations)
    carried = engine.CarriedStates.read(
        ScorecardResult.objects.filter(area=area, measure__in=measures).order_by(),
        {month},
        {measure.frequency for measure in measures},
    )
    year_before = aggregation.add_months(month, -12)
    results = {}
    for measure in measures:
        stored = earlier[measure.pk]
        first, carry = min(stored, default=month), None
        if first < year_before:  # go on from the chart and rating stored, as the engine
            with contextlib.suppress(engine.NoCarriedState):
                carry = carried.at(measure, area, month)
                first = year_before
        history = months_between(first, month)
        series = {m: (row.figure, 1, 1) for m, row in stored.items() if m >= first}
        series[month] = (entered.get(measure.pk), 1, 1)
        for m in history:
            series.setdefault(m, (None, 1, 1))
        in_force = {
            month: {
                comparator: benchmark.value
                for comparator, benchmark in benchmarks.get(measure.pk, {}).items()
            }
        }
        hidden = {(area.pk, m) for m, row in stored.items() if row.suppressed}
        if measure.pk in withheld:
            hidden.add((area.pk, month))
        (results[measure.pk],) = engine.results_for(
            measure,
            area,
            [month],
            series,
            targets[measure.pk],
            in_force,
            populations,
            None,
            hidden,
            history,
            carry,
        )
    return results


def _withheld_this_month(area, month, measures, entered, populations) -> set[int]:
    """The measures whose figure for the month would be withheld as a small number,
    by the engine's rule (`engine.withheld_figures`, primary and secondary suppression)
    over the month's figures entered so far by every area reporting the measure
    (each area whose return for the month carries it), this one's as `entered`."""
    if area.is_authority:
        return set()
    figures_by_measure = defaultdict(dict)
    for measure_id, area_id, numerator, denominator, value, reason in ReturnValue.objects.filter(
        monthly_return__month=month,
        monthly_return__area__parent__isnull=False,
        measure__in=measures,
    ).values_list(
        "measure_id",
        "monthly_return__area_id",
        "numerator",
        "denominator",
        "value",
        "not_applicable_reason",
    ):
        figures_by_measure[measure_id][area_id] = Figure(
            numerator, denominator, value, bool(reason)
        )
    area_ids = {area_id for by_area in figures_by_measure.values() for area_id in by_area}
    areas = {area_id: ServiceArea(pk=area_id) for area_id in area_ids} | {area.pk: area}
    withheld = set()
    for measure in measures:
        by_area = figures_by_measure[measure.pk] | {area.pk: entered.get(measure.pk)}
        series = {area_id: {month: (f, 1, 1)} for area_id, f in by_area.items()}
        reporting = [areas[area_id] for area_id in by_area]
        if (area.pk, month) in engine.withheld_figures(
            measure, reporting, [month], series, populations
        ):
            withheld.add(measure.pk)
    return withheld
