"""Working days and deadlines: weekends and English bank holidays do not count."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard import workdays
from scorecard.workdays import (
    add_working_days,
    deadline_state,
    due_date,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2015, 2, 2), True),  # Monday
        (date(2015, 2, 6), True),  # Friday
        (date(2015, 2, 7), False),  # Saturday
        (date(2015, 2, 8), False),  # Sunday
        (date(2014, 12, 24), True),  # Christmas Eve is a working day
        (date(2014, 12, 25), False),  # Christmas Day
        (date(2014, 12, 26), False),  # Boxing Day
        (date(2015, 1, 1), False),  # New Year's Day
        (date(2015, 4, 3), False),  # Good Friday
        (date(2015, 4, 6), False),  # Easter Monday
        (date(2015, 5, 4), False),  # Early May bank holiday
        (date(2015, 5, 25), False),  # Spring bank holiday
        (date(2015, 8, 31), False),  # Summer bank holiday (England, not Scotland's)
        (date(2015, 8, 3), True),  # Scotland's summer bank holiday is not England's
        (date(2015, 3, 17), True),  # St Patrick's Day: Northern Ireland only
        (date(2015, 12, 28), False),  # Boxing Day (Saturday) observed on Monday
        (date(2016, 12, 27), False),  # Christmas Day (Sunday) observed on Tuesday
        (date(2021, 12, 27), False),  # Christmas (Saturday) observed Monday
        (date(2021, 12, 28), False),  # Boxing Day (Sunday) observed Tuesday
        (date(2022, 1, 3), False),  # New Year's Day (Saturday) observed Monday
        (date(2022, 6, 3), False),  # a one-off: the Platinum Jubilee
    ],
)
def test_weekends_and_english_bank_holidays_are_not_working_days(day, working):
    assert is_working_day(day) is working


def test_extra_closures_are_not_working_days():
    closure = date(2015, 2, 4)
    assert is_working_day(closure)
    assert not is_working_day(closure, closures={closure})
    assert add_working_days(date(2015, 2, 3), 1, closures=[closure]) == date(2015, 2, 5)
    assert working_days_between(date(2015, 2, 2), date(2015, 2, 6), closures=[closure]) == 3
    assert due_date(date(2015, 1, 1), 10, closures=[closure]) == date(2015, 2, 16)


def test_a_bank_holiday_week_has_four_working_days():
    # Spring bank holiday, Monday 25 May 2015.
    assert working_days_between(date(2015, 5, 22), date(2015, 5, 29)) == 4
    assert add_working_days(date(2015, 5, 22), 1) == date(2015, 5, 26)
    assert add_working_days(date(2015, 5, 26), -1) == date(2015, 5, 22)


def test_christmas_2014_skips_christmas_boxing_day_new_year_and_weekends():
    assert add_working_days(date(2014, 12, 24), 1) == date(2014, 12, 29)
    assert add_working_days(date(2014, 12, 31), 1) == date(2015, 1, 2)
    # Friday 19 Dec to Friday 2 Jan: 22, 23, 24, 29, 30, 31 Dec and 2 Jan.
    assert working_days_between(date(2014, 12, 19), date(2015, 1, 2)) == 7
    # December 2014's return: counted from 1 January (a bank holiday).
    assert due_date(date(2014, 12, 1), 10) == date(2015, 1, 15)
    # November 2014's return is due before Christmas.
    assert due_date(date(2014, 11, 1), 10) == date(2014, 12, 12)


def test_easter_2015_moves_the_march_deadline_by_two_days():
    # Good Friday 3 April and Easter Monday 6 April.
    assert add_working_days(date(2015, 4, 2), 1) == date(2015, 4, 7)
    assert working_days_between(date(2015, 4, 2), date(2015, 4, 7)) == 1
    assert due_date(date(2015, 3, 1), 10) == date(2015, 4, 16)  # not Tuesday 14 April


def test_a_month_ending_on_a_weekend_counts_from_the_first_working_day_after():
    # January 2015 ends on Saturday 31 January: day 1 is Monday 2 February.
    assert due_date(date(2015, 1, 1), 1) == date(2015, 2, 2)
    assert due_date(date(2015, 1, 1), 10) == date(2015, 2, 13)
    # May 2015 ends on Sunday 31 May.
    assert due_date(date(2015, 5, 1), 10) == date(2015, 6, 12)


def test_a_month_ending_on_a_bank_holiday():
    # August 2015 ends on Monday 31 August, the summer bank holiday.
    assert due_date(date(2015, 8, 1), 10) == date(2015, 9, 14)


def test_substitute_bank_holidays_are_skipped():
    # Christmas 2015 on Friday, Boxing Day on Saturday: observed Monday 28th.
    assert add_working_days(date(2015, 12, 24), 1) == date(2015, 12, 29)
    # 2021: both fall on the weekend; Monday 27th and Tuesday 28th are off.
    assert add_working_days(date(2021, 12, 24), 1) == date(2021, 12, 29)
    assert working_days_between(date(2021, 12, 24), date(2021, 12, 31)) == 3
    # December 2021 ends on Friday 31st; New Year's Day (Saturday) observed Monday 3rd.
    assert due_date(date(2021, 12, 1), 1) == date(2022, 1, 4)


def test_february_in_a_leap_year():
    # February 2016 ends on Monday 29th.
    assert workdays.month_end(date(2016, 2, 1)) == date(2016, 2, 29)
    assert due_date(date(2016, 2, 1), 1) == date(2016, 3, 1)


def test_zero_working_days_is_the_day_itself():
    assert add_working_days(date(2015, 2, 7), 0) == date(2015, 2, 7)
    assert working_days_between(date(2015, 2, 7), date(2015, 2, 7)) == 0


def test_working_days_between_is_negative_backwards():
    assert working_days_between(date(2015, 2, 9), date(2015, 2, 2)) == -5
    # From Saturday back to Friday is one working day back, as add_working_days has it.
    assert working_days_between(date(2015, 2, 7), date(2015, 2, 6)) == -1
    assert add_working_days(date(2015, 2, 7), -1) == date(2015, 2, 6)


def test_due_date_needs_a_first_of_month_and_at_least_one_day():
    with pytest.raises(ValueError, match="first of a month"):
        due_date(date(2015, 1, 31), 10)
    with pytest.raises(ValueError, match="at least 1"):
        due_date(date(2015, 1, 1), 0)


@given(
    start=st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31)),
    n=st.integers(min_value=-40, max_value=40),
)
def test_adding_and_counting_working_days_agree(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)


@given(start=st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31)))
def test_every_week_has_at_most_five_working_days(start):
    assert 0 <= working_days_between(start, start + timedelta(days=7)) <= 5


DUE = date(2015, 2, 13)  # Friday


@pytest.mark.parametrize(
    "today, submitted_on, state",
    [
        # Not submitted.
        (date(2015, 2, 10), None, ""),  # Tuesday: three working days to go
        (date(2015, 2, 11), None, "due soon"),  # Wednesday: two
        (date(2015, 2, 12), None, "due soon"),
        (DUE, None, "due soon"),  # due today: not yet overdue
        (date(2015, 2, 14), None, "overdue"),  # Saturday after
        (date(2015, 3, 20), None, "overdue"),
        # Submitted: judged by when, whatever today is.
        (date(2015, 2, 12), date(2015, 2, 12), "on time"),
        (date(2015, 3, 20), DUE, "on time"),  # on the day is on time
        (date(2015, 3, 20), date(2015, 2, 16), "late"),
        (date(2015, 2, 16), date(2015, 2, 16), "late"),
    ],
)
def test_deadline_state(today, submitted_on, state):
    assert deadline_state(DUE, today, submitted_on) == state


def test_due_soon_counts_working_days_not_calendar_days():
    due = date(2015, 4, 7)  # Tuesday after Easter Monday
    # Thursday 2 April: Good Friday, the weekend and Easter Monday do not count.
    assert deadline_state(due, date(2015, 4, 2), None) == "due soon"
    assert deadline_state(due, date(2015, 4, 1), None) == "due soon"  # 2 and 7 April
    assert deadline_state(due, date(2015, 3, 31), None) == ""
    # Friday before a Tuesday deadline in an ordinary week: two working days.
    assert deadline_state(date(2015, 2, 17), date(2015, 2, 13), None) == "due soon"
