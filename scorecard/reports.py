"""The scorecard as people read it, built from stored results only.

Each builder makes a fixed number of queries whatever the number of measures,
areas and months, and computes nothing that the engine has not stored.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, F, Max, Q, Window

from . import (
    aggregation,
    concern,
    disclosure,
    engine,
    formatting,
    page_cache,
    periods,
    rag,
    spc,
    trajectory,
)
from .formatting import DIRECTION_WORDS, RATING_WORDS
from .models import (
    Baseline,
    Benchmark,
    CalculationRun,
    Measure,
    MonthlyReturn,
    Publication,
    Rating,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
)


def region_name() -> str:
    """The authority's region of England ("" until it has one): its regional
    comparator, named so wherever a benchmark is headed or read."""
    authority = ServiceArea.objects.authority()
    return authority.region if authority else ""


def comparators() -> list[tuple[str, str]]:
    """(comparator, heading) as the scorecard heads them: the reference
    scorecard's names ("National" for England's average)."""
    return [
        (Benchmark.Comparator.STAT_NEIGHBOURS, "Stat. neighbours"),
        (Benchmark.Comparator.REGION, region_name() or "Region"),
        (Benchmark.Comparator.ENGLAND, "National"),
    ]


RATING_ORDER = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.NONE]


@dataclass(repr=False)  # django-tables2 formats records in messages: keep that cheap
class ScorecardRow:
    measure: Measure
    months: list  # [(month, ScorecardResult | None)] April..March
    # the figure as at the month: its own, or for a quarterly or annual measure the
    # latest due month's (December's quarter as at January), labelled `current_period`
    current: ScorecardResult | None
    trend: list = field(default_factory=list)  # [(month, ScorecardResult | None)] last 12
    baseline: Baseline | None = None
    benchmarks: dict = field(default_factory=dict)  # comparator -> Benchmark
    long_term_target: Target | None = None
    target_note: str = ""  # e.g. "Illustrative: ...", shown beside the target
    current_period: str = ""  # "Q3 2014-15 (Oct–Dec 2014)"; "" for a monthly measure
    # {month: result} from a year before `current` to the month, for `comparisons`
    history: dict = field(default_factory=dict)
    month: date | None = None  # the month the scorecard is as at

    @cached_property
    def comparisons(self):
        return comparisons(self.measure, self.month, self.history, self.long_term_target)

    @property
    def group_label(self):
        return self.measure.group.name

    @property
    def rating(self):
        return self.current.rating if self.current else Rating.NONE

    @property
    def rating_word(self):
        return RATING_WORDS[self.rating]

    @property
    def rating_rank(self):
        """Red first when sorted: the order a director reads them in."""
        return RATING_ORDER.index(self.rating)

    @property
    def direction_word(self):
        return DIRECTION_WORDS[self.current.against_last_month if self.current else ""]


@dataclass(repr=False)
class Scorecard:
    area: ServiceArea
    month: date
    months: list[date]
    rows: list[ScorecardRow]
    run: CalculationRun | None

    @property
    def provisional(self):
        return any(row.current and row.current.provisional for row in self.rows)

    @property
    def small_numbers_note(self):
        if any(r and r.suppressed for row in self.rows for _, r in row.months):
            return disclosure.NOTE.format(threshold=settings.SMALL_NUMBER_THRESHOLD)
        return ""


def financial_year_months(month: date) -> list[date]:
    start = aggregation.financial_year_start(month)
    return [aggregation.add_months(start, i) for i in range(12)]


def last_12_months(month: date) -> list[date]:
    return [aggregation.add_months(month, -i) for i in range(11, -1, -1)]


def _latest_by_measure(queryset, measures_by_id):
    """{measure id: the last row} for rows ordered oldest first, each with its
    measure attached (so that no row queries for it)."""
    latest = {}
    for row in queryset:
        row.measure = measures_by_id[row.measure_id]
        latest[row.measure_id] = row
    return latest


def as_at(measure: Measure, month: date) -> date:
    """The month whose result stands for `measure` as at `month`: the month itself,
    or the latest month a quarterly or annual figure was due (`periods.latest_due`)."""
    return periods.latest_due(measure.frequency, month)


def period_label(measure: Measure, month: date) -> str:
    """The period a non-monthly measure's figure for `month` describes, for people
    ('Q3 2014-15 (Oct–Dec 2014)', '2014-15'); "" for a monthly one."""
    if measure.frequency == periods.MONTHLY:
        return ""
    return periods.period_of(measure.frequency, month).label


def target_notes(measure_ids, month: date) -> dict[int, str]:
    """{measure id: the note of the in-year target in force in the month}, where it
    has one (an illustrative target says so on the page itself); one query."""
    notes = {}
    for measure_id, note in (
        Target.objects.filter(
            measure_id__in=measure_ids,
            kind=Target.Kind.IN_YEAR,
            starts__lte=month,
        )
        .order_by("starts")
        .values_list("measure_id", "note")
    ):
        notes[measure_id] = note
    return {measure_id: note for measure_id, note in notes.items() if note}


def benchmarks_at(measure_ids, month: date) -> dict[int, dict[str, Benchmark]]:
    """`benchmarks_in_force` of the measures in the month, reading only the
    benchmarks of the latest period started by then for each measure and
    comparator (the rule picks among those), not every year's; one query."""
    latest = Benchmark.objects.filter(measure_id__in=measure_ids, period_start__lte=month)
    latest = (
        latest.annotate(
            latest_start=Window(Max("period_start"), partition_by=["measure_id", "comparator"])
        )
        .filter(period_start=F("latest_start"))
        .order_by()
    )
    return benchmarks_in_force(latest, month)


def benchmarks_in_force(benchmarks, month: date) -> dict[int, dict[str, Benchmark]]:
    """{measure id: {comparator: the benchmark in force in the month}}, as the
    engine compares with it (`periods.in_force`)."""
    pairs = defaultdict(list)
    for benchmark in benchmarks:
        pairs[(benchmark.measure_id, benchmark.comparator)].append((benchmark.period, benchmark))
    in_force = defaultdict(dict)
    for (measure_id, comparator), candidates in pairs.items():
        if (benchmark := periods.in_force(candidates, month)) is not None:
            in_force[measure_id][comparator] = benchmark
    return in_force


def build_scorecard(*, area: ServiceArea, month: date, measures=None) -> Scorecard:
    """`measures`: the measures to show (already filtered); default every active one."""
    months = financial_year_months(month)
    trend_months = last_12_months(month)
    measures = list(
        measures
        if measures is not None
        else Measure.objects.filter(active=True).select_related("group")
    )
    measure_ids = [m.pk for m in measures]
    by_id = {m.pk: m for m in measures}
    # the year, the last 12 months and, for `comparisons`, a year before each
    # measure's figure as at the month
    earliest = min(
        [months[0], trend_months[0]]
        + [aggregation.add_months(as_at(m, month), -12) for m in measures]
    )
    results, history = {}, defaultdict(dict)
    for r in ScorecardResult.objects.filter(
        area=area, month__gte=earliest, month__lte=month, measure_id__in=measure_ids
    ):
        r.measure, r.area = by_id[r.measure_id], area  # already at hand: no query per row
        results[(r.measure_id, r.month)] = r
        history[r.measure_id][r.month] = r
    baselines = _latest_by_measure(
        Baseline.objects.filter(measure_id__in=measure_ids, date__lte=month).order_by("date"), by_id
    )
    benchmarks = benchmarks_at(measure_ids, month)
    for by_comparator in benchmarks.values():
        for benchmark in by_comparator.values():
            benchmark.measure = by_id[benchmark.measure_id]
    long_term = _latest_by_measure(
        Target.objects.filter(
            measure_id__in=measure_ids, kind=Target.Kind.LONG_TERM, starts__lte=month
        ).order_by("starts"),
        by_id,
    )
    notes = target_notes(measure_ids, month)

    rows = [
        ScorecardRow(
            measure=measure,
            months=[(m, results.get((measure.pk, m)) if m <= month else None) for m in months],
            current=results.get((measure.pk, as_at(measure, month))),
            current_period=period_label(measure, as_at(measure, month)),
            trend=[(m, results.get((measure.pk, m))) for m in trend_months],
            baseline=baselines.get(measure.pk),
            benchmarks=benchmarks.get(measure.pk, {}),
            long_term_target=long_term.get(measure.pk),
            target_note=notes.get(measure.pk, ""),
            history=history[measure.pk],
            month=month,
        )
        for measure in measures
    ]
    return Scorecard(
        area=area, month=month, months=months, rows=rows, run=engine.latest_successful_run()
    )


def months_with_results(run=None) -> list[date]:
    """The months with a figure, newest first. Cached per calculation run
    (`page_cache`), so that no page scans the results for them; `run`: the
    latest successful run when the caller has it at hand."""
    return page_cache.cached(
        "months-with-results", page_cache.run_id(run), (), _months_with_results
    )


def _months_with_results() -> list[date]:
    return list(
        ScorecardResult.objects.filter(value__isnull=False)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class MonthStatus:
    """How many of a month's returns are approved: a month is final when all are."""

    month: date
    approved: int
    expected: int

    @property
    def final(self) -> bool:
        return self.expected > 0 and self.approved == self.expected

    @property
    def banner(self) -> str:
        if self.final:
            return ""
        return f"Provisional: {self.approved} of {self.expected} returns approved"


def month_statuses(months) -> dict[date, MonthStatus]:
    """{month: MonthStatus} over the returns of active areas (the authority's own
    included) that exist for each month; one query. History imported at authority
    level is a month's only return, so it completes its month."""
    counts = (
        MonthlyReturn.objects.filter(month__in=list(months), area__active=True)
        .values("month")
        .annotate(
            expected=Count("pk"),
            approved=Count("pk", filter=Q(status=MonthlyReturn.Status.APPROVED)),
        )
    )
    statuses = {
        row["month"]: MonthStatus(row["month"], row["approved"], row["expected"]) for row in counts
    }
    return {m: statuses.get(m, MonthStatus(m, 0, 0)) for m in months}


@dataclass(frozen=True)
class MonthNotice:
    """What the pages say of the month shown: provisional or final, and a newer
    provisional month one click away."""

    status: MonthStatus
    newer: MonthStatus | None


def month_notice(months: list[date], month: date, statuses=None) -> MonthNotice:
    """`statuses`: `month_statuses` already read for these months, if at hand."""
    newer = months[0] if months and months[0] > month else None
    wanted = [month] + ([newer] if newer else [])
    if statuses is None or any(m not in statuses for m in wanted):
        statuses = month_statuses(wanted)
    return MonthNotice(statuses[month], statuses[newer] if newer else None)


def default_month(months: list[date], statuses=None) -> date | None:
    """The month a director can rely on: the newest with figures whose returns
    are all approved; the newest with figures when none is final yet.
    `statuses`: `month_statuses(months)` if already read."""
    if not months:
        return None
    statuses = statuses if statuses is not None else month_statuses(months)
    return next((m for m in months if statuses[m].final), months[0])


# --- comparisons beyond the target -----------------------------------------


@dataclass(frozen=True)
class Comparisons:
    """A measure's figure as at a month against more than its target: the same
    month a year before, the financial year to date and the rolling 12 months
    (as the engine stored them), the periods at its rating, and the trajectory
    to its long-term target. A total over months that hold a withheld figure is
    withheld too, so that no total gives a small number away."""

    measure: Measure
    month: date  # the month whose figure stands as at the month asked for (`as_at`)
    current: ScorecardResult | None
    last_year: ScorecardResult | None
    year_to_date: Decimal | None
    rolling_12_months: Decimal | None
    year_to_date_withheld: bool
    rolling_withheld: bool
    long_term_target: Target | None
    trajectory: trajectory.Trajectory

    @property
    def withheld(self) -> bool:
        return bool(self.current and self.current.suppressed)


def _shown_value(result, measure) -> Decimal | None:
    """A result's figure as the pages show it; None where withheld or not due."""
    if result is None or result.suppressed or not result.due:
        return None
    return rag.round_to(result.value, measure.decimal_places)


def comparisons(measure: Measure, month: date, results: dict, long_term_target) -> Comparisons:
    """`results`: {month: the area's result} from a year before the figure as at
    `month` (`as_at`) to `month`; `long_term_target`: the one in force, or None."""
    at = as_at(measure, month)
    current = results.get(at)

    def withheld(first):
        return any(r is not None and r.suppressed for m, r in results.items() if first <= m <= at)

    return Comparisons(
        measure=measure,
        month=at,
        current=current,
        last_year=results.get(aggregation.add_months(at, -12)),
        year_to_date=current.year_to_date if current else None,
        rolling_12_months=current.rolling_12_months if current else None,
        year_to_date_withheld=withheld(aggregation.financial_year_start(at)),
        rolling_withheld=withheld(aggregation.add_months(at, -11)),
        long_term_target=long_term_target,
        trajectory=trajectory.trajectory(
            month=at,
            current=_shown_value(current, measure),
            earlier=_shown_value(
                results.get(aggregation.add_months(at, -trajectory.RECENT_MONTHS)), measure
            ),
            target=long_term_target.value if long_term_target else None,
            due=long_term_target.due if long_term_target else None,
            polarity=measure.polarity,
        ),
    )


# --- the director's RAG summary --------------------------------------------


def shown_rating(result: ScorecardResult | None) -> str:
    """The rating a page shows for a result: none without one, and none where the
    figure is withheld (its RAG cell shows `disclosure.SUPPRESSED`), so that no
    count of ratings gives a withheld figure away."""
    if result is None or result.suppressed:
        return Rating.NONE
    return result.rating


def month_on_month(now: int, before: int | None) -> str:
    """A count against last month's, in words: '2 more than last month', '1 fewer
    than last month', 'same as last month'; `before` None when last month has no
    figures to compare with."""
    if before is None:
        return "no figures last month"
    change = now - before
    if change > 0:
        return f"{change:,} more than last month"
    if change < 0:
        return f"{-change:,} fewer than last month"
    return "same as last month"


class RatingCount(NamedTuple):
    rating: str
    word: str
    count: int  # this month
    change: int | None  # since last month; None when last month has no figures
    change_text: str  # `month_on_month`, for the page


def rating_counts(current: list, previous: list | None) -> list[RatingCount]:
    """The rated measures' results by rating, Red first, each with its change since
    last month. `current`, `previous`: this month's and last month's results of the
    same measures (None where a measure has none); `previous` None when last month
    has no figures at all."""
    now = Counter(shown_rating(r) for r in current)
    before = None if previous is None else Counter(shown_rating(r) for r in previous)
    return [
        RatingCount(
            rating,
            RATING_WORDS[rating],
            now[rating],
            None if before is None else now[rating] - before[rating],
            month_on_month(now[rating], None if before is None else before[rating]),
        )
        for rating in RATING_ORDER
    ]


@dataclass
class SummaryItem:
    measure: Measure
    current: ScorecardResult | None
    previous: ScorecardResult | None
    commentary: list = field(default_factory=list)  # `latest_commentary`'s
    concern: "concern.Concern | None" = None  # for an exception: why, in words

    @property
    def rating(self):
        return shown_rating(self.current)


@dataclass
class Summary:
    area: ServiceArea
    month: date
    counts: list[RatingCount]
    red: list[SummaryItem]
    groups: list  # [(group label, [SummaryItem])]
    returns_approved: int
    returns_expected: int
    run: CalculationRun | None
    status: MonthStatus | None = None
    revised: list = field(default_factory=list)  # [ScorecardResult] since last month's board

    @property
    def provisional(self):
        return any(
            item.current and item.current.provisional for _, items in self.groups for item in items
        )


def revised_since_last_board(area: ServiceArea, month: date, measures_by_id) -> list:
    """The area's figures up to `month` changed since they were published and since
    last month's board saw its figures (the previous month's publication)."""
    last_board = (
        Publication.objects.filter(month=aggregation.add_months(month, -1))
        .values_list("published_at", flat=True)
        .first()
    )
    revised = []
    for result in ScorecardResult.objects.filter(
        area=area,
        revised=True,
        month__lte=month,
        measure_id__in=measures_by_id,
    ).order_by("-month"):
        approved = [c["approved_at"] for c in result.revision.get("changes", [])]
        if last_board is None or any(when > last_board.isoformat() for when in approved):
            result.measure = measures_by_id[result.measure_id]
            revised.append(result)
    return revised


# How far back a measure's latest commentary is looked for: older words are not
# the latest word on this month's figure.
COMMENTARY_MONTHS = 12


def latest_commentary(measure_ids, month: date, visible_areas) -> dict[int, list]:
    """{measure id: [(month, area name, text)]}: for each area the user may read
    (`visible_areas`), its latest approved commentary on the measure up to `month`
    (within COMMENTARY_MONTHS), in the areas' order; one query."""
    latest = {}
    for value in (
        ReturnValue.objects.filter(
            measure_id__in=measure_ids,
            monthly_return__month__lte=month,
            monthly_return__month__gt=aggregation.add_months(month, -COMMENTARY_MONTHS),
            monthly_return__area__in=visible_areas,
            monthly_return__status=MonthlyReturn.Status.APPROVED,
        )
        .exclude(commentary="")
        .select_related("monthly_return__area")
        .order_by("monthly_return__month")
    ):
        area = value.monthly_return.area
        latest[(value.measure_id, area.order, area.pk)] = (
            value.monthly_return.month,
            area.name,
            value.commentary,
        )
    commentary = defaultdict(list)
    for (measure_id, _, _), said in sorted(latest.items()):
        commentary[measure_id].append(said)
    return commentary


def ranked_reds(items: list[SummaryItem], area: ServiceArea) -> list[SummaryItem]:
    """The Red measures in the exceptions' order (`concern.rank`), each with its
    concern; one query (the statistical neighbours' benchmarks)."""
    by_measure = {item.measure.pk: item for item in items}
    for item in items:
        item.current.measure, item.current.area = item.measure, area
    ranked = concern.rank(
        [item.current for item in items],
        concern.stat_neighbours(
            {pk: item.measure for pk, item in by_measure.items()},
            {pk: item.current.month for pk, item in by_measure.items()},
        ),
    )
    for found in ranked:
        by_measure[found.measure.pk].concern = found
    return [by_measure[found.measure.pk] for found in ranked] + [
        item for item in items if item.concern is None
    ]


def build_summary(*, area: ServiceArea, month: date, visible_areas) -> Summary:
    """`visible_areas`: the areas whose commentary this user may read."""
    previous_month = aggregation.add_months(month, -1)
    measures = list(Measure.objects.filter(active=True).select_related("group"))
    # each measure as at this month and as at last month (`as_at`): a quarterly
    # measure's rating changes when a new quarter's figure comes, not in between
    wanted = {m.pk: (as_at(m, month), as_at(m, previous_month)) for m in measures}
    results = {
        (r.measure_id, r.month): r
        for r in ScorecardResult.objects.filter(
            area=area, month__in={when for pair in wanted.values() for when in pair}
        )
    }
    commentary = latest_commentary([m.pk for m in measures], month, visible_areas)
    items = [
        SummaryItem(
            measure,
            results.get((measure.pk, wanted[measure.pk][0])),
            results.get((measure.pk, wanted[measure.pk][1])),
            commentary[measure.pk],
        )
        for measure in measures
    ]
    rated = [item for item in items if item.measure.has_polarity]
    last_month_has_figures = any(m == previous_month for _, m in results)
    groups = defaultdict(list)
    for item in items:
        groups[item.measure.group.name].append(item)
    status = month_statuses([month])[month]
    return Summary(
        revised=revised_since_last_board(area, month, {m.pk: m for m in measures}),
        area=area,
        month=month,
        counts=rating_counts(
            [item.current for item in rated],
            [item.previous for item in rated] if last_month_has_figures else None,
        ),
        red=ranked_reds([item for item in rated if item.rating == Rating.RED], area),
        groups=list(groups.items()),
        returns_approved=status.approved,
        returns_expected=status.expected,
        status=status,
        run=engine.latest_successful_run(),
    )


# --- one measure in detail -------------------------------------------------


@dataclass
class MeasureDetail:
    measure: Measure
    area: ServiceArea
    month: date
    series: list  # [(month, ScorecardResult | None)] the last 24 months
    targets: list[Target]
    baselines: list[Baseline]
    benchmarks: list[Benchmark]
    by_area: list  # [(ServiceArea, ScorecardResult | None)] for the month
    commentary: list  # [(month, area name, text)] newest first
    approvals: list  # [(month, area name, approver's name, approved_at, source)]
    run: CalculationRun | None
    process: "ProcessChart | None" = None

    @property
    def as_at(self) -> date:
        """The month whose figure stands as at `month` (`as_at`)."""
        return as_at(self.measure, self.month)

    @property
    def current(self):
        return dict(self.series).get(self.as_at)

    @property
    def current_period(self) -> str:
        return period_label(self.measure, self.as_at)

    @property
    def due_series(self):
        """[(month, result)] of the months a figure is due in: what the chart and
        its table show (a quarterly measure's quarter ends, joined)."""
        return [(m, r) for m, r in self.series if periods.is_due(self.measure.frequency, m)]

    @cached_property
    def comparisons(self) -> Comparisons:
        long_term = [
            t for t in self.targets if t.kind == Target.Kind.LONG_TERM and t.starts <= self.month
        ]
        return comparisons(
            self.measure, self.month, dict(self.series), long_term[-1] if long_term else None
        )

    @property
    def comparison_lines(self) -> list[tuple[str, str]]:
        return formatting.comparison_lines(self.comparisons)

    @property
    def figures_table(self):
        """[(month, result, its special-cause rules in words)] newest first: the
        chart's table alternative, carrying the same flags as the chart."""
        return [
            (m, r, self.process.words(m) if self.process else None)
            for m, r in reversed(self.due_series)
            if r
        ]

    @property
    def revisions(self):
        """[(month, result)] of the figures revised since they were published, newest first."""
        return [(m, r) for m, r in reversed(self.series) if r and r.revised and not r.suppressed]


def build_measure_detail(
    *, measure: Measure, area: ServiceArea, month: date, visible_areas
) -> MeasureDetail:
    """`visible_areas`: the areas this user may see, for the breakdown and history."""
    months = [aggregation.add_months(month, -i) for i in range(23, -1, -1)]
    visible_areas = list(visible_areas)
    results = list(
        ScorecardResult.objects.filter(measure=measure, month__in=months, area__in=visible_areas)
    )
    series = {r.month: r for r in results if r.area_id == area.pk}
    this_month = {r.area_id: r for r in results if r.month == as_at(measure, month)}
    area_ids = [a.pk for a in visible_areas]
    commentary = [
        (value.monthly_return.month, value.monthly_return.area.name, value.commentary)
        for value in ReturnValue.objects.filter(
            measure=measure,
            monthly_return__area_id__in=area_ids,
            monthly_return__month__lte=month,
            monthly_return__status=MonthlyReturn.Status.APPROVED,
        )
        .exclude(commentary="")
        .select_related("monthly_return__area")
        .order_by("-monthly_return__month", "monthly_return__area__order")[:50]
    ]
    approvals = [
        (
            r.month,
            r.area.name,
            (r.approved_by.get_full_name() or r.approved_by.username) if r.approved_by else "",
            r.approved_at,
            r.source,
        )
        for r in MonthlyReturn.objects.filter(
            status=MonthlyReturn.Status.APPROVED,
            month__in=months,
            area_id__in=area_ids,
            values__measure=measure,
        )
        .select_related("area", "approved_by")
        .order_by("-month", "area__order")
        .distinct()
    ]
    return MeasureDetail(
        measure=measure,
        area=area,
        month=month,
        series=[(m, series.get(m)) for m in months],
        targets=list(measure.targets.order_by("kind", "starts")),
        baselines=list(measure.baselines.order_by("date")),
        benchmarks=list(measure.benchmarks.order_by("comparator", "period_start")),
        by_area=[(a, this_month.get(a.pk)) for a in visible_areas if a.pk in this_month],
        commentary=commentary,
        approvals=approvals,
        run=engine.latest_successful_run(),
        process=process_chart(measure, area, month),
    )


@dataclass
class ProcessChart:
    """The XmR chart as it stands at a month: the stored mean and process limits
    of that month's result and, for every point on the chart since its first
    (the baseline, where an officer set one), the special-cause rules it is part
    of against those limits."""

    mean: object
    upper: object
    lower: object
    first: date  # the chart's first point
    signals: dict  # {month: [spc.Signal]} of every point on the chart

    def words(self, month: date) -> str | None:
        """A point's rules in words, each with what it means for the measure:
        'A run of points on one side of the mean (concerning)'; "" for none;
        None for a month that is not on the chart (withheld, before its baseline)."""
        if month not in self.signals:
            return None
        return "; ".join(
            f"{signal.rule} ({signal.meaning})" for signal in self.signals.get(month, [])
        ).capitalize()


def process_chart(measure: Measure, area: ServiceArea, month: date) -> ProcessChart | None:
    """The area's chart at `month` (one query), None where its result has no
    limits (its `spc_note` says why). Each point is the figure as shown, None
    where withheld, as the engine plots it (`spc.points`), so the latest point's
    rules are the result's stored `spc_signals`."""
    rows = list(
        ScorecardResult.objects.filter(
            measure=measure, area=area, due=True, month__lte=as_at(measure, month)
        )
        .order_by("month")
        .values_list(*PROCESS_FIELDS)
    )
    return process_chart_of(measure, rows)


PROCESS_FIELDS = ("month", "value", "suppressed", "spc_mean", "spc_upper", "spc_lower")


def process_chart_of(measure: Measure, rows: list) -> ProcessChart | None:
    """`process_chart` from rows already read: the area's due results up to the
    month, oldest first, each as the values of PROCESS_FIELDS."""
    if not rows or rows[-1][3] is None:
        return None
    _, _, _, mean, upper, lower = rows[-1]
    chart = spc.points(
        [
            (
                m,
                None
                if suppressed or value is None
                else rag.round_to(value, measure.decimal_places),
            )
            for m, value, suppressed, *_ in rows
        ],
        measure.spc_baseline_start,
    )
    limits = spc.Limits(mean, (upper - mean) / spc.LIMIT_FACTOR, upper, lower)
    found = spc.signals(
        [value for _, value in chart],
        limits,
        measure.polarity,
        settings.SPC_RUN_LENGTH,
        settings.SPC_TREND_LENGTH,
    )
    return ProcessChart(
        mean=mean,
        upper=upper,
        lower=lower,
        first=chart[0][0],
        signals={m: point for (m, _), point in zip(chart, found, strict=True)},
    )
