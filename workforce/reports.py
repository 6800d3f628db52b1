"""The workforce page's figures, read from stored results and approved staffing
figures only: the engine's ratings and comparisons are shown as stored, never
worked out again here. A fixed number of queries whatever the number of teams
and months."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from scorecard import aggregation, engine, formatting, reports, selectors
from scorecard.models import Benchmark, CalculationRun, Measure, ScorecardResult, ServiceArea

from . import measures
from .models import FIGURE_FIELDS
from .selectors import approved_staffing

TREND_MONTHS = 12
STAFFING_COLUMNS = ["fte_in_post", "headcount_in_post", "vacancies_fte", "agency_fte"]


@dataclass(repr=False)  # django-tables2 formats records in messages: keep that cheap
class WorkforceRow:
    area: ServiceArea
    label: str
    staffing: dict  # field -> Decimal | None: the approved figures (totals for the authority)
    results: dict  # measure code -> ScorecardResult
    commentary: list = field(default_factory=list)  # `latest_commentary`'s for the team

    @property
    def is_authority(self):
        return self.area.is_authority

    @property
    def provisional(self):
        return any(result and result.provisional for result in self.results.values())


@dataclass
class Trend:
    area: ServiceArea
    label: str
    points: list  # [(month, Decimal | None)]


@dataclass
class TurnoverLine:
    area: ServiceArea
    label: str
    result: ScorecardResult | None

    @property
    def rating_tag(self):
        return formatting.rating_tag(self.result.rating if self.result else "none")


@dataclass
class WorkforcePage:
    month: date
    months: list[date]  # the months there are results for, newest first
    measures: dict  # code -> Measure
    rows: list[WorkforceRow]
    trend_months: list[date]
    headcount: list[Trend]
    sickness: list[Trend]
    turnover: list[TurnoverLine]
    turnover_benchmark: Benchmark | None
    teams_approved: int
    teams_shown: int
    run: CalculationRun | None
    authority: ServiceArea | None = None
    target_notes: list[str] = field(default_factory=list)
    commentary: list = field(default_factory=list)  # [(month, team, text)] `latest_commentary`

    @property
    def final(self):
        return self.teams_shown > 0 and self.teams_approved == self.teams_shown

    @property
    def turnover_measure(self):
        return self.measures.get(measures.TURNOVER)


def authority_label(area: ServiceArea) -> str:
    return f"Qualified social workers, all teams ({area.name})"


def workforce_months() -> list[date]:
    """The months the engine has stored workforce results for, newest first."""
    return list(
        ScorecardResult.objects.filter(measure__code__in=measures.CODES)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


def default_month(months: list[date]) -> date | None:
    """The newest month with a workforce figure or approved staffing; else the newest."""
    with_figures = (
        ScorecardResult.objects.filter(measure__code__in=measures.CODES, value__isnull=False)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    return with_figures or (months[0] if months else None)


def build_workforce_page(*, user, month: date, months: list[date]) -> WorkforcePage:
    areas = list(selectors.scorecard_areas_for_user(user).filter(active=True).order_by("order"))
    teams = [area for area in areas if not area.is_authority]
    authority = next((area for area in areas if area.is_authority), None)
    first = aggregation.add_months(month, -(TREND_MONTHS - 1))
    trend_months = [aggregation.add_months(first, i) for i in range(TREND_MONTHS)]

    found = {m.code: m for m in Measure.objects.filter(code__in=measures.CODES, active=True)}
    found_by_id = {m.pk: m for m in found.values()}
    results = {}
    for result in ScorecardResult.objects.filter(
        measure__code__in=measures.CODES, area__in=areas, month__gte=first, month__lte=month
    ).select_related("measure"):
        results[(result.measure.code, result.area_id, result.month)] = result
    staffing = {
        (row["monthly_return__area_id"], row["monthly_return__month"]): row
        for row in approved_staffing(teams, first, month).values(
            "monthly_return__area_id", "monthly_return__month", "commentary", *FIGURE_FIELDS
        )
    }
    commentary = latest_commentary(staffing, teams, month)

    def results_for(area):
        return {code: results.get((code, area.pk, month)) for code in found}

    rows = [
        WorkforceRow(
            area,
            area.name,
            staffing.get((area.pk, month), {}),
            results_for(area),
            [said for said in commentary if said[1] == area.name],
        )
        for area in teams
    ]
    if authority is not None:
        # Totals over every team's approved figures (a team manager sees only the
        # totals of the teams they do not manage, as on the authority's scorecard).
        totals = approved_staffing(
            ServiceArea.objects.filter(parent__isnull=False, active=True), month, month
        ).aggregate(**{name: Sum(name) for name in STAFFING_COLUMNS})
        rows.append(
            WorkforceRow(authority, authority_label(authority), totals, results_for(authority))
        )

    def label(area):
        return authority_label(area) if area.is_authority else area.name

    def trend(area, value_of):
        return Trend(area, label(area), [(m, value_of(area, m)) for m in trend_months])

    headcount = [
        trend(area, lambda a, m: staffing.get((a.pk, m), {}).get("fte_in_post")) for area in teams
    ]
    sickness = [
        trend(area, lambda a, m: _value(results.get((measures.SICKNESS, a.pk, m))))
        for area in [*teams, *([authority] if authority else [])]
    ]
    # The staff group across all teams, then any team with a turnover of its own.
    turnover = [
        line
        for area in [*([authority] if authority else []), *teams]
        if (
            line := TurnoverLine(
                area, label(area), results.get((measures.TURNOVER, area.pk, month))
            )
        )
        and (area.is_authority or _value(line.result) is not None)
    ]

    in_force = reports.benchmarks_in_force(
        Benchmark.objects.filter(
            measure__code=measures.TURNOVER, comparator=Benchmark.Comparator.STAT_NEIGHBOURS
        ),
        month,
    )
    turnover_benchmark = next(
        (
            by_comparator[Benchmark.Comparator.STAT_NEIGHBOURS]
            for by_comparator in in_force.values()
        ),
        None,
    )
    approved_count = sum(1 for area in teams if (area.pk, month) in staffing)
    return WorkforcePage(
        month=month,
        months=months,
        measures=found,
        rows=rows,
        trend_months=trend_months,
        headcount=headcount,
        sickness=sickness,
        turnover=turnover,
        turnover_benchmark=turnover_benchmark,
        teams_approved=approved_count,
        teams_shown=len(teams),
        run=engine.latest_successful_run(),
        authority=authority,
        target_notes=[
            f"{found_by_id[measure_id].title} target: {note}"
            for measure_id, note in reports.target_notes(found_by_id, month).items()
        ],
        commentary=commentary,
    )


def latest_commentary(staffing: dict, teams, month: date) -> list[tuple[date, str, str]]:
    """[(month, team, text)]: each team's latest approved staffing commentary up to
    `month`, within `reports.COMMENTARY_MONTHS` (as a measure's latest commentary
    is looked for), in the teams' order. `staffing`: {(area id, month): the
    approved staffing's values, with "commentary"} over those months."""
    said = []
    for area in teams:
        for back in range(reports.COMMENTARY_MONTHS):
            when = aggregation.add_months(month, -back)
            text = (staffing.get((area.pk, when)) or {}).get("commentary")
            if text:
                said.append((when, area.name, text))
                break
    return said


@dataclass
class StaffingSnapshot:
    """One area's staffing beside its scorecard (or the authority's in the RAG
    summary): the approved figures (the teams' totals for the authority), the
    stored workforce results and the latest staffing commentary."""

    area: ServiceArea
    label: str
    month: date
    staffing: dict  # STAFFING_COLUMNS -> Decimal | None
    results: dict  # measure code -> ScorecardResult | None
    measures: dict  # code -> Measure
    commentary: list  # [(month, team, text)]
    approved: int  # teams whose staffing is approved for the month
    expected: int  # teams shown

    @property
    def turnover(self):
        return self.results.get(measures.TURNOVER)

    @property
    def figures(self) -> list[tuple[str, object, object]]:
        """(label, staffing figure or None, result or None) in the order shown."""
        return [
            ("Qualified social workers in post (FTE)", self.staffing.get("fte_in_post"), None),
            (
                "Qualified social workers in post (headcount)",
                self.staffing.get("headcount_in_post"),
                None,
            ),
            ("Vacancies (FTE)", self.staffing.get("vacancies_fte"), None),
            ("Vacancy rate", None, self.results.get(measures.VACANCY)),
            ("Agency share of qualified social workers", None, self.results.get(measures.AGENCY)),
            ("Sickness rate", None, self.results.get(measures.SICKNESS)),
            ("Turnover over 12 months", None, self.results.get(measures.TURNOVER)),
        ]


def build_staffing_snapshot(*, area: ServiceArea, month: date, visible_areas):
    """`area`'s staffing for the month, or None where the scorecard has no
    workforce measures. For the authority: the qualified social workers of all
    teams, and the commentary of the teams in `visible_areas`. Five queries
    whatever the number of teams and months."""
    found = {m.code: m for m in Measure.objects.filter(code__in=measures.CODES, active=True)}
    if not found:
        return None
    results = {}
    for result in ScorecardResult.objects.filter(
        measure__code__in=found, area=area, month=month
    ).select_related("measure"):
        results[result.measure.code] = result
    all_teams = ServiceArea.objects.filter(parent__isnull=False, active=True)
    teams = (
        list(visible_areas.filter(parent__isnull=False, active=True).order_by("order"))
        if area.is_authority
        else [area]
    )
    first = aggregation.add_months(month, -(reports.COMMENTARY_MONTHS - 1))
    staffing = {
        (row["monthly_return__area_id"], row["monthly_return__month"]): row
        for row in approved_staffing(teams, first, month).values(
            "monthly_return__area_id", "monthly_return__month", "commentary", *STAFFING_COLUMNS
        )
    }
    if area.is_authority:
        shown = approved_staffing(all_teams, month, month).aggregate(
            **{name: Sum(name) for name in STAFFING_COLUMNS}, approved=Count("pk")
        )
        approved, expected = shown.pop("approved"), all_teams.count()
    else:
        shown = staffing.get((area.pk, month), {})
        approved, expected = int((area.pk, month) in staffing), 1
    return StaffingSnapshot(
        area=area,
        label=authority_label(area) if area.is_authority else area.name,
        month=month,
        staffing={name: shown.get(name) for name in STAFFING_COLUMNS},
        results={code: results.get(code) for code in found},
        measures=found,
        commentary=latest_commentary(staffing, teams, month),
        approved=approved,
        expected=expected,
    )


def _value(result: ScorecardResult | None) -> Decimal | None:
    if result is None or result.not_applicable:
        return None
    return result.value
