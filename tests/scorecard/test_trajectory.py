"""The trajectory to a long-term target, worked by hand from the reference
scorecard's January 2015 (long-term targets for January 2016)."""

from datetime import date
from decimal import Decimal as D

import pytest

from scorecard import rag, trajectory

JAN_2015 = date(2015, 1, 1)
JAN_2016 = date(2016, 1, 1)


def worked(current, earlier, target, polarity, month=JAN_2015, due=JAN_2016):
    return trajectory.trajectory(
        month=month,
        current=None if current is None else D(current),
        earlier=None if earlier is None else D(earlier),
        target=None if target is None else D(target),
        due=due,
        polarity=polarity,
    )


def test_repeat_referrals_lower_is_better_and_flat_for_six_months():
    # 31.0% in January, 31.0% in July: 23% by January 2016 needs 8 points down
    # over 12 months, 0.67 a month; the last 6 months moved 0 a month.
    found = worked("31.0", "31.0", "23", rag.LOWER)
    assert found.months_left == 12
    assert found.needed == D(-8) / 12
    assert found.recent == 0
    assert found.status == trajectory.OFF_COURSE


def test_assessments_in_45_days_higher_is_better_and_falling():
    # 76.0% in January, 81.0% in July, 100% by January 2016: +2 a month needed,
    # -5 over 6 months is -0.83 a month.
    found = worked("76.0", "81.0", "100", rag.HIGHER)
    assert found.needed == 2
    assert found.recent == D(-5) / 6
    assert found.status == trajectory.OFF_COURSE


def test_rising_fast_enough_is_on_course():
    # 80 now, 68 six months ago: +2 a month; 90 in 12 months needs +0.83 a month.
    found = worked("80", "68", "90", rag.HIGHER)
    assert found.recent == 2 and found.needed == D(10) / 12
    assert found.status == trajectory.ON_COURSE


def test_falling_fast_enough_is_on_course_when_lower_is_better():
    found = worked("29", "35", "23", rag.LOWER)  # -1 a month; -0.5 a month needed
    assert (found.recent, found.needed) == (-1, D(-6) / 12)
    assert found.status == trajectory.ON_COURSE


def test_exactly_the_pace_needed_is_on_course():
    found = worked("88", "82", "100", rag.HIGHER)  # +1 a month needed, +1 a month done
    assert found.needed == found.recent == 1
    assert found.status == trajectory.ON_COURSE


def test_polarity_decides_which_way_is_on_course():
    # the same figures: rising 1 a month towards 100 is on course when higher
    # is better; with lower better, 88 is already under a target of 100
    assert worked("88", "82", "100", rag.HIGHER).status == trajectory.ON_COURSE
    assert worked("88", "82", "100", rag.LOWER).status == trajectory.MET
    # and falling towards a lower target is off course if it falls too slowly
    assert worked("30", "31", "23", rag.LOWER).status == trajectory.OFF_COURSE


@pytest.mark.parametrize(
    "current, target, polarity",
    [("95.0", "95", rag.HIGHER), ("96.0", "95", rag.HIGHER), ("20.0", "23", rag.LOWER)],
)
def test_already_met_needs_no_pace(current, target, polarity):
    found = worked(current, "50", target, polarity)
    assert found.status == trajectory.MET
    assert found.needed is None and not found.has_pace


def test_the_date_passed_without_meeting_it():
    found = worked("31.0", "30.0", "23", rag.LOWER, month=date(2016, 2, 1))
    assert found.status == trajectory.PASSED and found.needed is None
    # the target's own month with the target not met: no month left to reach it
    assert worked("31.0", "30.0", "23", rag.LOWER, month=JAN_2016).status == trajectory.PASSED


def test_one_month_left_needs_the_whole_gap():
    found = worked("31.0", "30.0", "23", rag.LOWER, month=date(2015, 12, 1))
    assert (found.months_left, found.needed) == (1, -8)


def test_no_target_no_polarity_no_figure():
    assert worked("31.0", "30.0", None, rag.LOWER, due=None).status == trajectory.NO_TARGET
    assert worked("29.1", "28.0", "30", rag.NO_POLARITY).status == trajectory.NO_POLARITY
    assert worked(None, "30.0", "23", rag.LOWER).status == trajectory.NO_FIGURE


def test_not_enough_history_still_says_the_pace_needed():
    # care leavers' pathway plans: 66.8% in January, n/a in July; 100% by January 2016
    found = worked("66.8", None, "100", rag.HIGHER)
    assert found.status == trajectory.NO_HISTORY
    assert found.needed == D("33.2") / 12 and found.recent is None
