"""Each staffing rule on its own: its code, its message and the field it marks."""

from decimal import Decimal as D

import pytest

from workforce import validation
from workforce.validation import StaffingEntry

COMPLETE = {
    "fte_in_post": "20",
    "headcount_in_post": "21",
    "establishment_fte": "24",
    "vacancies_fte": "4",
    "agency_fte": "3.5",
    "starters_fte": "1",
    "leavers_fte": "2",
    "days_available": "400",
    "days_lost": "12.5",
    "open_cases": "310",
}


def findings(submitting=False, **typed):
    return [
        (f.code, f.field, f.message)
        for f in validation.check(StaffingEntry(typed=typed), submitting=submitting)
    ]


def test_a_complete_section_passes_and_is_parsed_as_decimals():
    entry = StaffingEntry(typed=dict(COMPLETE, agency_fte="1,003.25"))
    assert validation.check(entry, submitting=True) == []
    assert entry.parsed["agency_fte"] == D("1003.25")
    assert entry.parsed["open_cases"] == D(310)


@pytest.mark.parametrize(
    ("name", "text", "code", "message"),
    [
        (
            "fte_in_post",
            "-1",
            "negative",
            "The FTE of qualified social workers in post cannot be negative",
        ),
        (
            "agency_fte",
            "1.255",
            "too_many_decimals",
            "Enter the agency FTE as a number with no more than 2 decimal places",
        ),
        (
            "vacancies_fte",
            "three",
            "not_a_number",
            "Enter the vacancies FTE as a number, like 12 or 12.5",
        ),
        (
            "open_cases",
            "12.5",
            "too_many_decimals",
            "Enter the number of open cases as a whole number",
        ),
        (
            "days_available",
            "NaN",
            "not_a_number",
            "Enter the working days available as a number, like 12 or 12.5",
        ),
        (
            "days_lost",
            "1000000",
            "too_many_digits",
            "The working days lost to sickness must be less than 1,000,000",
        ),
    ],
)
def test_each_figure_is_a_non_negative_number_with_its_places(name, text, code, message):
    assert findings(**{name: text}) == [(code, name, message)]


def test_trailing_zeros_are_not_extra_decimals():
    assert findings(fte_in_post="12.500", open_cases="7.0") == []


def test_days_lost_never_above_days_available():
    assert findings(days_available="20", days_lost="20.5") == [
        (
            "days_lost_above_available",
            "days_lost",
            "The working days lost to sickness cannot be more than the working days available",
        )
    ]
    assert findings(days_available="20", days_lost="20") == []


def test_leavers_never_above_fte_in_post_plus_starters():
    assert findings(fte_in_post="10", starters_fte="1", leavers_fte="11.5") == [
        (
            "leavers_above_headcount",
            "leavers_fte",
            "The leavers FTE cannot be more than the FTE in post plus the starters FTE",
        )
    ]
    assert findings(fte_in_post="10", starters_fte="1", leavers_fte="11") == []


def test_the_fte_in_post_never_above_the_headcount():
    assert findings(fte_in_post="10.5", headcount_in_post="10") == [
        (
            "fte_above_headcount",
            "fte_in_post",
            "The FTE in post cannot be more than the headcount in post: each person works at "
            "most 1 FTE",
        )
    ]
    assert findings(fte_in_post="10", headcount_in_post="10") == []
    assert findings(fte_in_post="8.5", headcount_in_post="10") == []


def test_the_headcount_is_a_whole_number_of_people():
    assert findings(headcount_in_post="10.5") == [
        (
            "too_many_decimals",
            "headcount_in_post",
            "Enter the headcount of qualified social workers in post as a whole number",
        )
    ]


def test_vacancies_never_above_the_establishment():
    assert findings(establishment_fte="10", vacancies_fte="10.25") == [
        (
            "vacancies_above_establishment",
            "vacancies_fte",
            "The vacancies FTE cannot be more than the establishment FTE",
        )
    ]


def test_a_draft_may_be_incomplete_but_a_submission_may_not():
    assert findings(fte_in_post="10") == []
    missing = findings(submitting=True, fte_in_post="10")
    assert [field for _, field, _ in missing] == [
        spec.name for spec in validation.FIELDS if spec.name != "fte_in_post"
    ]
    assert (
        "missing",
        "days_lost",
        "Enter the working days lost to sickness before you submit (0 if there are none)",
    ) in missing
    assert findings(submitting=True, **dict(COMPLETE, leavers_fte="0", open_cases="0")) == []
