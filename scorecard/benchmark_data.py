"""A synthetic data set for measuring the product at scale:
`manage.py generate_benchmark_data --areas 40 --measures 120 --years 5`.

Everything it makes is named as synthetic, so that it can never be taken for,
or mixed with, the sample or a real installation's figures: the authority and
areas are "Synthetic ...", with slugs starting `synthetic-`; measures, returns,
benchmarks and populations carry `SOURCE`; the accounts are `synthetic-...`
at `synthetic.invalid`. It refuses, writing nothing, when the database holds
any area, measure or return that is not synthetic, and replaces an earlier
synthetic set only when asked to.

The set: an authority and N service areas, each with a team manager; M
measures of the product's kinds (percentages from numerators and
denominators, counts, rates per 10,000 children, values; with polarity,
tolerances, Green bands, a quarterly measure among them, in-year targets per
financial year, long-term targets, baselines, benchmarks for the three
comparators by financial year and by quarter) with the workforce measures among
them; populations for every area and year; and approved monthly returns (submitted
by the area's manager, approved by a performance officer, four eyes) for
`years` financial years and the April after them (61 months for 5 years), with
their figures and the teams' staffing figures. One area-level measure makes a
result for each area and the authority each month, an authority-level measure
(one in twelve) one: 40 areas × 120 measures × 61 months are 275,720 results.

The bulk rows are written with PostgreSQL COPY (psycopg 3), in one
transaction, with foreign keys checked as each row is written (`SET
CONSTRAINTS ALL IMMEDIATE`): the audit triggers fire for every row, and
deferred checks of so many audited rows grow quadratically. The same seed
gives the same figures.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q

from . import aggregation, audit, bulk, extensions, library, periods, roles
from .models import (
    Baseline,
    Benchmark,
    CalculationRun,
    Measure,
    MeasureGroup,
    MonthlyReturn,
    Population,
    Publication,
    RecalculationRequest,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
    TeamMembership,
)
from .months import months_between

SOURCE = "Synthetic benchmark data (manage.py generate_benchmark_data)"
PREFIX = "synthetic-"
AUTHORITY_SLUG = f"{PREFIX}authority"
EMAIL_DOMAIN = "synthetic.invalid"
# The newest month of the set: fixed, so that a seed gives the same set on any day.
LAST_MONTH = date(2026, 4, 1)
LONDON = ZoneInfo("Europe/London")
APPROVED = MonthlyReturn.Status.APPROVED

DIRECTOR, OFFICER, SECOND_OFFICER = (
    f"{PREFIX}director",
    f"{PREFIX}officer",
    f"{PREFIX}officer-2",
)


def manager_username(number: int) -> str:
    return f"{PREFIX}manager-{number:02d}"


class Refused(Exception):
    """Nothing was written; the sentences say why."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Size:
    areas: int
    measures: int
    years: int

    def __post_init__(self):
        if self.areas < 1 or self.measures < 1 or self.years < 1:
            raise ValueError("areas, measures and years must each be at least 1")

    @property
    def months(self) -> list[date]:
        """`years` financial years of months and the April after them."""
        return months_between(aggregation.add_months(LAST_MONTH, -12 * self.years), LAST_MONTH)

    @property
    def authority_measures(self) -> int:
        return sum(1 for spec in measure_specs(self.measures) if spec.level == "authority")

    @property
    def cells(self) -> int:
        """The results a full recalculation writes: each area-level measure for each
        area and the authority, each authority-level one for the authority."""
        area_level = self.measures - self.authority_measures
        return (area_level * (self.areas + 1) + self.authority_measures) * len(self.months)


# --- the measures -------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    unit: str
    entry: str
    polarity: str
    level: str = "area"
    tolerance: Decimal = Decimal(5)
    tolerance_kind: str = "points"
    green_band: Decimal = Decimal(0)
    frequency: str = periods.MONTHLY
    decimal_places: int = 1


# The product's kinds of measure, in a cycle of twelve: the first four measures
# are already one of each entry (percentage, count, rate per 10,000, value).
REL = {"tolerance": Decimal(10), "tolerance_kind": "relative"}
KINDS = [
    Kind("percentage, higher is better", "percent", "ratio", "higher"),
    Kind("count, lower is better", "count", "count", "lower", **REL, decimal_places=0),
    Kind("rate per 10,000, lower is better", "rate_10k", "count", "lower", **REL),
    Kind("days, the authority's", "days", "value", "lower", level="authority", **REL),
    Kind("percentage, lower is better", "percent", "ratio", "lower", **REL, green_band=Decimal(2)),
    Kind("rate per 10,000, context", "rate_10k", "count", "none"),
    Kind(
        "count, higher is better",
        "count",
        "count",
        "higher",
        tolerance=Decimal(3),
        decimal_places=0,
    ),
    Kind("percentage, quarterly", "percent", "ratio", "higher", frequency=periods.QUARTERLY),
    Kind("percentage, lower is better", "percent", "ratio", "lower"),
    Kind("count, context", "count", "count", "none", decimal_places=0),
    Kind("percentage, in line with target", "percent", "ratio", "higher", green_band=Decimal(1)),
    Kind("percentage, higher is better", "percent", "ratio", "higher", tolerance=Decimal(3)),
]


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    title: str
    group: str
    kind: Kind
    workforce: bool = False

    @property
    def level(self) -> str:
        return self.kind.level


def workforce_entries():
    """The library's workforce measures (the workforce app computes them from the
    staffing figures, under these codes)."""
    return [entry for entry in library.library() if entry.group == MeasureGroup.WORKFORCE]


def measure_specs(count: int) -> list[MeasureSpec]:
    """`count` measures: the kinds in turn, the last (up to five, one per ten
    measures) the workforce measures."""
    groups = [code for code in library.group_names() if code != MeasureGroup.WORKFORCE]
    workforce = workforce_entries()[: min(len(workforce_entries()), count // 10)]
    specs = []
    for index in range(count - len(workforce)):
        kind = KINDS[index % len(KINDS)]
        specs.append(
            MeasureSpec(
                code=f"{PREFIX}{index + 1:03d}",
                title=f"Synthetic measure {index + 1:03d} ({kind.name})",
                group=groups[index % len(groups)],
                kind=kind,
            )
        )
    for entry in workforce:
        kind = Kind(entry.title, entry.unit, entry.entry, entry.polarity, tolerance=Decimal(2))
        specs.append(MeasureSpec(entry.code, entry.title, entry.group, kind, workforce=True))
    return specs


# --- what is there already ------------------------------------------------------


def synthetic_areas():
    return ServiceArea.objects.filter(slug__startswith=PREFIX)


def synthetic_users():
    return get_user_model().objects.filter(
        username__startswith=PREFIX, email__endswith=f"@{EMAIL_DOMAIN}"
    )


def foreign_data() -> list[str]:
    """What in the database is not synthetic (areas, measures, returns), one
    sentence each: the set is never mixed with real figures or the sample."""
    problems = []
    areas = ServiceArea.objects.exclude(slug__startswith=PREFIX).order_by("name")
    if areas.exists():
        names = ", ".join(a.name for a in areas[:5])
        problems.append(f"{areas.count()} service areas are not synthetic (e.g. {names}).")
    measures = Measure.objects.exclude(source=SOURCE).order_by("title")
    if measures.exists():
        titles = ", ".join(m.title for m in measures[:5])
        problems.append(f"{measures.count()} measures are not synthetic (e.g. {titles}).")
    returns = MonthlyReturn.objects.exclude(area__slug__startswith=PREFIX)
    if returns.exists():
        problems.append(f"{returns.count()} monthly returns are not of synthetic areas.")
    return problems


def has_synthetic_set() -> bool:
    return synthetic_areas().exists() or Measure.objects.filter(source=SOURCE).exists()


def remove() -> dict[str, int]:
    """Remove a synthetic set (only synthetic rows are here: see `foreign_data`)."""
    areas = synthetic_areas()
    measures = Measure.objects.filter(source=SOURCE)
    removed = {
        "results": ScorecardResult.objects.filter(Q(area__in=areas) | Q(measure__in=measures))
        .delete()[1]
        .get(ScorecardResult._meta.label, 0),
        "returns": MonthlyReturn.objects.filter(area__in=areas).count(),
    }
    MonthlyReturn.objects.filter(area__in=areas).delete()
    Publication.objects.all().delete()
    RecalculationRequest.objects.all().delete()
    CalculationRun.objects.filter(results__isnull=True).delete()
    removed["measures"] = measures.count()
    measures.delete()
    removed["areas"] = areas.count()
    ServiceArea.objects.filter(slug__startswith=PREFIX, parent__isnull=False).delete()
    ServiceArea.objects.filter(slug=AUTHORITY_SLUG).delete()
    removed["accounts"] = synthetic_users().count()
    synthetic_users().delete()
    return removed


# --- writing ----------------------------------------------------------------------


def generate(size: Size, *, seed: int = 1, replace: bool = False) -> dict[str, int]:
    """Write the synthetic set of `size`, or raise Refused (nothing written).
    Returns how many of each kind of row it wrote."""
    if connection.vendor != "postgresql":
        raise Refused(["The benchmark data is written with PostgreSQL COPY: set DATABASE_URL."])
    with (
        transaction.atomic(),
        audit.context(user=None, action="generate benchmark data", source=SOURCE),
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if problems := foreign_data():
            raise Refused(
                [
                    "The database holds data that is not synthetic; the benchmark data is "
                    "never mixed with real figures or the sample. Use an empty database.",
                    *problems,
                ]
            )
        if has_synthetic_set():
            if not replace:
                raise Refused(
                    [
                        "A synthetic data set is already here: give --replace to remove it "
                        "and generate a new one."
                    ]
                )
            remove()
        return _write(size, random.Random(seed))  # noqa: S311 - not a secret: a repeatable set


def _write(size: Size, rng: random.Random) -> dict[str, int]:
    months = size.months
    authority = ServiceArea.objects.create(
        name="Synthetic Authority (benchmark data)",
        slug=AUTHORITY_SLUG,
        region=ServiceArea._meta.get_field("region").choices[0][0],
        order=0,
    )
    areas = ServiceArea.objects.bulk_create(
        [
            ServiceArea(
                name=f"Synthetic Area {n:02d}",
                slug=f"{PREFIX}area-{n:02d}",
                parent=authority,
                order=n,
            )
            for n in range(1, size.areas + 1)
        ]
    )
    users = _users(areas)
    scale = {area.pk: rng.uniform(0.5, 1.5) for area in areas}
    populations = _populations(authority, areas, months, scale, rng)
    specs = measure_specs(size.measures)
    library.ensure_groups(spec.group for spec in specs)
    measures = Measure.objects.bulk_create(
        [
            Measure(
                code=spec.code,
                title=spec.title,
                definition="Synthetic: made up to measure the product at scale.",
                numerator_label="Numerator" if spec.kind.entry == "ratio" else "",
                denominator_label="Denominator" if spec.kind.entry == "ratio" else "",
                group_id=spec.group,
                unit=spec.kind.unit,
                polarity=spec.kind.polarity,
                entry=spec.kind.entry,
                decimal_places=spec.kind.decimal_places,
                tolerance=spec.kind.tolerance,
                tolerance_kind=spec.kind.tolerance_kind,
                green_band=spec.kind.green_band,
                level=spec.kind.level,
                frequency=spec.kind.frequency,
                source=SOURCE,
                order=order,
                is_headline=order <= 5,
            )
            for order, spec in enumerate(specs, start=1)
        ]
    )
    levels = {spec.code: _level(spec, rng) for spec in specs}
    counts = {
        "areas": len(areas) + 1,
        "accounts": len(users),
        "measures": len(measures),
        "populations": len(populations),
        **_reference(measures, specs, levels, months, rng),
    }
    returns = _returns(authority, areas, months, users)
    counts["returns"] = len(returns)
    counts["figures"] = bulk.copy_rows(
        ReturnValue._meta.db_table,
        [
            "monthly_return_id",
            "measure_id",
            "numerator",
            "denominator",
            "value",
            "not_applicable_reason",
            "commentary",
        ],
        _figures(returns, measures, specs, levels, scale, populations, rng),
    )
    for part in extensions.parts():
        if part.benchmark_loader:
            counts.update(
                part.benchmark_loader(
                    returns=[r for r in returns if r[1] != authority.pk], rng=rng, scale=scale
                )
            )
    return counts


def _users(areas) -> dict[str, object]:
    User = get_user_model()
    unusable = make_password(None)
    wanted = [
        (DIRECTOR, "Synthetic", "Director", roles.DIRECTORS),
        (OFFICER, "Synthetic", "Officer", roles.PERFORMANCE_OFFICERS),
        (SECOND_OFFICER, "Synthetic", "Second Officer", roles.PERFORMANCE_OFFICERS),
        *(
            (manager_username(n), "Synthetic", f"Manager {n:02d}", roles.TEAM_MANAGERS)
            for n in range(1, len(areas) + 1)
        ),
    ]
    users = User.objects.bulk_create(
        [
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{EMAIL_DOMAIN}",
                password=unusable,
                is_staff=role == roles.PERFORMANCE_OFFICERS,
            )
            for username, first, last, role in wanted
        ]
    )
    groups = {group.name: group for group in Group.objects.all()}
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=user.pk, group_id=groups[role].pk)
            for user, (_, _, _, role) in zip(users, wanted, strict=True)
        ]
    )
    by_name = {user.username: user for user in users}
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(user=by_name[manager_username(n)], area=area)
            for n, area in enumerate(areas, start=1)
        ]
    )
    return by_name


def _populations(authority, areas, months, scale, rng) -> dict[tuple[int, int], int]:
    """Children aged 0-17 per area and calendar year; the authority's is their sum."""
    populations = {}
    for year in range(months[0].year, months[-1].year + 1):
        for area in areas:
            populations[(area.pk, year)] = round(6000 * scale[area.pk] * rng.uniform(0.98, 1.02))
        populations[(authority.pk, year)] = sum(populations[(a.pk, year)] for a in areas)
    Population.objects.bulk_create(
        [
            Population(area_id=area_id, year=year, children_0_17=children, source=SOURCE)
            for (area_id, year), children in populations.items()
        ]
    )
    return populations


@dataclass(frozen=True)
class Level:
    """A measure's typical figure: a share (ratio), a count per month for an area
    of scale 1, or a value."""

    typical: float
    spread: float


def _level(spec: MeasureSpec, rng) -> Level:
    kind = spec.kind
    if kind.entry == "ratio":
        return Level(rng.uniform(0.25, 0.9), rng.uniform(0.03, 0.08))
    if kind.unit == "rate_10k":
        return Level(rng.uniform(10, 60), 0.15)  # per 10,000 children a month
    if kind.entry == "count":
        return Level(rng.uniform(8, 60), 0.2)
    return Level(rng.uniform(15, 120), 0.1)


WORKFORCE_TYPICAL = {
    "sickness-rate": 4.0,
    "vacancy-rate": 14.0,
    "agency-rate": 10.0,
    "qsw-turnover": 12.0,
    "average-caseload": 18.0,
}


def _typical(spec: MeasureSpec, level: Level) -> float:
    """The figure a target is set near, as the measure shows it."""
    if spec.workforce:  # as `workforce.benchmark_data` makes the staffing figures
        return WORKFORCE_TYPICAL.get(spec.code, 12.0)
    if spec.kind.entry == "ratio":
        return level.typical * 100
    return level.typical


def _reference(measures, specs, levels, months, rng) -> dict[str, int]:
    """In-year targets each April, long-term targets, baselines and benchmarks."""
    targets, baselines, benchmarks = [], [], []
    years = sorted({aggregation.financial_year_start(m) for m in months})
    for index, (measure, spec) in enumerate(zip(measures, specs, strict=True)):
        typical = _typical(spec, levels[spec.code])
        places = spec.kind.decimal_places

        def near(figure, spread=0.05, places=places):
            return Decimal(str(round(figure * rng.uniform(1 - spread, 1 + spread), places)))

        if spec.kind.polarity != "none":
            targets += [
                Target(measure=measure, kind=Target.Kind.IN_YEAR, value=near(typical), starts=april)
                for april in years
            ]
            if index % 4 == 0:
                targets.append(
                    Target(
                        measure=measure,
                        kind=Target.Kind.LONG_TERM,
                        value=near(typical),
                        starts=months[0],
                        due=aggregation.add_months(LAST_MONTH, 24),
                        note="Synthetic long-term target",
                    )
                )
        baselines.append(
            Baseline(measure=measure, value=near(typical), date=months[0], label="Synthetic")
        )
        for comparator in Benchmark.Comparator.values:
            for april in years:
                benchmarks.append(
                    (measure.pk, comparator, periods.FINANCIAL_YEAR, april, near(typical, 0.15))
                )
                if index % 3 == 0:  # and by quarter, where a later quarter's figure stands
                    for quarter in range(1, 4):
                        starts = aggregation.add_months(april, 3 * quarter)
                        benchmarks.append(
                            (measure.pk, comparator, periods.QUARTER, starts, near(typical, 0.15))
                        )
    Target.objects.bulk_create(targets)
    Baseline.objects.bulk_create(baselines)
    copied = bulk.copy_rows(
        Benchmark._meta.db_table,
        ["measure_id", "comparator", "period_kind", "period_start", "value", "source"],
        ((*row, SOURCE) for row in benchmarks),
    )
    return {"targets": len(targets), "baselines": len(baselines), "benchmarks": copied}


def _at(month: date, days: int) -> datetime:
    """A time `days` after the end of the month, at 10:00 in London."""
    return datetime.combine(
        aggregation.add_months(month, 1) + timedelta(days=days), time(10), LONDON
    )


def _returns(authority, areas, months, users) -> list[tuple[int, int, date]]:
    """Every area's and the authority's approved return for each month: the area's
    submitted by its manager, the authority's by the second officer, each approved
    by the officer (four eyes). (id, area id, month) of each."""
    officer, second = users[OFFICER], users[SECOND_OFFICER]
    submitters = {authority.pk: second.pk}
    submitters.update({area.pk: users[manager_username(n)].pk for n, area in enumerate(areas, 1)})
    columns = [
        "area_id",
        "month",
        "status",
        "version",
        "cycle",
        "source",
        "submitted_by_id",
        "submitted_at",
        "approved_by_id",
        "approved_at",
        "reason",
        "updated_by_id",
        "updated_at",
    ]
    bulk.copy_rows(
        MonthlyReturn._meta.db_table,
        columns,
        (
            (area_id, month, APPROVED, 3, 2, SOURCE, submitter, _at(month, 7), officer.pk)
            + (_at(month, 9), "", officer.pk, _at(month, 9))
            for month in months
            for area_id, submitter in submitters.items()
        ),
    )
    return list(
        MonthlyReturn.objects.filter(source=SOURCE)
        .order_by("month", "area__order")
        .values_list("pk", "area_id", "month")
    )


def _figures(returns, measures, specs, levels, scale, populations, rng):
    """Each return's figures for the measures due that month at its level: a
    random walk around the measure's level for each area, now and then blank or
    not applicable. Workforce measures have no figures: the staffing has them."""
    due = [
        (measure, spec, levels[spec.code])
        for measure, spec in zip(measures, specs, strict=True)
        if not spec.workforce
    ]
    drift = {}
    for return_id, area_id, month in returns:
        is_authority = area_id not in scale
        for measure, spec, level in due:
            if (spec.level == "authority") != is_authority:
                continue
            if not periods.is_due(spec.kind.frequency, month):
                continue
            key = (measure.pk, area_id)
            drift[key] = max(-0.3, min(0.3, drift.get(key, 0.0) + rng.gauss(0, 0.03)))
            chance = rng.random()
            if chance < 0.002:
                yield (return_id, measure.pk, None, None, None, "Synthetic: not applicable", "")
                continue
            if chance < 0.006:
                yield (return_id, measure.pk, None, None, None, "", "")
                continue
            commentary = "Synthetic commentary." if chance > 0.98 else ""
            numerator, denominator, value = _figure(
                spec, level, scale.get(area_id, 1.0), drift[key], populations, area_id, month, rng
            )
            yield (return_id, measure.pk, numerator, denominator, value, "", commentary)


def _figure(spec, level, scale, drift, populations, area_id, month, rng):
    kind = spec.kind
    if kind.entry == "ratio":
        denominator = max(1, round(rng.gauss(40 * scale, 6)))
        share = min(1.0, max(0.0, level.typical + drift * 0.3 + rng.gauss(0, level.spread)))
        return Decimal(round(denominator * share)), Decimal(denominator), None
    if kind.unit == "rate_10k":
        children = populations[(area_id, month.year)]
        rate = level.typical * (1 + drift + rng.gauss(0, level.spread))
        return Decimal(max(0, round(rate * children / 10000))), None, None
    if kind.entry == "count":
        count = level.typical * scale * (1 + drift + rng.gauss(0, level.spread))
        return Decimal(max(0, round(count))), None, None
    value = level.typical * (1 + drift + rng.gauss(0, level.spread))
    return None, None, Decimal(str(round(max(0.0, value), kind.decimal_places)))
