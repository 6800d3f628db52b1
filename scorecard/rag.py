"""RAG rating, direction of travel and benchmark comparison.

Plain values in, a word out; no ORM. Every rating the product shows comes from
`rate()`.
"""

from decimal import ROUND_HALF_UP, Decimal

GREEN, AMBER, RED, NO_RATING = "green", "amber", "red", "none"
HIGHER, LOWER, NO_POLARITY = "higher", "lower", "none"
POINTS, RELATIVE = "points", "relative"

IMPROVING, WORSENING, UNCHANGED, UP, DOWN = "improving", "worsening", "unchanged", "up", "down"
BETTER, WORSE, SAME = "better", "worse", "same"


def round_to(value: Decimal | None, places: int) -> Decimal | None:
    """Round half up, as people and spreadsheets do, to the places a measure shows."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shortfall(outturn: Decimal, target: Decimal, polarity: str) -> Decimal:
    """How far the outturn is worse than the target; zero or less when it meets it."""
    if polarity == HIGHER:
        return target - outturn
    if polarity == LOWER:
        return outturn - target
    raise ValueError(f"no shortfall without a polarity: {polarity!r}")


def allowed_shortfall(target: Decimal, tolerance: Decimal, tolerance_kind: str) -> Decimal:
    if tolerance_kind == POINTS:
        return tolerance
    if tolerance_kind == RELATIVE:
        return abs(target) * tolerance / 100
    raise ValueError(f"unknown tolerance kind: {tolerance_kind!r}")


def rate(
    outturn: Decimal | None,
    target: Decimal | None,
    polarity: str,
    tolerance: Decimal,
    tolerance_kind: str = POINTS,
    green_band: Decimal = Decimal(0),
) -> str:
    """Green when the outturn meets or beats the target, or falls short by no more
    than the Green band ("in line with target", in the tolerance's kind); Amber
    when worse but within the tolerance (the tolerance itself included); Red
    beyond it. No outturn, no target or no polarity: no rating, never Green."""
    if outturn is None or target is None or polarity == NO_POLARITY:
        return NO_RATING
    gap = shortfall(outturn, target, polarity)
    if gap <= 0 or gap <= allowed_shortfall(target, green_band, tolerance_kind):
        return GREEN
    if gap <= allowed_shortfall(target, tolerance, tolerance_kind):
        return AMBER
    return RED


def direction(current: Decimal | None, previous: Decimal | None, polarity: str) -> str:
    """Direction of travel: improving / worsening / unchanged with a polarity,
    up / down / unchanged without one; empty when either value is missing."""
    if current is None or previous is None:
        return ""
    if current == previous:
        return UNCHANGED
    went_up = current > previous
    if polarity == NO_POLARITY:
        return UP if went_up else DOWN
    return IMPROVING if went_up == (polarity == HIGHER) else WORSENING


def compare(value: Decimal | None, benchmark: Decimal | None, polarity: str) -> str:
    """Better / worse / same than a benchmark; higher / lower without polarity."""
    if value is None or benchmark is None:
        return ""
    if value == benchmark:
        return SAME
    above = value > benchmark
    if polarity == NO_POLARITY:
        return "higher" if above else "lower"
    return BETTER if above == (polarity == HIGHER) else WORSE
