"""One test per rule: what a team manager typed, and what they are told."""

from decimal import Decimal as D

import pytest

from scorecard import validation as v

PERCENT = v.MeasureRules(
    title="% seen",
    entry="ratio",
    unit="percent",
    decimal_places=1,
    polarity="higher",
    tolerance=D(5),
    tolerance_kind="points",
    change_threshold_percent=D(25),
)
VALUE_PERCENT = v.MeasureRules(
    title="% value",
    entry="value",
    unit="percent",
    decimal_places=1,
    polarity="higher",
    tolerance=D(5),
    tolerance_kind="points",
    change_threshold_percent=D(25),
)
COUNT = v.MeasureRules(
    title="Referrals",
    entry="count",
    unit="count",
    decimal_places=0,
    polarity="none",
    tolerance=D(5),
    tolerance_kind="points",
    change_threshold_percent=D(25),
)


def codes(entry, submitting=False, severity=None):
    return [
        f.code
        for f in v.check(entry, submitting=submitting)
        if severity is None or f.severity == severity
    ]


@pytest.mark.parametrize("typed", ["twelve", "12a", "1..2", "NaN", "Infinity", "--1"])
def test_not_a_number(typed):
    findings = v.check(v.Entry(PERCENT, numerator=typed, denominator="10"), submitting=False)
    assert [(f.code, f.field) for f in findings] == [("not_a_number", "numerator")]
    assert "as a number" in findings[0].message


def test_negative():
    assert codes(v.Entry(PERCENT, numerator="-1", denominator="10")) == ["negative"]


def test_numerator_above_denominator():
    findings = v.check(v.Entry(PERCENT, numerator="11", denominator="10"), submitting=False)
    assert [f.code for f in findings] == ["numerator_above_denominator"]
    assert findings[0].message == "The numerator cannot be more than the denominator"


def test_percentage_entered_as_a_value_must_be_0_to_100():
    assert codes(v.Entry(VALUE_PERCENT, value="100.1")) == ["percentage_out_of_range"]
    assert codes(v.Entry(VALUE_PERCENT, value="100")) == []


def test_more_decimals_than_the_measure_allows():
    assert codes(v.Entry(VALUE_PERCENT, value="50.25")) == ["too_many_decimals"]
    assert codes(v.Entry(VALUE_PERCENT, value="50.20")) == []  # a trailing zero is fine
    assert codes(v.Entry(PERCENT, numerator="1.5", denominator="10")) == ["too_many_decimals"]
    assert codes(v.Entry(COUNT, numerator="3.5")) == ["too_many_decimals"]


def test_more_digits_than_the_measure_allows():
    assert codes(v.Entry(COUNT, numerator="12345678901")) == ["too_many_digits"]


def test_thousands_separators_are_accepted():
    entry = v.Entry(COUNT, numerator="1,204")
    assert codes(entry) == []
    assert entry.parsed["numerator"] == D(1204)


def test_a_draft_may_be_incomplete_but_a_submission_may_not():
    assert codes(v.Entry(PERCENT, numerator="5")) == []
    assert codes(v.Entry(PERCENT, numerator="5"), submitting=True) == ["missing"]
    assert codes(v.Entry(PERCENT, not_applicable_reason="No cases"), submitting=True) == []


def test_not_applicable_means_no_figures():
    assert codes(v.Entry(COUNT, numerator="4", not_applicable_reason="No cases")) == [
        "not_applicable_with_figures"
    ]


def test_a_big_change_needs_a_commentary_before_submit():
    entry = dict(measure=COUNT, numerator="140", previous=D(100))
    assert codes(v.Entry(**entry), severity=v.SOFT) == ["big_change"]
    assert codes(v.Entry(**entry), submitting=True, severity=v.HARD) == ["big_change"]
    assert (
        codes(v.Entry(**entry, commentary="New contact centre"), submitting=True, severity=v.HARD)
        == []
    )
    assert codes(v.Entry(measure=COUNT, numerator="125", previous=D(100))) == []  # at 25%: fine


def test_outside_the_teams_own_range_needs_a_commentary():
    history = [D(40), D(45), D(50)]
    assert codes(v.Entry(COUNT, numerator="55", history=history)) == ["outside_range"]
    assert codes(v.Entry(COUNT, numerator="45", history=history)) == []


def test_a_figure_that_would_rate_red_needs_a_commentary():
    red = v.Entry(PERCENT, numerator="70", denominator="100", target=D(85))
    assert codes(red, severity=v.SOFT) == ["would_rate_red"]
    assert codes(red, submitting=True, severity=v.HARD) == ["would_rate_red"]
    amber = v.Entry(PERCENT, numerator="82", denominator="100", target=D(85))
    assert codes(amber) == []


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("9" * 60 + ".5", "too_many_digits"),
        ("10,000,000,000", "too_many_digits"),
        ("1e30", "not_a_number"),
        ("1e-30", "not_a_number"),
        ("12.345", "too_many_decimals"),
        ("-0.5", "negative"),
        ("١٢", "not_a_number"),
        ("1,204", ""),
        ("0", ""),
        ("12.30", ""),
        ("9,999,999,999.99", ""),
    ],
)
def test_reading_a_number_never_fails_whatever_its_size(typed, problem):
    number, found = v.read_figure(typed, places=2, bound=D(10) ** 10)
    assert found == problem
    assert (number is None) == bool(problem)


@pytest.mark.parametrize("invisible", ["\u200b", " \ufeff ", "\u2060\u200d", "\u00a0"])
def test_a_not_applicable_reason_of_invisible_characters_is_no_reason(invisible):
    assert codes(v.Entry(PERCENT, not_applicable_reason=invisible), submitting=True) == [
        "missing",
        "missing",
    ]
    assert codes(v.Entry(COUNT, numerator="4", not_applicable_reason=invisible)) == []


@pytest.mark.parametrize("invisible", ["\u200b", " \ufeff ", "\u200c"])
def test_a_commentary_of_invisible_characters_does_not_explain_a_flag(invisible):
    entry = v.Entry(COUNT, numerator="140", previous=D(100), commentary=invisible)
    explained = v.Entry(COUNT, numerator="140", previous=D(100), commentary="New team")
    assert "big_change" in codes(entry, submitting=True, severity=v.HARD)
    assert "big_change" not in codes(explained, submitting=True, severity=v.HARD)


@pytest.mark.parametrize(
    "text, blank",
    [
        ("", True),
        (None, True),
        (" \t\n", True),
        ("\u200b\u200c\u200d\u2060\ufeff", True),
        ("\u00a0\u2003", True),
        ("\x00\x07", True),
        ("a", False),
        ("\u200bNo cases\u200b", False),
        ("٣", False),
    ],
)
def test_is_blank(text, blank):
    from scorecard.text import is_blank

    assert is_blank(text) is blank
