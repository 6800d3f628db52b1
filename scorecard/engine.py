"""The recalculation: approved returns in, stored scorecard results out.

Set-based: a fixed number of queries per financial year to read what its
months need, the arithmetic in plain functions (`rag`, `aggregation`), and the
results written with COPY, inside one transaction under an advisory lock; the
previous results stand until the new ones are complete. An approval
recalculates only what depends on its return (`dependent_months`, `compute`'s
`areas`); a full run can be shared between workers (`parts`).

Other apps contribute figures (the workforce measures) through
their `extensions.ScorecardPart`; the engine knows nothing of their details.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import (
    aggregation,
    bulk,
    disclosure,
    extensions,
    figures,
    limits,
    periods,
    publication,
    rag,
    runs,
    spc,
)
from .figures import Figure
from .models import (
    Benchmark,
    CalculationRun,
    Measure,
    MeasureGroup,
    MonthlyReturn,
    Population,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
)
from .months import month_just_ended, months_between

logger = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 4_815_162_342  # any constant shared by every run


@dataclass(frozen=True)
class Window:
    """What a figure source is asked for: these months (and the 12 before them)."""

    first_month: date
    last_month: date
    areas: tuple


def contributed_measures() -> frozenset[str]:
    """Codes of the measures a figure source computes rather than a return's form."""
    return frozenset(code for part in extensions.parts() for code in part.measures)


class CalculationFailed(Exception):
    pass


def months_to_cover(today: date | None = None) -> list[date]:
    """Every month from the first return to the newest one, but never past the
    last completed month by the local date."""
    first = first_month_held()
    latest = MonthlyReturn.objects.order_by("-month").values_list("month", flat=True).first()
    if first is None:
        return []
    last_completed = month_just_ended(today or timezone.localdate())
    return months_between(first, min(latest, last_completed))


def recalculate(
    *,
    months: Iterable[date] | None = None,
    changed: Iterable[tuple[int, date]] | None = None,
    trigger: str = "manual",
    run: CalculationRun | None = None,
) -> CalculationRun:
    """Recalculate, as `run` if the caller created it (the outbox does, to tie
    requests to it) or as a new run: every month held (`months_to_cover()`);
    or the given `months` and the months that depend on them; or, for the
    returns `changed` ((area id, month) approved or reopened), only the results
    that depend on them (`dependent_months`, `compute`'s `areas`). Each gives
    the results a full run would.

    One financial year at a time, each written before the next is worked out,
    so that memory does not grow with the years held; all in one transaction.
    A full run is split into parts, one per financial year, that any worker
    can take up (`parts`), where it can be.
    """
    if run is None:
        run = CalculationRun.objects.create(trigger=trigger, started_at=timezone.now())
    from . import parts  # which builds on this module

    outcome = Outcome()
    try:
        if months is None and changed is None and parts.can_split():
            with runs.heartbeat(run), one_run_at_a_time():
                months = months_to_cover()
                outcome = parts.run_in_parts(run, months)
        else:
            with runs.heartbeat(run), one_run_one_snapshot():
                months, changed = plan(months, changed)
                if changed is None:
                    replaced_results(months).delete()
                flipped = set()  # suppression turned on or off: see StoredResults
                carried = None  # a year's states at its end, for the next year
                for year in financial_years(months):
                    with collection_paused():
                        computation = calculate(year, run, changed, flipped, carried)
                        write_results(
                            outcome.add(computation),
                            whole_months=changed is None,
                            new_months=computation.new_months,
                        )
                        carried = computation.carried_on() if changed is None else None
                        del computation  # before the next year is worked out: memory stays flat
                publication.publish_final_months(months, run)
    except Exception as error:
        run.outcome = CalculationRun.Outcome.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        logger.exception("Scorecard calculation run %s failed", run.pk)
        raise
    return succeeded(run, outcome, months)


@contextmanager
def collection_paused():
    """Python's cyclic garbage collector held off while the block runs: a year's
    computation makes hundreds of thousands of objects (a year of figures, its
    series, its results) that all live until its results are written, and
    every full collection would walk them all again (at the large size, a
    fifth of an approval's run). Reference counting still frees what the block
    lets go of, as it goes; anything left in a cycle is collected after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def plan(months, changed) -> tuple[list[date], set[tuple[int, date]] | None]:
    """(the months to recalculate, the returns changed or None for everything):
    see `recalculate`."""
    if changed is not None:
        changed = set(changed)
        return dependent_months({month for _, month in changed}, months_to_cover()), changed
    if months is not None:
        months = set(months)
        return sorted(months | set(dependent_months(months, months_to_cover()))), None
    return months_to_cover(), None


def financial_years(months: list[date]) -> list[list[date]]:
    """`months` (in order) in one list per financial year."""
    years = defaultdict(list)
    for month in months:
        years[aggregation.financial_year_start(month)].append(month)
    return list(years.values())


@dataclass
class Outcome:
    """What a run's parts came to: rows written, and the populations missing."""

    rows_written: int = 0
    missing_populations: dict = field(default_factory=lambda: defaultdict(set))

    def add(self, computation: Computation) -> list[Result]:
        self.rows_written += len(computation.rows)
        for key, titles in computation.missing_populations.items():
            self.missing_populations[key] |= set(titles)
        return computation.rows

    @property
    def findings(self) -> list[str]:
        """Data-quality findings for officers, one sentence each."""
        return [
            f"No child population (aged 0-17) for {area} in {year}: "
            f"{', '.join(sorted(titles))} per 10,000 children cannot be computed for {year}. "
            "Add the population to show the rates."
            for (area, year), titles in sorted(self.missing_populations.items())
        ]


def calculate(
    months: list[date], run: CalculationRun, changed, flipped=None, carried=None
) -> Computation:
    """The results of `months` (see `compute`), marked where revised since
    published, each checked to fit its column: ready to be written."""
    computation = compute(months, run, changed=changed, flipped=flipped, carried=carried)
    authority = ServiceArea.objects.authority()
    publication.mark_revisions(computation.rows, authority.pk if authority else None)
    results_fit(computation.rows)
    return computation


def succeeded(run: CalculationRun, outcome: Outcome, months: list[date]) -> CalculationRun:
    run.outcome = CalculationRun.Outcome.SUCCEEDED
    run.error = ""
    run.rows_written = outcome.rows_written
    run.findings = outcome.findings
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "error", "rows_written", "findings", "finished_at"])
    for finding in run.findings:
        logger.warning("Scorecard calculation run %s: %s", run.pk, finding)
    logger.info(
        "Scorecard calculation run %s (%s) wrote %s rows for %s months in %s",
        run.pk,
        run.trigger,
        run.rows_written,
        len(months),
        run.duration,
    )
    return run


def dependent_months(months: Iterable[date], covered: list[date]) -> list[date]:
    """The months of `covered` whose results depend on the figures of `months`:
    each month itself and every month after it (the twelve after it for its year
    to date, the rolling 12 months, the next period's direction and 'against last
    year'; every later month for the statistical process control chart, whose
    limits take in every point from the baseline, and for the periods in a row
    at a rating)."""
    earliest = min(months, default=None)
    return [] if earliest is None else [month for month in covered if month >= earliest]


def replaced_results(months: list[date]):
    """What a run's rows replace: every result of its months (an area or measure
    no longer computed loses its rows with them), and every result of a month
    that no longer has any return, whose figures have gone."""
    return ScorecardResult.objects.filter(
        Q(month__in=months) | ~Q(month__in=MonthlyReturn.objects.values("month"))
    )


def write_results(rows: list[Result], *, whole_months: bool, new_months=frozenset()) -> None:
    """Store `rows`: whole months' results, once `replaced_results` are deleted;
    else some of the months' results, each replacing the stored one, but for
    the `new_months`, which have no results yet, inserted as they are (an
    approval of a month not yet calculated writes every area's results of it)."""
    if whole_months:
        bulk.insert(ScorecardResult, rows)
        return
    new = [row for row in rows if row.month in new_months]
    if new:
        bulk.insert(ScorecardResult, new)
    if len(new) < len(rows):
        replacing = [row for row in rows if row.month not in new_months]
        bulk.replace(ScorecardResult, replacing, key=("measure", "area", "month"))


def results_fit(rows: list[Result]) -> None:
    """Raise CalculationFailed naming the area, measure, month and figure of the
    first result too large for its column, before anything is written. (No
    figure the forms or the importer accept comes here: see `limits`.)"""
    for row in rows:
        try:
            limits.check_result(
                area=row.area.name,
                measure=row.measure.title,
                month=row.month,
                figures={name: getattr(row, name) for name in limits.RESULT_COLUMNS},
            )
        except limits.TooLarge as error:
            raise CalculationFailed(str(error)) from None


@contextmanager
def one_run_one_snapshot():
    """The run's transaction: one run at a time (the advisory lock), reading one
    consistent snapshot of the returns and reference data (REPEATABLE READ), so
    that an approval or a changed target committed while the run reads is either
    wholly in its results or wholly left to the next run, never half-seen.

    The order matters. A REPEATABLE READ transaction takes its snapshot when its
    first statement starts, and `SELECT pg_advisory_xact_lock(...)` is a
    statement: taken inside the transaction, a run that waits for the lock would
    read the data as it was before the run it waited for committed, and delete
    and rewrite results it cannot see. So the lock is a session lock, taken
    before the transaction begins and released after it ends (PostgreSQL
    releases it too if the connection is lost); the snapshot follows it.

    Inside a caller's transaction (the tests' `db`) the isolation level is the
    caller's: the lock is then held until that transaction ends, as before."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            advisory_lock()
            yield
        return
    with one_run_at_a_time(), transaction.atomic():
        snapshot()
        yield


def snapshot() -> None:
    """Read one snapshot for the rest of the transaction: its first statement."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


@contextmanager
def one_run_at_a_time():
    """Hold the runs' session lock (see `one_run_one_snapshot`) for the block."""
    # a session lock outlives this short transaction; the transaction is there so
    # that a connection lost while waiting is closed (and reopened) like any other
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
    try:
        yield
    finally:
        with (
            contextlib.suppress(DatabaseError),  # a lost connection lost the lock too
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def advisory_lock(key: int = ADVISORY_LOCK_KEY) -> None:
    """Hold a PostgreSQL advisory lock until the transaction ends: a second holder
    of the same key waits for the first to commit, then reads its data."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def latest_successful_run() -> CalculationRun | None:
    return CalculationRun.objects.filter(outcome=CalculationRun.Outcome.SUCCEEDED).first()


# --- the computation -------------------------------------------------------


def first_month_held() -> date | None:
    return MonthlyReturn.objects.order_by("month").values_list("month", flat=True).first()


def _entered_figures(first: date, last: date):
    """{(measure code, area id, month): Figure} from the approved returns (no
    other return's figures count: `area_series`, `authority_series`), and every
    return's status {(area id, month): status}; two queries."""
    statuses = dict(
        ((area_id, month), status)
        for area_id, month, status in MonthlyReturn.objects.filter(
            month__gte=first, month__lte=last
        ).values_list("area_id", "month", "status")
    )
    rows = ReturnValue.objects.filter(
        monthly_return__month__gte=first,
        monthly_return__month__lte=last,
        monthly_return__status=APPROVED,
    ).values_list(
        "measure__code",
        "monthly_return__area_id",
        "monthly_return__month",
        "numerator",
        "denominator",
        "value",
        "not_applicable_reason",
    )
    entered = {
        (code, area_id, month): Figure(numerator, denominator, value, bool(na_reason))
        for code, area_id, month, numerator, denominator, value, na_reason in rows
    }
    return entered, statuses


def pooled(measure: Measure, present: list[Figure]) -> Figure | None:
    """The authority's figure from its areas' approved figures: counts summed,
    numerators and denominators summed before dividing."""
    usable = [f for f in present if not f.not_applicable]
    if not usable:
        if present and all(f.not_applicable for f in present):
            return Figure(not_applicable=True)
        return None
    pairs = [(f.numerator, f.denominator) for f in usable]
    if measure.entry == Measure.Entry.VALUE:
        # A value entered per area cannot be combined (see its level), unless every
        # area's value is a quotient given with its parts (cases per worker).
        if any(n is None or d is None for n, d in pairs):
            return None
        numerator, denominator = (
            aggregation.total(n for n, _ in pairs),
            aggregation.total(d for _, d in pairs),
        )
        return Figure(
            numerator=numerator,
            denominator=denominator,
            value=numerator / denominator if denominator else None,
        )
    return Figure(
        numerator=aggregation.total(n for n, _ in pairs),
        denominator=aggregation.total(d for _, d in pairs),
    )


def _is_blank(figure: Figure | None) -> bool:
    return (
        figure is None
        or not figure.not_applicable
        and (figure.numerator is None and figure.denominator is None and figure.value is None)
    )


@dataclass(slots=True)
class Result:
    """One result as the engine works it out, stored as a `ScorecardResult` (the
    same fields, tested): a model instance costs more to make than the rest of
    a result's arithmetic."""

    run: CalculationRun
    measure: Measure
    area: ServiceArea
    month: date
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    not_applicable: bool = False
    target: Decimal | None = None
    rating: str = rag.NO_RATING
    against_last_month: str = ""
    against_last_year: str = ""
    year_to_date: Decimal | None = None
    rolling_12_months: Decimal | None = None
    benchmark_comparison: dict = field(default_factory=dict)
    provisional: bool = False
    due: bool = True
    note: str = ""
    suppressed: bool = False
    published_value: Decimal | None = None
    published_rating: str = ""
    revised: bool = False
    revision: dict = field(default_factory=dict)
    returns_expected: int = 0
    returns_approved: int = 0
    rating_months: int = 0
    spc_mean: Decimal | None = None
    spc_upper: Decimal | None = None
    spc_lower: Decimal | None = None
    spc_points: int = 0
    spc_variation: str = ""
    spc_assurance: str = ""
    spc_signals: list = field(default_factory=list)
    spc_note: str = ""
    spc_state: dict = field(default_factory=dict)

    # `.id`, not `.pk`: read for every result written, and `pk` is a property
    @property
    def run_id(self):
        return self.run.id

    @property
    def measure_id(self):
        return self.measure.id

    @property
    def area_id(self):
        return self.area.id


@dataclass
class Computation:
    rows: list[Result]
    # {(area name, year): titles of the rate measures it has no population for}
    missing_populations: dict[tuple[str, int], set[str]]
    read_from: date  # the first month whose returns it read
    # the months of `rows` that had no results before the run (`StoredResults`)
    new_months: frozenset[date] = frozenset()

    def carried_on(self) -> CarriedStates:
        """The states at the end of these results, which the months after them go
        on from (`compute`'s `carried`): each measure and area's latest due result."""
        return CarriedStates.after(self.rows)


# A measure's figure for one area and month, as the results need it:
# (the approved figure or None, returns expected, returns approved).
Point = tuple[Figure | None, int, int]
APPROVED = MonthlyReturn.Status.APPROVED


def area_series(
    measure, area_id: int, months: list[date], known: dict, statuses: dict
) -> dict[date, Point]:
    """One area's figure for each month: counted only once its return is approved.
    `known`: {(measure code, area id, month): Figure}; `statuses`: {(area id,
    month): the return's status}."""
    code, status, figure = measure.code, statuses.get, known.get
    return {
        month: (figure((code, area_id, month)), 1, 1)
        if status((area_id, month)) == APPROVED
        else (None, 1, 0)
        for month in months
    }


def authority_series(
    measure,
    authority_id: int,
    months: list[date],
    known: dict,
    statuses: dict,
    reporting: dict[int, dict[date, Point]],
    area_months: set[date],
) -> dict[date, Point]:
    """The authority's figure for each month: its areas' approved figures pooled
    (`pooled`) in a month some area has a return for (`area_months`), else its
    own approved figure. `reporting`: {area id: `area_series`} of the areas
    that report the measure (none for an authority-level measure)."""
    series = {}
    for month in months:
        own = known.get((measure.code, authority_id, month))
        own_approved = statuses.get((authority_id, month)) == APPROVED
        if reporting and month in area_months:
            present = [points[month][0] for points in reporting.values()]
            # the areas whose return for the month exists (opened, or imported):
            # the month's completeness counts the same (`reports.month_statuses`)
            point = (
                pooled(measure, [f for f in present if f is not None]),
                sum(1 for area_id in reporting if (area_id, month) in statuses),
                sum(points[month][2] for points in reporting.values()),
            )
            series[month] = own_figure_fallback(point, own, own_approved)
        else:
            series[month] = (own if own_approved else None, 1, int(own_approved))
    return series


def own_figure_fallback(point: Point, own: Figure | None, own_approved: bool) -> Point:
    """Where the areas' returns give nothing to pool for a measure (none carries
    it, or only values), the authority's own approved figure, as imported from
    history, stands, as one approved return of one."""
    if _is_blank(point[0]) and own_approved and not _is_blank(own):
        return own, 1, 1
    return point


def _reference_data():
    """In-year targets {measure id: [(starts, value)]}, benchmarks {measure id:
    [(comparator, periods.Period, value)]}, both oldest first, and child populations
    {(area id, year): children}; three queries."""
    targets = defaultdict(list)
    for measure_id, value, starts in (
        Target.objects.filter(kind=Target.Kind.IN_YEAR)
        .values_list("measure_id", "value", "starts")
        .order_by("starts")
    ):
        targets[measure_id].append((starts, value))
    benchmarks = defaultdict(list)
    for measure_id, comparator, kind, starts, value in Benchmark.objects.values_list(
        "measure_id", "comparator", "period_kind", "period_start", "value"
    ).order_by("period_start"):
        benchmarks[measure_id].append((comparator, periods.Period(starts, kind), value))
    populations = dict(
        ((area_id, year), children)
        for area_id, year, children in Population.objects.values_list(
            "area_id", "year", "children_0_17"
        )
    )
    return targets, benchmarks, populations


def compute(
    months: list[date],
    run: CalculationRun,
    changed: set[tuple[int, date]] | None = None,
    flipped: set | None = None,
    carried: CarriedStates | None = None,
) -> Computation:
    """The results of `months` for every measure and area; with `changed` (the
    returns changed: (area id, month)), only the results the change can alter:
    those areas' and the authority's, any other area's whose small-number
    suppression it turns on or off, and every area's in a month not yet
    calculated.

    A month's results look back a year (its rolling year, its financial year so
    far, the month a year before), and its process control chart and periods at
    a rating to the first figure held. A run for changed returns reads only the
    year before and goes on from the chart and rating stored with the period
    before (`CarriedStates.of`), where every result it needs has them; so does
    a run for everything given `carried`, the states of the period before
    `months` (the end of the part of the run before: `Computation.carried_on`,
    or its stored results). Otherwise it reads every month from the first.

    `flipped`: a run's parts for changed returns share it (`StoredResults`)."""
    first = months[0]
    held = first_month_held() or first
    flipped = set() if flipped is None else flipped
    year_before = aggregation.add_months(first, -12)
    if held < year_before and (changed is not None or carried is not None):
        carry = CarriedStates.of if changed is not None else (lambda *_: carried)
        with contextlib.suppress(NoCarriedState):
            return _compute(months, run, changed, flipped, year_before, carry)
    return _compute(months, run, changed, flipped, min(year_before, held))


class NoCarriedState(Exception):
    """A result a run would go on from is missing."""


def _compute(months, run, changed, flipped, history_start, carry=None) -> Computation:
    """`compute`, reading from `history_start`; `carry(months, stored results,
    measures)` gives the `CarriedStates` to go on from, where it is given."""
    last = months[-1]
    areas = list(ServiceArea.objects.order_by("order"))
    authority = next(a for a in areas if a.is_authority)
    active_areas = [a for a in areas if not a.is_authority and a.active]
    all_months = months_between(history_start, last)
    stored = None if changed is None else StoredResults.of(all_months, changed, flipped)
    measures = list(Measure.objects.filter(active=True).prefetch_related("reporting_areas"))
    carried = carry(months, stored, measures) if carry else None

    known, statuses = _entered_figures(history_start, last)
    window = Window(history_start, last, tuple(a.pk for a in areas))
    for part in extensions.parts():
        if part.figure_source:
            known.update(part.figure_source(window))
    targets, benchmarks, populations = _reference_data()

    area_months = {month for (area_id, month) in statuses if area_id != authority.id}
    rows = []
    missing_populations = defaultdict(set)  # (area, year) -> measure titles
    for measure in measures:
        if measure.level == Measure.Level.AREA:
            reporting = [a for a in measure.reporting_areas.all() if a.active] or active_areas
        else:
            reporting = []
        series = {
            area.id: area_series(measure, area.id, all_months, known, statuses)
            for area in reporting
        }
        series[authority.id] = authority_series(
            measure, authority.id, all_months, known, statuses, dict(series), area_months
        )
        withheld = (
            withheld_figures(measure, reporting, all_months, series, populations)
            if stored is None
            else stored.withheld(measure, reporting, all_months, series, populations)
        )
        in_force = {month: benchmarks_in_force(benchmarks[measure.id], month) for month in months}
        for area in [*reporting, authority]:
            months_written = (
                months
                if stored is None
                else stored.months_to_write(measure, area, months, withheld)
            )
            if not months_written:
                continue
            area_rows = results_for(
                measure,
                area,
                months_written,
                series[area.id],
                targets[measure.id],
                in_force,
                populations,
                run,
                withheld,
                all_months,
                carried.at(measure, area, months_written[0]) if carried else None,
            )
            for row in area_rows:
                if row.note.startswith(NO_POPULATION):
                    missing_populations[(area.name, row.month.year)].add(measure.title)
            rows.extend(area_rows)
    new_months = frozenset(months) if stored is None else stored.without_results & set(months)
    return Computation(rows, missing_populations, history_start, new_months)


@dataclass(frozen=True)
class Carried:
    """What the result of the period before the first month written gives
    the months after it: that period's month, rating and periods in a row at it,
    and its chart's running state."""

    month: date
    rating: str
    rating_months: int
    chart: spc.Running


@dataclass
class CarriedStates:
    """What a run goes on from, rather than reading every month before: for a run
    for changed returns, the stored results of the period before each first
    month it may write (the first month of the run, and each month not yet
    calculated); for a part of a full run, the results of the part before it
    (`after`, or `read` from the staged results), for every measure and area.

    `at` raises `NoCarriedState` where one is missing: the run then reads every
    month instead."""

    found: dict  # {(measure id, area id, month): Carried}

    @classmethod
    def of(cls, months, stored, measures) -> CarriedStates:
        starts = {months[0]} | {month for month in months if month not in stored.months}
        return cls.read(ScorecardResult.objects.all(), starts, {m.frequency for m in measures})

    @classmethod
    def read(cls, results, starts, frequencies=tuple(periods.DUE_MONTHS)) -> CarriedStates:
        """From `results` (stored or staged), those of the period before each of
        the `starts` months for the measures at each of the `frequencies` (the
        results `at` asks for, not every measure's of every such month); one query."""
        wanted = Q(pk__in=[])
        for frequency in sorted(set(frequencies)):
            before = sorted({periods.previous_due(frequency, month) for month in starts})
            wanted |= Q(measure__frequency=frequency, month__in=before)
        found = {}
        for (
            measure_id,
            area_id,
            month,
            rating,
            rating_months,
            chart,
        ) in results.filter(wanted, due=True).values_list(
            "measure_id", "area_id", "month", "rating", "rating_months", "spc_state"
        ):
            if chart:  # results stored before the state was kept have none
                found[(measure_id, area_id, month)] = Carried(
                    month, rating, rating_months, spc.Running.from_stored(chart)
                )
        return cls(found)

    @classmethod
    def after(cls, rows: list[Result]) -> CarriedStates:
        """From results just worked out: each measure and area's latest due one."""
        latest = {}
        for row in rows:
            if row.due:
                key = (row.measure.id, row.area.id)
                if key not in latest or latest[key].month < row.month:
                    latest[key] = row
        return cls(
            {
                (*key, row.month): Carried(
                    row.month, row.rating, row.rating_months, spc.Running.from_stored(row.spc_state)
                )
                for key, row in latest.items()
            }
        )

    def at(self, measure, area, first_written: date) -> Carried:
        month = periods.previous_due(measure.frequency, first_written)
        try:
            return self.found[(measure.id, area.id, month)]
        except KeyError:
            raise NoCarriedState from None


NO_POPULATION = "no child population for"


@dataclass
class StoredResults:
    """What a run for changed returns needs to know of the results it keeps."""

    changed: set[tuple[int, date]]  # (area id, month) of the returns changed
    months: set[date]  # the months that have results
    without_results: set[date]  # the months that have returns and no result at all
    suppressed: dict[int, set[tuple[int, date]]]  # {measure id: {(area id, month) withheld}}
    # (measure id, area id) whose suppression the change turned on or off: every
    # later month of theirs is written, in this part of the run and the later ones
    flipped: set[tuple[int, int]]

    @classmethod
    def of(cls, months: list[date], changed: set[tuple[int, date]], flipped: set) -> StoredResults:
        results = ScorecardResult.objects.filter(month__in=months)
        suppressed = defaultdict(set)
        for measure_id, area_id, month in results.filter(suppressed=True).values_list(
            "measure_id", "area_id", "month"
        ):
            suppressed[measure_id].add((area_id, month))
        # one probe of the index per month, not a read of every result
        has_results = Exists(ScorecardResult.objects.filter(month=OuterRef("month")))
        probed = dict(
            MonthlyReturn.objects.filter(month__in=months)
            .order_by()
            .annotate(calculated=has_results)
            .values_list("month", "calculated")
            .distinct()
        )
        return cls(
            changed=changed,
            months={month for month, calculated in probed.items() if calculated},
            without_results={month for month, calculated in probed.items() if not calculated},
            suppressed=suppressed,
            flipped=flipped,
        )

    def withheld(self, measure, reporting, months, series, populations) -> set:
        """As `withheld_figures`, worked out only for the months a change or a missing
        result leaves open: another month's breakdown is as it was stored."""
        changed_months = {month for _, month in self.changed}
        fresh = [m for m in months if m in changed_months or m not in self.months]
        kept = set(months) - set(fresh)
        return withheld_figures(measure, reporting, fresh, series, populations) | {
            (area_id, month) for area_id, month in self.suppressed[measure.pk] if month in kept
        }

    def months_to_write(self, measure, area, months, withheld) -> list[date]:
        """All of `months` for an area whose figures changed (the authority's
        pool them) or whose suppression did, in these months or an earlier part
        of the run (a figure withheld leaves its chart and periods at a rating,
        and so every later month's); otherwise the months not yet calculated."""
        area_id, measure_id = area.id, measure.id
        if area.is_authority or any(area_id == changed for changed, _ in self.changed):
            return months
        suppressed = self.suppressed[measure_id]
        if (measure_id, area_id) in self.flipped or any(
            ((area_id, month) in withheld) != ((area_id, month) in suppressed) for month in months
        ):
            self.flipped.add((measure_id, area_id))
            return months
        return [month for month in months if month not in self.months]


def _figure_at(measure, area, series, populations, month):
    figure, _, _ = series.get(month, (None, 0, 0))
    return figure, figures.comparable(
        measure, figure, population=populations.get((area.pk, month.year))
    )


def withheld_figures(measure, reporting, months, series, populations) -> set[tuple[int, date]]:
    """(area id, month) of the figures shown as 'c' (see `disclosure`): below the
    authority, for measures about children, primary and secondary suppression
    within each month's breakdown of the areas."""
    if measure.group_id == MeasureGroup.WORKFORCE or not reporting:
        return set()
    withheld = set()
    for month in months:
        primary, sizes = set(), {}
        for area in reporting:
            figure, value = _figure_at(measure, area, series[area.pk], populations, month)
            if figure is None or figure.not_applicable:
                continue
            counts = {
                "value": value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
            }
            if disclosure.suppressed(
                is_authority=False,
                about_children=True,
                unit=measure.unit,
                entry=measure.entry,
                threshold=settings.SMALL_NUMBER_THRESHOLD,
                **counts,
            ):
                primary.add(area.pk)
            sizes[area.pk] = disclosure.size_of(unit=measure.unit, entry=measure.entry, **counts)
        withheld |= {(area_id, month) for area_id in disclosure.withheld_areas(primary, sizes)}
    return withheld


def _target_in_force(targets: list[tuple[date, Decimal]], month: date) -> Decimal | None:
    value = None
    for starts, target in targets:
        if starts <= month:
            value = target
    return value


def benchmarks_in_force(benchmarks, month) -> dict:
    """{comparator: the benchmark in force in the month (`periods.in_force`)}, of
    (comparator, period, value) triples; comparators with none in force left out."""
    by_comparator = defaultdict(list)
    for comparator, period, benchmark in benchmarks:
        by_comparator[comparator].append((period, benchmark))
    in_force = {
        comparator: periods.in_force(pairs, month) for comparator, pairs in by_comparator.items()
    }
    return {comparator: value for comparator, value in in_force.items() if value is not None}


def _benchmark_comparison(measure, in_force: dict, value) -> dict:
    """Against each comparator's benchmark in force (`benchmarks_in_force`)."""
    if value is None:
        return {}
    return {
        comparator: rag.compare(value, benchmark, measure.polarity)
        for comparator, benchmark in in_force.items()
    }


def _pooled_over(series, due) -> Decimal | None:
    """Σnumerator ÷ Σdenominator over the `due` months (the months a figure is
    due in, already chosen), for numerator/denominator measures."""
    pairs = [
        (figure.numerator, figure.denominator)
        for figure, _, _ in (series.get(m, (None, 0, 0)) for m in due)
        if figure is not None and not figure.not_applicable
    ]
    return aggregation.pooled_percentage(pairs)


def _latest_over(value_at, due) -> Decimal | None:
    """A year-to-date measure's latest figure over the `due` months (its March
    figure once the year is complete): what its year to date, or its year,
    comes to. `value_at(month)`: the figure's number."""
    for month in reversed(due):
        value = value_at(month)
        if value is not None:
            return value
    return None


@functools.cache
def _year_windows(month: date) -> tuple[list[date], list[date]]:
    """(the financial year to `month`, the 12 months to `month`); worked out once
    per month, not once per result. Callers must not change the lists."""
    return (
        months_between(aggregation.financial_year_start(month), month),
        months_between(aggregation.add_months(month, -11), month),
    )


@functools.cache
def _due_windows(frequency: str, month: date) -> tuple[list[date], list[date], list[date]]:
    """`_year_windows` of the months a figure is due in at `frequency`, and the
    March within the 12 months; once per month. Callers must not change them."""
    year, rolling = _year_windows(month)
    return (
        periods.due_months(frequency, year),
        periods.due_months(frequency, rolling),
        [m for m in rolling if m.month == 3],
    )


def _year_totals(measure, series, value_at, month) -> tuple:
    """(year to date, rolling 12 months) for the result of `month`. A year-to-date
    measure's year to date is its latest figure this financial year, and its
    12 months the March figure of the last complete year within them (None when
    no March falls in them), so that cumulative figures are never added up.
    `value_at(month)`: the figure's number."""
    year, rolling, march = _due_windows(measure.frequency, month)
    if measure.year_to_date:
        return (
            _latest_over(value_at, year),
            _latest_over(value_at, periods.due_months(measure.frequency, march)) if march else None,
        )
    if measure.entry != Measure.Entry.RATIO:
        return None, None
    return _pooled_over(series, year), _pooled_over(series, rolling)


def not_due_result(measure, area, month, run) -> Result:
    """A month the measure's frequency expects no figure in: no figure, no rating,
    nothing waited for, shown as 'not due'."""
    return Result(run=run, measure=measure, area=area, month=month, due=False, provisional=False)


def _note(measure, figure, value) -> str:
    """Why a figure that was entered gives no figure or no rating."""
    if figure is None or figure.not_applicable:
        return ""
    if (
        value is None
        and measure.unit == Measure.Unit.RATE_10K
        and measure.entry == Measure.Entry.COUNT
        and figure.numerator is not None
    ):
        return NO_POPULATION
    if (
        measure.entry == Measure.Entry.RATIO
        and figure.denominator is not None
        and figure.denominator < measure.min_denominator
        and measure.has_polarity
    ):
        return f"too few to rate: {rag.round_to(figure.denominator, 0)} children"
    return ""


def _rating(measure, shown_value, target, note) -> str:
    """The RAG of a figure as shown; none where the note says why it has none."""
    if note:
        return rag.NO_RATING
    return rag.rate(
        shown_value,
        target,
        measure.polarity,
        measure.tolerance,
        measure.tolerance_kind,
        measure.green_band,
    )


class _Memo(dict):
    """A function of a month, worked out once for each month asked for: see
    `_once_a_month`."""

    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function

    def __missing__(self, month):
        value = self[month] = self.function(month)
        return value


def _once_a_month(function):
    """`function` (of a month) memoised, as `functools.cache` would, but cheaper
    to make: `results_for` makes five for every measure and area of a run."""
    return _Memo(function).__getitem__


@functools.cache
def _due_between(frequency: str, first: date, last: date) -> list[date]:
    """The months from `first` to `last` a figure at `frequency` is due in; worked
    out once per run's months, not once per area. Callers must not change it."""
    return periods.due_months(frequency, months_between(first, last))


def results_for(
    measure,
    area,
    months,
    series,
    targets,
    benchmarks,
    populations,
    run,
    withheld,
    history,
    carried=None,
):
    """The area's results of `months`; `benchmarks`: {month: `benchmarks_in_force`};
    `history`: every month `series` holds, in order: from the first figure, or
    from a year before `months` where `carried` (`Carried`) goes on from the
    period before them.

    Each month's figure, as shown, its note, target and rating are worked out
    once (a row asks for them, its neighbours, sums and chart ask again)."""
    area_id, places, frequency = area.id, measure.decimal_places, measure.frequency

    @_once_a_month
    def figure_at(month):
        """(the figure, the number it stands for): `_figure_at`."""
        return _figure_at(measure, area, series, populations, month)

    def value_at(month):
        return figure_at(month)[1]

    @_once_a_month
    def shown(month):
        """The figure as shown, at the measure's places; None where withheld, so
        that nothing beside it (direction, comparisons) gives it away."""
        return None if (area_id, month) in withheld else rag.round_to(value_at(month), places)

    @_once_a_month
    def note_at(month):
        note = _note(measure, *figure_at(month))
        return f"{NO_POPULATION} {month.year}" if note == NO_POPULATION else note

    @_once_a_month
    def target_at(month):
        return _target_in_force(targets, month)

    @_once_a_month
    def rating_at(month):
        return _rating(measure, shown(month), target_at(month), note_at(month))

    due = _due_between(frequency, history[0], months[-1])
    in_a_row = _periods_in_a_row(
        due,
        months[0],
        rating_at,
        (carried.rating, carried.rating_months) if carried else None,
    )
    control, charts = _process_control(
        measure,
        [m for m in due if m > carried.month] if carried else due,
        shown,
        target_at,
        set(months),
        carried.chart if carried else spc.Running(),
    )

    rows = []
    for month in months:
        if not periods.is_due(frequency, month):
            rows.append(not_due_result(measure, area, month, run))
            continue
        figure, expected, approved = series[month]
        year_to_date, rolling_12_months = _year_totals(measure, series, value_at, month)
        rating, rating_months = in_a_row[month]
        suppressed = (area_id, month) in withheld
        rows.append(
            Result(
                run=run,
                measure=measure,
                area=area,
                month=month,
                numerator=figure.numerator if figure else None,
                denominator=figure.denominator if figure else None,
                value=value_at(month),
                not_applicable=bool(figure and figure.not_applicable),
                target=target_at(month),
                rating=rating,
                rating_months=rating_months,
                # since the last period: June for a quarterly measure's September
                against_last_month=rag.direction(
                    shown(month),
                    shown(periods.previous_due(frequency, month)),
                    measure.polarity,
                ),
                against_last_year=rag.direction(
                    shown(month), shown(aggregation.add_months(month, -12)), measure.polarity
                ),
                year_to_date=year_to_date,
                rolling_12_months=rolling_12_months,
                benchmark_comparison=_benchmark_comparison(
                    measure, benchmarks[month], shown(month)
                ),
                provisional=approved < expected,
                returns_expected=expected,
                returns_approved=approved,
                note=note_at(month),
                suppressed=suppressed,
                **(control[month] if month in control else _no_control(measure, month, suppressed)),
                spc_state=charts[month].stored(),
            )
        )
    return rows


def _periods_in_a_row(
    due: list[date], first: date, rating_of, before=None
) -> dict[date, tuple[str, int]]:
    """{month: (its rating, the periods in a row up to it at that rating)} for the
    `due` months (in order) from `first` on; 0 periods for a month without a
    rating. Earlier months are rated only as far back as the rating before
    `first` goes, unless `before` gives the period before's (rating, periods)."""
    start = bisect.bisect_left(due, first)
    if before is not None:
        previous, count = before
    else:
        previous, count = (rating_of(due[start - 1]), 0) if start else (None, 0)
    if before is None and previous not in (None, rag.NO_RATING):
        back = start - 1
        while back >= 0 and (back == start - 1 or rating_of(due[back]) == previous):
            count, back = count + 1, back - 1
    found = {}
    for month in due[start:]:
        rating = rating_of(month)
        count = 0 if rating == rag.NO_RATING else (count + 1 if rating == previous else 1)
        found[month] = (rating, count)
        previous = rating
    return found


# Why a month has no process control chart, when it has no figure to put on one.
NO_FIGURE_FOR_SPC = "no figure this month: no statistical process control"
WITHHELD_FROM_SPC = "withheld (small numbers): no statistical process control"


def _no_control(measure, month, withheld) -> dict:
    """The `spc_` fields of a month with no point on the chart, saying why."""
    if withheld:
        return {"spc_note": WITHHELD_FROM_SPC}
    baseline = measure.spc_baseline_start
    if baseline is not None and month < baseline:
        return {
            "spc_note": f"before the process limits' baseline of {baseline:%B %Y}: "
            "no statistical process control"
        }
    return {"spc_note": NO_FIGURE_FOR_SPC}


def _process_control(measure, due, shown, target_at, wanted, chart: spc.Running):
    """({month: a result's `spc_` fields} for the `wanted` months with a point on
    the chart, {month: the chart's running state} for every wanted month): the
    XmR chart (`spc`) of the figures as shown, from the measure's baseline to the
    month, going on from `chart`, the state before the first of the `due` months.
    Each month's limits come from the running totals, its signals from its last
    few points (`spc.latest_signals`): the cost grows with the months held, not
    with their square."""
    points = dict(spc.points([(month, shown(month)) for month in due], measure.spc_baseline_start))
    keep = spc.recent_length(settings.SPC_RUN_LENGTH, settings.SPC_TREND_LENGTH)
    found, charts = {}, {}
    for month in due:
        if month in points:
            chart = chart.add(points[month], keep)
        if month not in wanted:
            continue
        charts[month] = chart
        if month not in points:
            continue
        limits_then = chart.limits
        if limits_then is None:
            found[month] = {"spc_points": chart.count, "spc_note": spc.NOT_ENOUGH_POINTS}
            continue
        latest = spc.latest_signals(
            chart.recent,
            limits_then,
            measure.polarity,
            settings.SPC_RUN_LENGTH,
            settings.SPC_TREND_LENGTH,
        )
        found[month] = {
            "spc_mean": _stored(limits_then.mean),
            "spc_upper": _stored(limits_then.upper),
            "spc_lower": _stored(limits_then.lower),
            "spc_points": chart.count,
            "spc_variation": spc.variation(latest),
            "spc_assurance": spc.assurance(limits_then, target_at(month), measure.polarity) or "",
            "spc_signals": [signal.rule for signal in latest],
        }
    return found, charts


def _stored(number: Decimal) -> Decimal:
    """A process limit at the places a result column keeps."""
    return rag.round_to(number, limits.VALUE_PLACES)
