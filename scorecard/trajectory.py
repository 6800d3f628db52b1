"""The trajectory to a long-term target: the change a month still needed to
reach it by its date, beside the change a month of the last 6 months. Plain
values in (the figures as shown, at the measure's places), a `Trajectory` out."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import rag
from .months import months_between

RECENT_MONTHS = 6

# Why there is no trajectory, or where it stands
NO_TARGET = "no long-term target"
NO_POLARITY = "no polarity: a context measure has no trajectory"
NO_FIGURE = "no figure this month"
MET = "already meets the long-term target"
PASSED = "the long-term target's date has passed without meeting it"
NO_HISTORY = "no figure 6 months before to compare with"
ON_COURSE = "on course at the last 6 months' pace"
OFF_COURSE = "not on course at the last 6 months' pace"


@dataclass(frozen=True)
class Trajectory:
    status: str  # one of the words above
    needed: Decimal | None = None  # change a month still needed (signed: + is up)
    recent: Decimal | None = None  # change a month over the last RECENT_MONTHS (signed)
    months_left: int = 0  # months from this month's figure to the target's

    @property
    def has_pace(self) -> bool:
        """Whether there is a needed change to show (the target still ahead)."""
        return self.needed is not None


def trajectory(
    *,
    month: date,
    current: Decimal | None,
    earlier: Decimal | None,
    target: Decimal | None,
    due: date | None,
    polarity: str,
) -> Trajectory:
    """`current`: the figure of `month`; `earlier`: the figure RECENT_MONTHS
    before (None when there is none to compare with); `target`, `due`: the
    long-term target and the month it is to be reached in."""
    if target is None or due is None:
        return Trajectory(NO_TARGET)
    if polarity not in (rag.HIGHER, rag.LOWER):
        return Trajectory(NO_POLARITY)
    if current is None:
        return Trajectory(NO_FIGURE)
    if rag.shortfall(current, target, polarity) <= 0:
        return Trajectory(MET)
    months_left = len(months_between(month, due)) - 1
    if months_left < 1:
        return Trajectory(PASSED)
    needed = (target - current) / months_left
    if earlier is None:
        return Trajectory(NO_HISTORY, needed=needed, months_left=months_left)
    recent = (current - earlier) / RECENT_MONTHS
    toward = 1 if polarity == rag.HIGHER else -1  # the sign of an improvement
    on_course = recent * toward >= needed * toward
    return Trajectory(
        ON_COURSE if on_course else OFF_COURSE,
        needed=needed,
        recent=recent,
        months_left=months_left,
    )
