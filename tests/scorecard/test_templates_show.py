"""Templates show, never compute: every figure through `|figure` (exact Decimals,
thousands separators, the measure's places), the month-on-month change worked
out in `reports`, the withheld mark from `disclosure.SUPPRESSED`."""

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from scorecard import disclosure, formatting, reports
from scorecard.models import Measure, MonthlyReturn, Rating, ScorecardResult, Target
from scorecard.templatetags import scorecard_tags
from tests import factories

TEMPLATES = Path(settings.BASE_DIR) / "templates"
JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)


def measure_like(**fields):
    """An unsaved measure: enough for formatting, no database."""
    values = {"unit": Measure.Unit.PERCENT, "decimal_places": 1, "entry": Measure.Entry.RATIO}
    values.update(fields)
    return Measure(**values)


# --- the figure filter -----------------------------------------------------


@pytest.mark.parametrize(
    "value, places, unit, shown",
    [
        (Decimal("12345"), 0, "count", "12,345"),
        (Decimal("1234567.25"), 1, "percent", "1,234,567.3%"),
        (Decimal("0.125"), 2, "rate_10k", "0.13"),  # half up, as people round; float gives 0.12
        (Decimal("9999999999.9999"), 4, "rate_10k", "9,999,999,999.9999"),  # past a float's digits
        (Decimal("-0.04"), 1, "percent", "0.0%"),  # never '-0.0'
        (7, 1, "days", "7.0 days"),
        (None, 1, "percent", ""),
        ("", 1, "percent", ""),  # what a template passes for a missing value
    ],
)
def test_figure_is_exact_with_separators_at_the_measures_places(value, places, unit, shown):
    assert formatting.figure(value, measure_like(unit=unit, decimal_places=places)) == shown


def test_a_figure_without_its_measure_is_shown_exactly():
    assert formatting.figure(Decimal("12345.50"), None) == "12,345.5"
    assert scorecard_tags.figure_plain(Decimal("12345.50"), None) == "12,345.5"


def test_a_figure_without_its_unit_where_the_heading_names_it():
    measure = measure_like(unit="percent", decimal_places=1)
    assert scorecard_tags.figure_plain(Decimal("1234.56"), measure) == "1,234.6"


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("12345.00"), "12,345"),
        (Decimal("2.50"), "2.5"),
        (Decimal("0.7500"), "0.75"),
        (Decimal("1E+2"), "100"),
        (Decimal("-0.00"), "0"),
        (None, ""),
    ],
)
def test_exact_shows_what_was_entered_without_rounding(value, shown):
    assert formatting.exact(value) == shown


def test_a_float_is_read_by_its_repr_never_by_binary_arithmetic():
    assert formatting.number(0.1 + 0.2, 2) == "0.30"
    with pytest.raises(TypeError):
        formatting.number(object(), 1)


def test_a_duration_is_seconds_to_two_places():
    assert formatting.seconds(timedelta(seconds=1234, microseconds=567000)) == "1,234.57 s"
    assert formatting.seconds(None) == ""


# --- the month-on-month change, worked out in reports ----------------------


@pytest.mark.parametrize(
    "now, before, text",
    [
        (5, 2, "3 more than last month"),
        (1, 4, "3 fewer than last month"),
        (3, 3, "same as last month"),
        (0, 0, "same as last month"),
        (0, 2, "2 fewer than last month"),
        (2, 0, "2 more than last month"),
        (1500, 0, "1,500 more than last month"),
        (4, None, "no figures last month"),
    ],
)
def test_month_on_month_in_words(now, before, text):
    assert reports.month_on_month(now, before) == text


def result(rating, **fields):
    return ScorecardResult(rating=rating, **fields)


def test_rating_counts_against_last_month():
    counts = {
        c.rating: c
        for c in reports.rating_counts(
            [result(Rating.RED), result(Rating.RED), result(Rating.GREEN), None],
            [result(Rating.RED), result(Rating.GREEN), result(Rating.GREEN), result(Rating.AMBER)],
        )
    }
    assert [c.rating for c in counts.values()] == reports.RATING_ORDER  # Red first
    assert (counts["red"].count, counts["red"].change, counts["red"].change_text) == (
        2,
        1,
        "1 more than last month",
    )
    assert (counts["amber"].count, counts["amber"].change) == (0, -1)
    assert counts["amber"].change_text == "1 fewer than last month"
    assert (counts["green"].change, counts["green"].change_text) == (-1, "1 fewer than last month")
    assert (counts["none"].count, counts["none"].change_text) == (1, "1 more than last month")


def test_rating_counts_without_a_last_month_say_so():
    counts = reports.rating_counts([result(Rating.RED)], None)
    assert {c.change for c in counts} == {None}
    assert {c.change_text for c in counts} == {"no figures last month"}
    assert [c.count for c in counts] == [1, 0, 0, 0]


def test_rating_counts_of_nothing_are_zero_and_the_same_as_last_month():
    counts = reports.rating_counts([], [])
    assert [(c.count, c.change, c.change_text) for c in counts] == [
        (0, 0, "same as last month")
    ] * 4


def test_a_withheld_figure_counts_as_no_rating_so_its_rating_is_not_given_away():
    counts = {
        c.rating: c
        for c in reports.rating_counts([result(Rating.RED, suppressed=True)], [result(Rating.RED)])
    }
    assert (counts["red"].count, counts["red"].change_text) == (0, "1 fewer than last month")
    assert counts["none"].count == 1


# --- the suppressed mark and the templates ---------------------------------


def template_texts():
    return {path.relative_to(TEMPLATES): path.read_text() for path in TEMPLATES.rglob("*.html")}


def test_no_template_formats_or_computes_a_number_itself():
    found = {
        str(path): word
        for path, text in template_texts().items()
        for word in ("floatformat", "intcomma", "widthratio", "|add:")
        if word in text
    }
    assert found == {}


def test_no_template_writes_the_suppressed_mark_itself():
    mark = re.compile(r"(?:%}|>)\s*" + re.escape(disclosure.SUPPRESSED) + r"\s*(?:{%|<)")
    assert [str(path) for path, text in template_texts().items() if mark.search(text)] == []


def test_a_withheld_figure_shows_the_suppressed_mark():
    html = render_to_string(
        "includes/figure.html",
        {
            "result": ScorecardResult(suppressed=True, value=Decimal("3")),
            "measure": measure_like(unit="count", decimal_places=0, entry="count"),
        },
    )
    assert html == disclosure.SUPPRESSED


def test_a_shown_figure_has_thousands_separators():
    html = render_to_string(
        "includes/figure.html",
        {
            "result": ScorecardResult(value=Decimal("12345")),
            "measure": measure_like(unit="count", decimal_places=0, entry="count"),
        },
    )
    assert html == "12,345"


def test_the_staffing_section_shows_what_was_entered_with_separators():
    section = SimpleNamespace(
        rows=[
            (SimpleNamespace(label="Working days lost"), "980.5", "1250.5"),
            (SimpleNamespace(label="Leavers"), "", "0"),
        ]
    )
    html = render_to_string(
        "workforce/staffing_section.html", {"section": section, "editable": False}
    )
    cells = re.findall(r'govuk-table__cell--numeric">(.*?)</td>', html)
    assert cells == ["1,250.5", "980.5", "0", "–"]


# --- the pages -------------------------------------------------------------


@pytest.mark.django_db
def test_the_review_page_shows_figures_with_thousands_separators(client, area, officer):
    referrals = factories.measure(
        title="Number of referrals",
        unit=Measure.Unit.COUNT,
        entry=Measure.Entry.COUNT,
        decimal_places=0,
        polarity=Measure.Polarity.NONE,
    )
    seen = factories.measure(title="% children seen")
    Target.objects.create(
        measure=referrals, kind=Target.Kind.IN_YEAR, value=12000, starts=date(2014, 4, 1)
    )
    factories.value(factories.monthly_return(area, JAN), referrals, numerator=11000)
    february = factories.monthly_return(area, FEB, status=MonthlyReturn.Status.SUBMITTED)
    factories.value(february, referrals, numerator=12345)
    factories.value(february, seen, numerator=1234, denominator=2000)
    client.force_login(officer)
    html = client.get(reverse("return-detail", args=[february.pk])).content.decode()
    row = re.search(r">Number of referrals</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row, re.S)
    assert cells[:4] == ["12,345", "12,345", "11,000", "12,000"]  # entered, this, last, target
    row = re.search(r">% children seen</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row, re.S)
    assert cells[:2] == ["1,234 of 2,000", "61.7%"]


@pytest.mark.django_db
def test_the_summary_shows_the_change_worked_out_in_reports(client, sample, director):
    client.force_login(director)
    response = client.get("/summary/?month=2015-01")
    html = response.content.decode()
    for count in response.context["summary"].counts:
        assert count.change_text == reports.month_on_month(count.count, count.count - count.change)
        assert count.change_text in html
