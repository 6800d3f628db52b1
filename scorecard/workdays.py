"""Working days in England: weekends and England-and-Wales bank holidays are not.

Pure functions, no database. Bank holidays come from the maintained `holidays`
package (substitute days included, e.g. Boxing Day 2015 observed on Monday 28
December). Any other closures (an office closure day, say) are passed in as
`closures`.
"""

from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache

import holidays

DUE_SOON_WORKING_DAYS = 2

ON_TIME = "on time"
DUE_SOON = "due soon"
OVERDUE = "overdue"
LATE = "late"

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date, *, closures: Collection[date] = ()) -> bool:
    """Monday to Friday, not an English bank holiday, not one of `closures`."""
    return day.weekday() < 5 and not is_bank_holiday(day) and day not in closures


def add_working_days(day: date, n: int, *, closures: Collection[date] = ()) -> date:
    """The n-th working day after `day` (`day` itself not counted); n < 0 counts back.

    n == 0 gives `day` itself, working day or not.
    """
    closed = frozenset(closures)
    step = ONE_DAY if n >= 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day, closures=closed):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, *, closures: Collection[date] = ()) -> int:
    """The working days stepped onto going from `start` to `end`: `start` not
    counted, `end` counted; negative going backwards.

    So `working_days_between(start, add_working_days(start, n)) == n` for any n.
    """
    closed = frozenset(closures)
    step, sign = (ONE_DAY, 1) if end >= start else (-ONE_DAY, -1)
    count, day = 0, start
    while day != end:
        day += step
        if is_working_day(day, closures=closed):
            count += 1
    return sign * count


def month_end(month: date) -> date:
    """The last day of `month`'s month."""
    following = month.replace(day=28) + timedelta(days=4)
    return following - timedelta(days=following.day)


def due_date(month: date, working_days: int, *, closures: Collection[date] = ()) -> date:
    """The `working_days`-th working day after `month` ends (`month` is a first of month).

    January 2015 with 10 working days: counted from Sunday 1 February, due
    Friday 13 February 2015.
    """
    if month.day != 1:
        raise ValueError(f"month must be the first of a month, not {month}")
    if working_days < 1:
        raise ValueError(f"working_days must be at least 1, not {working_days}")
    return add_working_days(month_end(month), working_days, closures=closures)


def deadline_state(
    due: date, today: date, submitted_on: date | None, *, closures: Collection[date] = ()
) -> str:
    """What to say about a deadline.

    Submitted: "late" if after `due`, else "on time". Not submitted: "overdue"
    once `due` has passed, "due soon" from two working days before it up to and
    including the day itself, otherwise "".
    """
    if submitted_on is not None:
        return LATE if submitted_on > due else ON_TIME
    if today > due:
        return OVERDUE
    if working_days_between(today, due, closures=closures) <= DUE_SOON_WORKING_DAYS:
        return DUE_SOON
    return ""
