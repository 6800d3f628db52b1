"""The synthetic benchmark data (`manage.py generate_benchmark_data`), on
PostgreSQL at a small size: what it writes, that a recalculation rates it, that
it is never mixed with real data, --replace, and the same set for a seed."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scorecard import benchmark_data, engine
from scorecard.models import (
    Benchmark,
    Measure,
    MonthlyReturn,
    Population,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
)
from tests import factories
from workforce.models import Staffing

pytestmark = pytest.mark.django_db

SMALL = ["--areas", "3", "--measures", "4", "--years", "1"]


def generate(*args):
    out = StringIO()
    call_command("generate_benchmark_data", *args, stdout=out)
    return out.getvalue()


def figures():
    """Every figure by its natural key, as a set would be compared across databases."""
    return {
        (v.monthly_return.area.slug, v.monthly_return.month, v.measure.code): (
            v.numerator,
            v.denominator,
            v.value,
            v.not_applicable_reason,
        )
        for v in ReturnValue.objects.select_related("monthly_return__area", "measure")
    } | {
        (s.monthly_return.area.slug, s.monthly_return.month, "staffing"): (
            s.fte_in_post,
            s.days_lost,
            s.leavers_fte,
            s.open_cases,
        )
        for s in Staffing.objects.select_related("monthly_return__area")
    }


def test_a_small_set_has_every_part_and_a_recalculation_rates_it():
    output = generate(*SMALL)
    size = benchmark_data.Size(3, 4, 1)
    months = size.months
    assert len(months) == 13 and months[0].month == 4 and months[-1].month == 4
    assert "13 months" in output and "169 results" in output

    areas = ServiceArea.objects.order_by("order")
    assert [a.name for a in areas] == [
        "Synthetic Authority (benchmark data)",
        "Synthetic Area 01",
        "Synthetic Area 02",
        "Synthetic Area 03",
    ]
    assert {m.entry for m in Measure.objects.all()} == {"ratio", "count", "value"}
    assert {m.unit for m in Measure.objects.all()} >= {"percent", "count", "rate_10k", "days"}
    assert set(Measure.objects.values_list("source", flat=True)) == {benchmark_data.SOURCE}
    # every area and the authority each month, approved by an officer who did not submit it
    returns = MonthlyReturn.objects.all()
    assert returns.count() == 4 * 13
    assert set(returns.values_list("status", flat=True)) == {"approved"}
    assert all(r.approved_by_id and r.approved_by_id != r.submitted_by_id for r in returns)
    # three area-level measures for 3 areas, one authority-level for the authority
    assert ReturnValue.objects.count() == (3 * 3 + 1) * 13
    ratios = ReturnValue.objects.filter(measure__entry="ratio", denominator__isnull=False)
    assert ratios.exists() and all(v.numerator <= v.denominator for v in ratios)
    assert Staffing.objects.count() == 3 * 13
    assert Population.objects.count() == 4 * 2  # 2025 and 2026 for each area and the authority
    assert Target.objects.filter(kind="in_year").count() >= 2
    assert Benchmark.objects.values("comparator").distinct().count() == 3

    run = engine.recalculate(trigger="test")
    assert run.outcome == run.Outcome.SUCCEEDED
    assert run.rows_written == size.cells == ScorecardResult.objects.count() == 169
    ratings = Counter(ScorecardResult.objects.values_list("rating", flat=True))
    assert ratings["green"] and ratings["red"] and ratings["amber"], ratings
    assert not ScorecardResult.objects.filter(provisional=True).exists()


def test_the_full_size_is_the_issues_arithmetic():
    assert benchmark_data.Size(40, 120, 5).cells == 275_720
    assert len(benchmark_data.Size(40, 120, 5).months) == 61
    assert benchmark_data.Size(40, 120, 5).authority_measures == 10
    workforce = [s for s in benchmark_data.measure_specs(120) if s.workforce]
    assert len(workforce) == 5


@pytest.mark.parametrize(
    "real",
    [
        lambda: factories.area("First Response"),
        lambda: factories.measure(title="% seen within 10 days"),
    ],
    ids=["an area", "a measure"],
)
def test_it_refuses_writing_nothing_when_anything_real_is_there(real):
    real()
    before = (ServiceArea.objects.count(), Measure.objects.count())
    with pytest.raises(CommandError, match="not synthetic") as refusal:
        generate(*SMALL)
    assert "Nothing was written" in str(refusal.value)
    assert (ServiceArea.objects.count(), Measure.objects.count()) == before
    assert not MonthlyReturn.objects.exists()
    assert not ServiceArea.objects.filter(slug__startswith="synthetic-").exists()


def test_a_second_set_needs_replace_which_removes_the_first():
    generate(*SMALL)
    engine.recalculate(trigger="test")
    with pytest.raises(CommandError, match="--replace"):
        generate(*SMALL)
    generate("--areas", "2", "--measures", "3", "--years", "1", "--replace")
    assert ServiceArea.objects.count() == 3
    assert Measure.objects.count() == 3
    assert MonthlyReturn.objects.count() == 3 * 13
    assert not ScorecardResult.objects.exists()  # the old set's results went with it
    assert engine.recalculate(trigger="test").rows_written == benchmark_data.Size(2, 3, 1).cells


def test_the_same_seed_gives_the_same_set():
    generate(*SMALL, "--seed", "7")
    first = figures()
    generate(*SMALL, "--seed", "7", "--replace")
    assert figures() == first
    generate(*SMALL, "--seed", "8", "--replace")
    again = figures()
    assert again.keys() == first.keys() and again != first


def test_it_refuses_beside_the_sample(sample):
    with pytest.raises(CommandError, match="not synthetic") as refusal:
        generate(*SMALL, "--replace")
    assert "Buckinghamshire" in str(refusal.value)
    assert not ServiceArea.objects.filter(slug__startswith="synthetic-").exists()


def test_a_size_of_nothing_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        generate("--areas", "0")
    assert not ServiceArea.objects.exists()
