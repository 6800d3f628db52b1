"""The measure page's process control chart (issue 17, point 2): the mean and
process limits on the trend chart, the points a special-cause rule flags
ringed, and the figures table carrying the same flags in words; checked on the
NHS England SPC tool's demonstration (tests/data/spc/README.md)."""

import json
import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from scorecard import engine, reports, spc
from scorecard.aggregation import add_months
from scorecard.models import Measure, ScorecardResult, ServiceArea
from tests import factories

DEMO = json.loads((Path(__file__).parent.parent / "data" / "spc" / "plotthedots.json").read_text())[
    "demo"
]
FIRST = date(2014, 1, 1)
LAST = add_months(FIRST, len(DEMO["values"]) - 1)


@pytest.fixture
def demonstration(db):
    measure = factories.measure(
        title="Demonstration",
        polarity=Measure.Polarity.HIGHER,
        unit=Measure.Unit.COUNT,
        entry=Measure.Entry.COUNT,
        decimal_places=0,
        group_id="workforce",  # counts of staff: never withheld as small numbers
    )
    team = factories.area("Demonstration team")
    factories.monthly_counts(measure, team, DEMO["values"])
    engine.recalculate()
    return measure, team


def page(client, director, measure, team, month=LAST):
    client.force_login(director)
    url = f"/scorecard/measures/{measure.code}/?area={team.pk}&month={month:%Y-%m}"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_months_chart_flags_its_latest_point_as_the_engine_stored(demonstration):
    measure, team = demonstration
    for result in ScorecardResult.objects.filter(measure=measure, area=team):
        chart = reports.process_chart(measure, team, result.month)
        if result.spc_mean is None:
            assert chart is None
            continue
        assert (chart.mean, chart.upper, chart.lower) == (
            result.spc_mean,
            result.spc_upper,
            result.spc_lower,
        )
        assert [s.rule for s in chart.signals[result.month]] == result.spc_signals


def test_the_chart_at_the_last_month_flags_every_point_beyond_its_limits(demonstration):
    measure, team = demonstration
    chart = reports.process_chart(measure, team, LAST)
    limits = spc.limits([D(v) for v in DEMO["values"]])
    beyond = [
        add_months(FIRST, i)
        for i, v in enumerate(DEMO["values"])
        if not limits.lower <= D(v) <= limits.upper
    ]
    flagged = [
        m for m, found in chart.signals.items() if spc.BEYOND_LIMIT in [s.rule for s in found]
    ]
    assert flagged == beyond
    assert chart.first == FIRST


def test_the_page_draws_the_mean_the_limits_and_rings_the_flagged_points(
    demonstration, client, director
):
    measure, team = demonstration
    html = page(client, director, measure, team)
    chart = reports.process_chart(measure, team, LAST)
    flagged = [m for m, found in chart.signals.items() if found]
    assert flagged  # the demonstration has special causes to show
    assert html.count('class="chart__mean"') == 1
    assert html.count('class="chart__limit"') == 2
    assert html.count('class="chart__special') == len(flagged)
    for month in flagged:
        assert f"<title>{month:%B %Y}: {chart.words(month)}</title>" in html
    assert "Mean (solid grey)" in html and "Process limits (dashed grey)" in html
    assert f"Mean {chart.mean.quantize(D(1))}, process limits" in html
    assert f"from {len(DEMO['values'])} points since January 2014" in html


def test_the_figures_table_carries_the_same_flags_in_words(demonstration, client, director):
    measure, team = demonstration
    html = page(client, director, measure, team)
    chart = reports.process_chart(measure, team, LAST)
    table = html[html.index("The figures in the chart") :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">(\w+ \d{4})</th>(.*?)</tr>', table, re.S
    )
    by_month = dict(rows)
    for month, found in chart.signals.items():
        cell = by_month[f"{month:%B %Y}"]
        if found:
            assert chart.words(month) in cell
            assert "(concerning)" in cell or "(improving)" in cell
        else:
            assert ">None</td>" in cell


def test_the_page_says_why_there_is_no_chart_with_too_few_points(demonstration, client, director):
    measure, team = demonstration
    html = page(client, director, measure, team, month=add_months(FIRST, 10))
    assert "Fewer than 12 points: no statistical process control" in html
    assert "chart__limit" not in html and "Special cause</th>" not in html


def test_after_a_baseline_reset_the_limits_start_there(demonstration, client, director):
    measure, team = demonstration
    measure.spc_baseline_start = add_months(FIRST, 2)
    measure.save()
    engine.recalculate()
    chart = reports.process_chart(measure, team, LAST)
    assert chart.first == add_months(FIRST, 2)
    assert FIRST not in chart.signals
    html = page(client, director, measure, team)
    assert "since March 2014 (the baseline an officer set)" in html
    table = html[html.index("The figures in the chart") :]
    january = table[table.index("January 2014") :]
    assert "Not on the chart" in january[: january.index("</tr>")]


def test_the_authority_page_has_its_own_chart(demonstration, client, director):
    measure, team = demonstration
    authority = ServiceArea.objects.authority()
    html = page(client, director, measure, authority)
    assert html.count('class="chart__limit"') == 2
