"""The scorecard as people read it, built from stored results only.

A fixed number of queries whatever the number of measures, areas and months.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from . import aggregation, engine
from .formatting import DIRECTION_WORDS, RATING_WORDS
from .models import (
    Baseline,
    Benchmark,
    CalculationRun,
    Measure,
    ScorecardResult,
    ServiceArea,
    Target,
)

COMPARATORS = [
    (Benchmark.Comparator.STAT_NEIGHBOURS, "Stat. neighbours"),
    (Benchmark.Comparator.REGION, settings.REGION_NAME),
    (Benchmark.Comparator.ENGLAND, "England"),
]


@dataclass
class ScorecardRow:
    measure: Measure
    months: list  # [(month, ScorecardResult | None)] April..March
    current: ScorecardResult | None
    baseline: Baseline | None = None
    benchmarks: dict = field(default_factory=dict)  # comparator -> Benchmark
    long_term_target: Target | None = None

    @property
    def group_label(self):
        return self.measure.get_group_display()

    @property
    def rating_word(self):
        return RATING_WORDS[self.current.rating if self.current else "none"]

    @property
    def rating_rank(self):
        """Red first when sorted: the order a director reads them in."""
        order = {"red": 0, "amber": 1, "green": 2}
        return order.get(self.current.rating if self.current else "none", 3)

    @property
    def direction_word(self):
        return DIRECTION_WORDS[self.current.against_last_month if self.current else ""]


@dataclass
class Scorecard:
    area: ServiceArea
    month: date
    months: list[date]
    rows: list[ScorecardRow]
    run: CalculationRun | None

    @property
    def provisional(self):
        return any(row.current and row.current.provisional for row in self.rows)


def financial_year_months(month: date) -> list[date]:
    start = aggregation.financial_year_start(month)
    return [aggregation.add_months(start, i) for i in range(12)]


def build_scorecard(*, area: ServiceArea, month: date, measures=None) -> Scorecard:
    """`measures`: a Measure queryset to show (already filtered); default all active."""
    months = financial_year_months(month)
    measures = list(measures if measures is not None else Measure.objects.filter(active=True))
    measure_ids = [m.pk for m in measures]
    results = {
        (r.measure_id, r.month): r
        for r in ScorecardResult.objects.filter(
            area=area, month__in=months, measure_id__in=measure_ids
        )
    }
    baselines = {}
    for baseline in Baseline.objects.filter(measure_id__in=measure_ids).order_by("date"):
        if baseline.date <= month:
            baselines[baseline.measure_id] = baseline
    benchmarks = {}
    for benchmark in Benchmark.objects.filter(
        measure_id__in=measure_ids, year__lte=month.year
    ).order_by("year"):
        benchmarks.setdefault(benchmark.measure_id, {})[benchmark.comparator] = benchmark
    long_term = {}
    for target in Target.objects.filter(
        measure_id__in=measure_ids, kind=Target.Kind.LONG_TERM, starts__lte=month
    ).order_by("starts"):
        long_term[target.measure_id] = target

    rows = [
        ScorecardRow(
            measure=measure,
            months=[(m, results.get((measure.pk, m)) if m <= month else None) for m in months],
            current=results.get((measure.pk, month)),
            baseline=baselines.get(measure.pk),
            benchmarks=benchmarks.get(measure.pk, {}),
            long_term_target=long_term.get(measure.pk),
        )
        for measure in measures
    ]
    return Scorecard(area=area, month=month, months=months, rows=rows,
                     run=engine.latest_successful_run())


def latest_month() -> date | None:
    """The newest month with an approved figure: the scorecard opens on it."""
    return (ScorecardResult.objects.filter(value__isnull=False).order_by("-month")
            .values_list("month", flat=True).first())
