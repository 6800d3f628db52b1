"""Statistical process control: the XmR chart of NHS England's "Making Data Count".

Plain values in, words out; no ORM. The caller passes one value a month (a
percentage measure's monthly percentages as the scorecard shows them), oldest
first; every sum and comparison is Decimal, never float.

The rules follow Making Data Count as the NHS-R "plotthedots" package
(NHSRplotthedots) implements it; where that package makes a choice the guide
leaves open, the comment at the rule says which.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby, pairwise

from scorecard.rag import HIGHER, LOWER, NO_POLARITY

# Making Data Count: "at least 12 points" before limits mean anything.
MINIMUM_POINTS = 12
NOT_ENOUGH_POINTS = "fewer than 12 points: no statistical process control"

# 3 / d2, d2 = 1.128 for moving ranges of two points: the distance from the mean
# to a process limit, in mean moving ranges (about three sigma).
LIMIT_FACTOR = Decimal("2.66")

# Run and trend lengths: Making Data Count uses 7 for both (the defaults).
# Authorities differ: the IHI run-chart rules (Provost & Murray) use a shift of 6
# and a trend of 5; the Western Electric rules a run of 8 on one side; Nelson's
# rules a run of 9 and a trend of 6. Callers pass their settings.
RUN_LENGTH = 7
TREND_LENGTH = 7

# The rules, as a point's signals name them.
BEYOND_LIMIT = "a point beyond a process limit"
RUN = "a run of points on one side of the mean"
TREND = "a run of points all rising or all falling"
TWO_OF_THREE = "two of three points near a process limit"

# Which side of the mean a signal lies on (a trend: rising is HIGH).
HIGH, LOW = "high", "low"

# What a signal means with the measure's polarity.
IMPROVING, CONCERNING, NEUTRAL = "improving", "concerning", "neutral"

COMMON_CAUSE = "common cause"
SPECIAL_CAUSE_IMPROVING = "special cause, improving"
SPECIAL_CAUSE_CONCERNING = "special cause, concerning"
SPECIAL_CAUSE_NEUTRAL = "special cause, neither improving nor concerning"

HIT_AND_MISS = "the target lies within the limits: it will be hit and missed at random"
CONSISTENTLY_PASSING = "consistently passing"
CONSISTENTLY_FAILING = "consistently failing"


@dataclass(frozen=True)
class Limits:
    mean: Decimal
    mean_moving_range: Decimal
    upper: Decimal
    lower: Decimal


@dataclass(frozen=True)
class Signal:
    rule: str
    side: str  # HIGH or LOW
    meaning: str  # IMPROVING, CONCERNING or NEUTRAL


def limits(values: Sequence[Decimal]) -> Limits | None:
    """The mean, the mean moving range and the process limits (mean ± 2.66 × the
    mean moving range); None, for NOT_ENOUGH_POINTS, with fewer than 12 values.
    Exact when the mean and mean moving range end; otherwise kept to Decimal's 28
    significant digits, far beyond any figure's places (a finite value can never
    equal a mean that does not end, so "on the mean" is never a rounding).

    Every moving range counts: plotthedots by default first drops moving ranges
    above 3.267 × their mean ("screen outliers"); Making Data Count's plain
    definition, used here, does not."""
    return running_limits(values)[-1] if values else None


def running_limits(values: Sequence[Decimal]) -> list[Limits | None]:
    """`limits(values[: i + 1])` for every i, in one pass: the chart as it stood at
    each point (the engine's month by month)."""
    found: list[Limits | None] = []
    state = Running()
    for value in values:
        state = state.add(value, keep=1)
        found.append(state.limits)
    return found


@dataclass(frozen=True)
class Running:
    """What a chart's next point needs of the points before it: their number,
    total and total moving range (for the limits) and the last few (for the
    signals, `latest_signals`). A month's state, stored with its result, lets a
    later month go on from it without reading the points before."""

    count: int = 0
    total: Decimal = Decimal(0)
    ranges: Decimal = Decimal(0)
    recent: tuple[Decimal, ...] = ()  # the last points, oldest first

    def add(self, value: Decimal, keep: int) -> "Running":
        """The state after `value`, keeping the last `keep` (at least 1) points."""
        ranges = self.ranges + abs(value - self.recent[-1]) if self.recent else self.ranges
        return Running(self.count + 1, self.total + value, ranges, (*self.recent, value)[-keep:])

    @property
    def limits(self) -> Limits | None:
        if self.count < MINIMUM_POINTS:
            return None
        mean, mean_moving_range = self.total / self.count, self.ranges / (self.count - 1)
        width = LIMIT_FACTOR * mean_moving_range
        return Limits(mean, mean_moving_range, mean + width, mean - width)

    def stored(self) -> dict:
        """As a result keeps it (JSON: exact Decimals as text)."""
        return {
            "count": self.count,
            "total": str(self.total),
            "ranges": str(self.ranges),
            "recent": [str(value) for value in self.recent],
        }

    @classmethod
    def from_stored(cls, stored: dict) -> "Running":
        return cls(
            stored["count"],
            Decimal(stored["total"]),
            Decimal(stored["ranges"]),
            tuple(Decimal(value) for value in stored["recent"]),
        )


def recent_length(run_length: int = RUN_LENGTH, trend_length: int = TREND_LENGTH) -> int:
    """How many of the last points the latest point's signals can take in."""
    return max(run_length, trend_length, 3)


def points(series: Sequence[tuple[date, Decimal | None]], baseline_start: date | None) -> list:
    """The (month, value) points of a chart: the months with a figure from the
    baseline (an officer's reset after a known change in the process) on, or from
    the first when there is none; oldest first, as `series` is."""
    return [
        (month, value)
        for month, value in series
        if value is not None and (baseline_start is None or month >= baseline_start)
    ]


def _meaning(side: str, polarity: str) -> str:
    if polarity == NO_POLARITY:
        return NEUTRAL
    if polarity not in (HIGHER, LOWER):
        raise ValueError(f"unknown polarity: {polarity!r}")
    return IMPROVING if (side == HIGH) == (polarity == HIGHER) else CONCERNING


def _side(value: Decimal, mean: Decimal) -> str | None:
    if value > mean:
        return HIGH
    if value < mean:
        return LOW
    return None


def _stretches(keys: Sequence[str | None]) -> list[tuple[int, int, str]]:
    """(start, end, key) of each stretch of equal keys that are not None."""
    found = []
    start = 0
    for key, group in groupby(keys):
        end = start + len(list(group))
        if key is not None:
            found.append((start, end, key))
        start = end
    return found


def signals(
    values: Sequence[Decimal],
    limits: Limits,
    polarity: str,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
) -> list[list[Signal]]:
    """For each value, the special-cause rules it is part of, in the order BEYOND_LIMIT,
    RUN, TREND, TWO_OF_THREE; an empty list for common cause. Every point of a run,
    trend or two-of-three counts, not only the one that completes it (as
    plotthedots' "part of" flags and Making Data Count's charts colour them)."""
    found: list[list[Signal]] = [[] for _ in values]

    def flag(i: int, rule: str, side: str) -> None:
        found[i].append(Signal(rule, side, _meaning(side, polarity)))

    for i, value in enumerate(values):
        if value > limits.upper:
            flag(i, BEYOND_LIMIT, HIGH)
        elif value < limits.lower:
            flag(i, BEYOND_LIMIT, LOW)

    # A run: `run_length` or more points in a row on one side of the mean. A point
    # exactly on the mean breaks the run (plotthedots: ptd_seven_point_one_side_mean
    # asks that a point's sign equal the six before it and not be 0); some texts
    # instead skip such a point, neither breaking the run nor counting towards it.
    sides = [_side(value, limits.mean) for value in values]
    for start, end, side in _stretches(sides):
        if end - start >= run_length:
            for i in range(start, end):
                flag(i, RUN, side)

    # A trend: `trend_length` or more points in a row, each higher (or each lower)
    # than the one before. Two equal points in a row break it (plotthedots:
    # ptd_seven_point_trend, where the sign of a difference of 0 is 0).
    steps = [_side(b, a) for a, b in pairwise(values)]
    for start, end, side in _stretches(steps):
        if end - start + 1 >= trend_length:
            for i in range(start, end + 1):
                flag(i, TREND, side)

    # Two of three: in any three points in a row, all on one side of the mean, at
    # least two in the outer third between the mean and a limit (beyond two sigma),
    # those two flagged. As plotthedots (ptd_two_in_three): a point beyond the limit
    # is not "near" it, and the third point must be on the same side too. Compared
    # as 3 × distance > 2 × (limit - mean) so no third is ever rounded.
    width = limits.upper - limits.mean
    near = [
        3 * abs(value - limits.mean) > 2 * width and limits.lower <= value <= limits.upper
        for value in values
    ]
    flagged = set()
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        # (points on the mean are never near a limit, so a window of them never counts)
        one_side = all(sides[i] == sides[start] for i in window)
        if one_side and sum(near[i] for i in window) >= 2:
            flagged.update(i for i in window if near[i])
    for i in sorted(flagged):
        flag(i, TWO_OF_THREE, sides[i])
    return found


def latest_signals(
    values: Sequence[Decimal],
    limits: Limits,
    polarity: str,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
) -> list[Signal]:
    """`signals(...)[-1]`, the latest point's, from the points it can be part of:
    a run or trend ending there is found within its length, two of three within
    the last three; so a month's signals cost the same however long the chart.
    The same rules as `signals`, asked of the last point alone (the engine asks
    it of every month of every chart): a test holds them to `signals`."""
    tail = values[-recent_length(run_length, trend_length) :]
    mean, upper, lower = limits.mean, limits.upper, limits.lower
    latest = tail[-1]
    found: list[Signal] = []

    def flag(rule: str, side: str) -> None:
        found.append(Signal(rule, side, _meaning(side, polarity)))

    if latest > upper:
        flag(BEYOND_LIMIT, HIGH)
    elif latest < lower:
        flag(BEYOND_LIMIT, LOW)
    side = _side(latest, mean)
    if side is not None:
        length = 1  # the points in a row on its side, up to it
        while length < len(tail) and _side(tail[-1 - length], mean) == side:
            length += 1
        if length >= run_length:
            flag(RUN, side)
    if len(tail) >= 2 and (rising := _side(tail[-1], tail[-2])) is not None:
        steps = 1  # the steps in a row the same way, up to it
        while steps < len(tail) - 1 and _side(tail[-1 - steps], tail[-2 - steps]) == rising:
            steps += 1
        if steps + 1 >= trend_length:
            flag(TREND, rising)
    if len(tail) >= 3 and side is not None:
        two_widths = 2 * (upper - mean)

        def near(value):
            return 3 * abs(value - mean) > two_widths and lower <= value <= upper

        first, second = tail[-3], tail[-2]
        if (
            near(latest)
            and (near(first) or near(second))
            and _side(first, mean) == _side(second, mean) == side
        ):
            flag(TWO_OF_THREE, side)
    return found


def variation(latest: Sequence[Signal]) -> str:
    """In words, from the latest point's signals: common cause without any; with
    any, concerning wins over improving (a director is told of a concern first);
    neither, for a measure without a polarity."""
    meanings = {signal.meaning for signal in latest}
    if not meanings:
        return COMMON_CAUSE
    if CONCERNING in meanings:
        return SPECIAL_CAUSE_CONCERNING
    if IMPROVING in meanings:
        return SPECIAL_CAUSE_IMPROVING
    return SPECIAL_CAUSE_NEUTRAL


def assurance(limits: Limits | None, target: Decimal | None, polarity: str) -> str | None:
    """Whether the process will meet the target: consistently passing when the
    target lies beyond the worse limit (a value at the target meets it, as in
    rag.rate), consistently failing when it lies beyond the better limit, hit and
    missed at random between. None without limits, a target or a polarity."""
    if limits is None or target is None or polarity == NO_POLARITY:
        return None
    if polarity == HIGHER:
        if target <= limits.lower:
            return CONSISTENTLY_PASSING
        if target > limits.upper:
            return CONSISTENTLY_FAILING
        return HIT_AND_MISS
    if polarity == LOWER:
        if target >= limits.upper:
            return CONSISTENTLY_PASSING
        if target < limits.lower:
            return CONSISTENTLY_FAILING
        return HIT_AND_MISS
    raise ValueError(f"unknown polarity: {polarity!r}")
