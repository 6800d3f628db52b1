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


# --- each rule's finding in full: what the person is told, beside which field --

RATE = v.MeasureRules(
    title="CP rate",
    entry="count",
    unit="rate_10k",
    decimal_places=1,
    polarity="none",
    tolerance=D(5),
    tolerance_kind="points",
    change_threshold_percent=D(25),
)
VALUE_COUNT = v.MeasureRules(
    title="Caseload",
    entry="value",
    unit="count",
    decimal_places=1,
    polarity="none",
    tolerance=D(5),
    tolerance_kind="points",
    change_threshold_percent=D(25),
)
EXPLAIN = "explain it in the commentary"


def found(entry, submitting=False):
    return [(f.code, f.message, f.field, f.severity) for f in v.check(entry, submitting=submitting)]


def test_a_figure_that_is_not_a_number_is_named_and_the_example_fits_its_places():
    assert found(v.Entry(PERCENT, numerator="twelve", denominator="10")) == [
        ("not_a_number", "Enter the numerator as a number, like 12", "numerator", v.HARD)
    ]
    assert found(v.Entry(COUNT, numerator="twelve")) == [
        ("not_a_number", "Enter the figure as a number, like 12", "numerator", v.HARD)
    ]
    assert found(v.Entry(VALUE_PERCENT, value="twelve")) == [
        ("not_a_number", "Enter the figure as a number, like 12 or 12.5", "value", v.HARD)
    ]


def test_a_negative_too_large_or_too_precise_figure_says_what_is_wrong():
    assert found(v.Entry(PERCENT, numerator="1", denominator="-10")) == [
        ("negative", "The denominator cannot be negative", "denominator", v.HARD)
    ]
    assert found(v.Entry(COUNT, numerator="10,000,000,000")) == [
        ("too_many_digits", "The figure must be less than 10,000,000,000", "numerator", v.HARD)
    ]
    assert found(v.Entry(PERCENT, numerator="1.5", denominator="10")) == [
        ("too_many_decimals", "Enter the numerator as a whole number", "numerator", v.HARD)
    ]
    assert found(v.Entry(VALUE_PERCENT, value="50.25")) == [
        ("too_many_decimals", "Enter the figure as no more than 1 decimal places", "value", v.HARD)
    ]


def test_a_blank_field_does_not_stop_the_next_one_being_read():
    assert found(v.Entry(PERCENT, numerator="", denominator="ten")) == [
        ("not_a_number", "Enter the denominator as a number, like 12", "denominator", v.HARD)
    ]
    entry = v.Entry(PERCENT, numerator="", denominator="10")
    assert found(entry) == [] and entry.parsed == {"denominator": D(10)}


def test_a_percent_sign_is_allowed_only_on_a_percentage_typed_as_a_value():
    entry = v.Entry(VALUE_PERCENT, value="62.5%")
    assert found(entry) == [] and entry.parsed == {"value": D("62.5")}
    assert codes(v.Entry(PERCENT, numerator="5%", denominator="10")) == ["not_a_number"]
    assert codes(v.Entry(VALUE_COUNT, value="5%")) == ["not_a_number"]
    assert v.read_figure("50%", places=0, bound=D(100)) == (None, "not_a_number")
    assert v.read_figure("50%", places=0, bound=D(1000), percent=True) == (D(50), "")


def test_a_numerator_may_equal_its_denominator_but_not_exceed_it():
    assert found(v.Entry(PERCENT, numerator="20", denominator="20")) == []
    assert found(v.Entry(PERCENT, numerator="21", denominator="20")) == [
        (
            "numerator_above_denominator",
            "The numerator cannot be more than the denominator",
            "numerator",
            v.HARD,
        )
    ]


def test_a_percentage_over_100_is_refused_beside_its_value():
    assert found(v.Entry(VALUE_PERCENT, value="100.1")) == [
        ("percentage_out_of_range", "A percentage must be between 0 and 100", "value", v.HARD)
    ]


def test_figures_beside_a_not_applicable_reason_are_refused_at_the_first_field():
    assert found(v.Entry(VALUE_PERCENT, value="4", not_applicable_reason="No cases")) == [
        (
            "not_applicable_with_figures",
            "Leave the figures blank when the measure is not applicable",
            "value",
            v.HARD,
        )
    ]


def test_a_submission_names_each_missing_field():
    ask = "before you submit, or say why it is not applicable"
    assert found(v.Entry(PERCENT), submitting=True) == [
        ("missing", f"Enter the numerator {ask}", "numerator", v.HARD),
        ("missing", f"Enter the denominator {ask}", "denominator", v.HARD),
    ]
    assert found(v.Entry(COUNT), submitting=True) == [
        ("missing", f"Enter the figure {ask}", "numerator", v.HARD)
    ]


def test_a_figure_typed_but_unreadable_is_unreadable_not_missing_too():
    assert codes(v.Entry(PERCENT, numerator="abc"), submitting=True) == [
        "not_a_number",
        "missing",
    ]  # the denominator is the one missing
    assert [f.field for f in v.check(v.Entry(PERCENT, numerator="abc"), submitting=True)] == [
        "numerator",
        "denominator",
    ]


def test_a_big_change_says_how_big_rounded_to_whole_percents():
    assert found(v.Entry(COUNT, numerator="133", previous=D(100))) == [
        (
            "big_change",
            f"This is a change of 33% from last month (more than 25%): {EXPLAIN}",
            "commentary",
            v.SOFT,
        )
    ]


def test_a_change_from_a_last_month_of_0_is_not_a_percentage_and_not_flagged():
    assert found(v.Entry(COUNT, numerator="5", previous=D(0))) == []
    assert codes(v.Entry(COUNT, numerator="3", previous=D(1))) == ["big_change"]  # 200%


def test_a_big_change_is_checked_on_values_and_on_counts_per_10000_as_counted():
    assert codes(v.Entry(VALUE_PERCENT, value="60", previous=D(40))) == ["big_change"]
    # last month's count of 100 against this month's 140; a rate would need a population
    assert codes(v.Entry(RATE, numerator="140", previous=D(100))) == ["big_change"]
    assert codes(v.Entry(RATE, numerator="110", previous=D(100))) == []


def test_the_teams_own_range_includes_its_edges():
    history = [D(40), D(45), D(50)]
    assert codes(v.Entry(COUNT, numerator="40", history=history)) == []
    assert codes(v.Entry(COUNT, numerator="50", history=history)) == []
    assert found(v.Entry(COUNT, numerator="39", history=history)) == [
        (
            "outside_range",
            f"This is outside the team's own range over the last 12 months: {EXPLAIN}",
            "commentary",
            v.SOFT,
        )
    ]
    assert codes(v.Entry(COUNT, numerator="51", history=history)) == ["outside_range"]


def test_a_range_needs_two_months_of_history():
    assert codes(v.Entry(COUNT, numerator="60", history=[D(40), D(50)])) == ["outside_range"]
    assert codes(v.Entry(COUNT, numerator="60", history=[D(40)])) == []


def test_would_rate_red_says_so_beside_the_commentary():
    assert found(v.Entry(PERCENT, numerator="70", denominator="100", target=D(85))) == [
        (
            "would_rate_red",
            f"This figure would rate Red against the target: {EXPLAIN}",
            "commentary",
            v.SOFT,
        )
    ]


def test_would_rate_red_rates_with_the_measures_green_band():
    # a Green band wider than the tolerance: 1.5 short of 90 is in line with target
    banded = v.MeasureRules(
        title="% banded",
        entry="ratio",
        unit="percent",
        decimal_places=1,
        polarity="higher",
        tolerance=D(1),
        tolerance_kind="points",
        change_threshold_percent=D(25),
        green_band=D(2),
    )
    assert codes(v.Entry(banded, numerator="885", denominator="1000", target=D(90))) == []
    assert codes(v.Entry(banded, numerator="875", denominator="1000", target=D(90))) == [
        "would_rate_red"
    ]


def test_a_hard_error_stops_the_soft_checks():
    assert codes(v.Entry(VALUE_PERCENT, value="100.5", previous=D(50))) == [
        "percentage_out_of_range"
    ]


def test_on_submit_an_unexplained_flag_becomes_hard_with_the_same_words_and_field():
    entry = dict(measure=COUNT, numerator="133", previous=D(100))
    (soft,) = found(v.Entry(**entry))
    assert found(v.Entry(**entry), submitting=True) == [(*soft[:3], v.HARD)]
