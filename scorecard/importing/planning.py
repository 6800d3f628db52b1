"""Planning: what the file says compared with the database, as planned writes.

`plan_import(content, filename)` reads and parses the file and says what would
be created and changed, with old and new values as people read them, and the
errors and warnings (`findings` codes) per row. Writes nothing.

Ratings in a file are never imported: they are compared with the rating the
product computes (`rag.rate`) and every difference is reported.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from .. import figures, formatting, rag
from ..models import (
    Baseline,
    Benchmark,
    Measure,
    MonthlyReturn,
    ReturnContribution,
    ReturnValue,
    ServiceArea,
    Target,
)
from ..reports import comparators, region_name
from . import findings as codes
from .findings import ImportFinding
from .layout import (
    BASELINE,
    BENCHMARK,
    IN_YEAR,
    LONG_TERM,
    MONTHLY,
    CellValue,
    Fact,
    Parsed,
    _short,
    figure_text,
    normalise,
    number_text,
    parse,
)
from .reading import plain, read_rows

SUBJECTS = {
    MONTHLY: "Monthly figure",
    BASELINE: "Baseline",
    BENCHMARK: "Benchmark",
    IN_YEAR: "In-year target",
    LONG_TERM: "Long-term target",
}


@dataclass(frozen=True)
class PlannedWrite:
    """One row to create or change, with its old and new values as people read them."""

    action: str  # "create" | "change"
    kind: str  # MONTHLY ...
    measure: str  # title
    period: str  # 'January 2015', 'Stat. neighbours 2014', 'from April 2014'
    old: str
    new: str
    row: int
    key: tuple = field(compare=True, repr=False)  # (kind, measure id, *natural key)
    new_values: tuple = field(compare=True, repr=False)  # ((field, value), ...)

    @property
    def subject(self) -> str:
        return SUBJECTS[self.kind]


@dataclass(frozen=True)
class RagDifference:
    row: int
    measure: str
    in_file: str  # as written
    computed: str  # the product's word
    explanation: str


@dataclass
class RowReport:
    row: int | None
    writes: list[PlannedWrite]
    errors: list[str]
    warnings: list[str]


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    kind: str
    sections: list[str]
    writes: list[PlannedWrite] = field(default_factory=list)
    errors: list[ImportFinding] = field(default_factory=list)
    warnings: list[ImportFinding] = field(default_factory=list)
    rag_differences: list[RagDifference] = field(default_factory=list)
    parsed: Parsed | None = field(default=None, repr=False)

    @property
    def creates(self) -> list[PlannedWrite]:
        return [w for w in self.writes if w.action == "create"]

    @property
    def changes(self) -> list[PlannedWrite]:
        return [w for w in self.writes if w.action == "change"]

    @property
    def is_empty(self) -> bool:
        return not self.writes

    @property
    def can_apply(self) -> bool:
        return not self.errors and bool(self.writes)

    @property
    def fingerprint(self) -> str:
        """The same for the same writes from the same old values: confirm checks it."""
        return _fingerprint(self.writes)

    @property
    def months(self) -> list[date]:
        return sorted({w.key[2] for w in self.writes if w.kind == MONTHLY})

    @property
    def returns_written(self) -> set[tuple[int | None, date]]:
        """(service area id, month) of each return the plan writes into; None for the
        authority."""
        return {
            (w.key[3] if len(w.key) > 3 else None, w.key[2])
            for w in self.writes
            if w.kind == MONTHLY
        }

    def by_row(self) -> list[RowReport]:
        reports: dict[int | None, RowReport] = {}

        def report(row):
            return reports.setdefault(row, RowReport(row, [], [], []))

        for finding in self.errors:
            report(finding.row).errors.append(finding.message)
        for finding in self.warnings:
            report(finding.row).warnings.append(finding.message)
        for write in self.writes:
            report(write.row).writes.append(write)
        return sorted(reports.values(), key=lambda r: (r.row is not None, r.row or 0))

    def describe(self) -> list[str]:
        """The plan as lines of text (the management command prints them)."""
        lines = [
            f"{self.filename}: {self.kind}; found "
            + ("; ".join(self.sections) or "nothing to import")
            + "."
        ]
        lines.append(
            f"{len(self.creates)} to create, {len(self.changes)} to change, "
            f"{len(self.errors)} errors, {len(self.warnings)} warnings."
        )
        for write in self.writes:
            lines.append(
                f"  {write.action:<6} row {write.row:<4} {write.measure}: "
                f"{write.subject} {write.period}: {write.old} -> {write.new}"
            )
        for finding in self.errors:
            lines.append(f"  ERROR   {finding.message}")
        for finding in self.warnings:
            lines.append(f"  warning {finding.message}")
        return lines


def _canonical(value) -> str:
    """35, 35.0 and 35.0000 are one value: a fingerprint must not tell them apart."""
    return plain(value) if isinstance(value, Decimal) else repr(value)


def _fingerprint(writes) -> str:
    payload = [
        [repr(w.key), w.old, w.new, [(name, _canonical(v)) for name, v in w.new_values]]
        for w in writes
    ]
    return hashlib.sha256(json.dumps(sorted(payload)).encode()).hexdigest()


def plan_import(content: bytes, filename: str) -> ImportPlan:
    """What importing the file would create and change. Writes nothing.
    Raises FileRefused when the file cannot be read at all."""
    rows = read_rows(content, filename)
    parsed = parse(rows, Measure.objects.all(), region=region_name())
    plan = ImportPlan(
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        kind=rows.kind,
        sections=parsed.sections,
        parsed=parsed,
    )
    compare(plan, parsed)
    return plan


def _merge_facts(parsed: Parsed) -> dict[tuple, Fact]:
    """One fact per target row; the same figure stated twice is fine, two differing are not."""
    merged = {}
    for fact in parsed.facts:
        key = (fact.kind, fact.measure_id, *fact.key)
        other = merged.get(key)
        if other is None:
            merged[key] = fact
        elif not other.figure.same_as(fact.figure) or other.due != fact.due:
            parsed.error(
                codes.CONFLICTING_FIGURES,
                fact.row,
                (
                    f"{fact.where} says {figure_text(fact.figure)} but {other.where} says "
                    f"{figure_text(other.figure)} for the same figure."
                ),
            )
    return merged


def compare(plan: ImportPlan, parsed: Parsed) -> None:
    measures = {m.pk: m for m in Measure.objects.prefetch_related("reporting_areas")}
    facts = _merge_facts(parsed)
    writes = []
    writes += _plan_monthly(facts, measures, plan.filename, parsed)
    writes += _plan_reference(facts, measures)
    _check_baseline_claims(parsed, measures)
    plan.rag_differences = _rag_differences(parsed, measures)
    order = list(SUBJECTS)
    plan.writes = sorted(writes, key=lambda w: (w.row, order.index(w.kind), repr(w.key)))
    plan.errors = list(parsed.errors)
    plan.warnings = list(parsed.warnings)


def _plan_monthly(facts, measures, filename, parsed) -> list[PlannedWrite]:
    monthly = [f for key, f in facts.items() if key[0] == MONTHLY]
    if not monthly:
        return []
    authority = ServiceArea.objects.authority()
    if authority is None:
        parsed.error(
            codes.NO_AUTHORITY,
            None,
            (
                "There is no authority-wide service area to import figures into: create it first "
                "(the service area with no parent)."
            ),
        )
        return []
    area_of = _areas_named(monthly, authority, parsed)
    monthly = [f for f in monthly if f in area_of]
    months = {f.key[0] for f in monthly}
    returns = {
        (r.area_id, r.month): r
        for r in MonthlyReturn.objects.filter(
            area__in={a.pk for a in area_of.values()}, month__in=months
        )
    }
    values = {
        (v.monthly_return.area_id, v.monthly_return.month, v.measure_id): v
        for v in ReturnValue.objects.filter(monthly_return__in=returns.values()).select_related(
            "monthly_return"
        )
    }
    # Where service areas' approved returns carry the measure, the scorecard pools
    # theirs rather than showing the authority's own figure.
    area_figures = set(
        ReturnValue.objects.filter(
            monthly_return__month__in=months,
            monthly_return__area__parent__isnull=False,
            monthly_return__status=MonthlyReturn.Status.APPROVED,
        )
        .filter(
            Q(value__isnull=False)
            | Q(numerator__isnull=False)
            | Q(denominator__isnull=False)
            | ~Q(not_applicable_reason="")
        )
        .values_list("monthly_return__month", "measure_id")
    )
    refused, filled, pooled = set(), set(), defaultdict(list)
    writes = []
    for fact in sorted(monthly, key=lambda f: (f.key[0], f.row)):
        month, area = fact.key[0], area_of[fact]
        whose = "the authority's" if area.is_authority else f"{area.name}'s"
        measure = measures[fact.measure_id]
        existing_return = returns.get((area.pk, month))
        if existing_return and existing_return.status != MonthlyReturn.Status.APPROVED:
            if (area.pk, month) in filled:
                pass
            elif (area.pk, month) not in refused and is_untouched(existing_return):
                filled.add((area.pk, month))
                parsed.warn(
                    codes.OPEN_RETURN_FILLED,
                    fact.row,
                    (
                        f"{fact.where}: {whose} return for {month:%B %Y} was opened "
                        "but holds no figures yet: the imported figures fill it, and it is "
                        "approved with the import."
                    ),
                )
            else:
                if (area.pk, month) not in refused:
                    refused.add((area.pk, month))
                    parsed.error(
                        codes.RETURN_NOT_APPROVED,
                        fact.row,
                        (
                            f"{fact.where}: {whose} return for {month:%B %Y} is "
                            f"{existing_return.get_status_display().lower()}, not approved, and "
                            "holds figures. Figures for that month can be imported only into an "
                            "approved return, one opened with no figures yet, or when there is "
                            "none: approve it (or empty it) first."
                        ),
                    )
                continue
        if not area.is_authority and not _reported_by(measure, area):
            if (area.pk, measure.pk) not in refused:
                refused.add((area.pk, measure.pk))
                parsed.error(
                    codes.NOT_REPORTED_BY_AREA,
                    fact.row,
                    (
                        f"Row {fact.row}: {area.name} does not report {measure.title} (it is "
                        + (
                            "measured for the whole authority"
                            if measure.level != Measure.Level.AREA
                            else "reported by other service areas"
                        )
                        + "), so the scorecard would never show these figures. Leave the row "
                        "out, or change the measure's reporting areas first."
                    ),
                )
            continue
        if area.is_authority and (month, measure.pk) in area_figures:
            pooled[month].append(measure.title)
        value = values.get((area.pk, month, fact.measure_id))
        if value is not None and (value.numerator is not None or value.denominator is not None):
            entered = figures.comparable(
                measure, figures.Figure(value.numerator, value.denominator, value.value)
            )
            shown = rag.round_to(entered, measure.decimal_places)
            if fact.figure.not_applicable or shown != rag.round_to(
                fact.figure.value, measure.decimal_places
            ):
                parsed.error(
                    codes.ENTERED_AS_COUNTS,
                    fact.row,
                    (
                        f"{fact.where}: {measure.title} for {month:%B %Y}"
                        + ("" if area.is_authority else f" ({area.name})")
                        + f" was entered as counts ({number_text(value.numerator)} of "
                        f"{number_text(value.denominator)}), giving {number_text(shown)}; the "
                        f"file says {figure_text(fact.figure, measure)}. Change the counts in the "
                        "return instead."
                    ),
                )
            continue
        old = CellValue(value.value, bool(value.not_applicable_reason)) if value else None
        if old is not None and old.same_as(fact.figure):
            continue
        reason = (f"n/a in {filename}"[:200]) if fact.figure.not_applicable else ""
        writes.append(
            PlannedWrite(
                action="change" if value is not None else "create",
                kind=MONTHLY,
                measure=measure.title,
                period=f"{month:%B %Y}" + ("" if area.is_authority else f" ({area.name})"),
                old=figure_text(old, measure),
                new=figure_text(fact.figure, measure),
                row=fact.row,
                # The authority's key keeps its old shape: previews already kept match.
                key=(MONTHLY, measure.pk, month)
                if area.is_authority
                else (MONTHLY, measure.pk, month, area.pk),
                new_values=(("value", fact.figure.value), ("not_applicable_reason", reason)),
            )
        )
    for month, titles in sorted(pooled.items()):
        parsed.warn(
            codes.POOLED_BY_AREAS,
            None,
            (
                f"{month:%B %Y}: service areas' approved returns give figures for "
                + ", ".join(sorted(set(titles)))
                + "; the scorecard pools those, so the imported "
                "authority figures will not show while they do."
            ),
        )
    return writes


def _reported_by(measure: Measure, area: ServiceArea) -> bool:
    """As the engine reads it: an area-level measure, by its reporting areas or, when
    it lists none, by every area."""
    if measure.level != Measure.Level.AREA:
        return False
    reporting = {a.pk for a in measure.reporting_areas.all()}
    return not reporting or area.pk in reporting


AUTHORITY_WORDS = {"", "authority", "all", "all areas", "total", "whole authority", "la"}


def _areas_named(monthly: list[Fact], authority: ServiceArea, parsed) -> dict:
    """Each monthly fact's service area: the authority unless an area column names
    another, matched by name or slug ignoring case and punctuation; a name that
    matches none is an error naming its row."""
    names = {}
    for area in ServiceArea.objects.filter(active=True):
        names.setdefault(normalise(area.name), area)
        names.setdefault(normalise(area.slug), area)
    names.update({normalise(word): authority for word in AUTHORITY_WORDS})
    examples = ", ".join(sorted(a.name for a in set(names.values()) if not a.is_authority)[:3])
    found, reported = {}, set()
    for fact in monthly:
        area = names.get(normalise(fact.area))
        if area is not None:
            found[fact] = area
        elif fact.row not in reported:
            reported.add(fact.row)
            parsed.error(
                codes.UNKNOWN_AREA,
                fact.row,
                (
                    f"Row {fact.row}: '{fact.area}' is not a service area this product knows. "
                    f"Write the area's name as it is in the product (e.g. {examples}), "
                    "or leave the cell blank for the whole authority. Nothing is imported "
                    "until then."
                ),
            )
    return found


def is_untouched(monthly_return: MonthlyReturn) -> bool:
    """A draft return opened for the month that nobody has worked on: no figure, no
    n/a and no commentary in it, and nobody has shaped it in this round (staffing
    figures included). An import may fill it; any other unapproved return is
    someone's work in progress, which the workflow owns."""
    if monthly_return.status != MonthlyReturn.Status.DRAFT:
        return False
    worked_on = (
        ReturnValue.objects.filter(monthly_return=monthly_return)
        .filter(
            Q(value__isnull=False)
            | Q(numerator__isnull=False)
            | Q(denominator__isnull=False)
            | ~Q(not_applicable_reason="")
            | ~Q(commentary="")
        )
        .exists()
    )
    return (
        not worked_on
        and not ReturnContribution.objects.filter(
            monthly_return=monthly_return, cycle=monthly_return.cycle
        ).exists()
    )


def _plan_reference(facts, measures) -> list[PlannedWrite]:
    """Baselines, benchmarks and targets."""
    ids = {f.measure_id for f in facts.values()}
    baselines = {(b.measure_id, b.date): b for b in Baseline.objects.filter(measure_id__in=ids)}
    benchmarks = {  # a bare year is the calendar year (`periods.calendar_year`)
        (b.measure_id, b.comparator, b.period_start.year): b
        for b in Benchmark.objects.filter(
            measure_id__in=ids, period_kind=Benchmark.PeriodKind.CALENDAR_YEAR
        )
    }
    labels = dict(comparators())  # as the scorecard heads them
    targets = defaultdict(list)
    for target in Target.objects.filter(measure_id__in=ids).order_by("starts"):
        targets[(target.measure_id, target.kind)].append(target)
    writes = []
    for key, fact in facts.items():
        kind, measure = key[0], measures[fact.measure_id]
        new = fact.figure.value
        places = measure.decimal_places
        if kind == BASELINE:
            (when,) = fact.key
            old = baselines.get((measure.pk, when))
            if old is None or old.value != new:
                writes.append(
                    PlannedWrite(
                        "change" if old else "create",
                        BASELINE,
                        measure.title,
                        f"{when:%B %Y}",
                        number_text(old.value if old else None, places),
                        number_text(new, places),
                        fact.row,
                        (BASELINE, measure.pk, when),
                        (("value", new), ("label", fact.label[:120])),
                    )
                )
        elif kind == BENCHMARK:
            comparator, year = fact.key
            old = benchmarks.get((measure.pk, comparator, year))
            label = f"{labels[comparator]} {year}"
            if old is None or old.value != new:
                writes.append(
                    PlannedWrite(
                        "change" if old else "create",
                        BENCHMARK,
                        measure.title,
                        label,
                        number_text(old.value if old else None, places),
                        number_text(new, places),
                        fact.row,
                        (BENCHMARK, measure.pk, comparator, year),
                        (("value", new),),
                    )
                )
        elif kind in (IN_YEAR, LONG_TERM):
            (first,) = fact.key
            in_force = None
            for target in targets[(measure.pk, kind)]:
                if target.starts <= (fact.current_month or first):
                    in_force = target
            if in_force and in_force.value == new and in_force.due == fact.due:
                continue
            writes.append(_target_write(kind, measure, fact, in_force, first))
    return writes


def _target_text(value, due, places) -> str:
    if value is None:
        return "–"
    return number_text(value, places) + (f" by {due:%b %Y}" if due else "")


def _target_write(kind, measure, fact, in_force, first) -> PlannedWrite:
    """Change the target in force when it was set within the table's year; otherwise
    a new target from the table's first month."""
    places = measure.decimal_places
    old_text = _target_text(in_force.value, in_force.due, places) if in_force else "–"
    new_text = _target_text(fact.figure.value, fact.due, places)
    if in_force is not None and in_force.starts >= first:
        starts, action = in_force.starts, "change"
    else:
        starts, action = first, "create"
    return PlannedWrite(
        action,
        kind,
        measure.title,
        f"from {starts:%B %Y}",
        old_text,
        new_text,
        fact.row,
        (kind, measure.pk, starts),
        (("value", fact.figure.value), ("due", fact.due)),
    )


def _check_baseline_claims(parsed, measures) -> None:
    for claim in parsed.baseline_claims:
        measure = measures[claim.measure_id]
        stored = Baseline.objects.filter(measure_id=claim.measure_id).order_by("-date").first()
        if stored is None:
            parsed.warn(
                codes.UNDATED_BASELINE,
                claim.row,
                (
                    f"Row {claim.row} '{_short(measure.title)}': the baseline "
                    f"{number_text(claim.value)} is not imported: the file does not say its "
                    "date. Add it under Baselines."
                ),
            )
        elif rag.round_to(stored.value, 0) != rag.round_to(claim.value, 0):
            parsed.warn(
                codes.UNDATED_BASELINE_DIFFERS,
                claim.row,
                (
                    f"Row {claim.row} '{_short(measure.title)}': the baseline "
                    f"{number_text(claim.value)} differs from the stored {stored.label} "
                    f"({number_text(stored.value)}); it is not imported because the file does "
                    "not say its date."
                ),
            )


def _rag_differences(parsed, measures) -> list[RagDifference]:
    differences = []
    for claim in parsed.rag_claims:
        measure = measures[claim.measure_id]
        target = claim.target
        if target is None and claim.month is not None:
            in_force = (
                Target.objects.filter(
                    measure=measure, kind=Target.Kind.IN_YEAR, starts__lte=claim.month
                )
                .order_by("-starts")
                .first()
            )
            target = in_force.value if in_force else None
        outturn = rag.round_to(claim.outturn.value, measure.decimal_places)
        computed = rag.rate(
            outturn,
            target,
            measure.polarity,
            measure.tolerance,
            measure.tolerance_kind,
            measure.green_band,
        )
        if computed == claim.word:
            continue
        polarity = measure.get_polarity_display().lower()
        tolerance = (
            f"{number_text(measure.tolerance)} points"
            if measure.tolerance_kind == Measure.Tolerance.POINTS
            else f"{number_text(measure.tolerance)}% of the target"
        )
        explanation = (
            f"{figure_text(claim.outturn, measure)} against a target of "
            f"{number_text(target, measure.decimal_places)}; {polarity}; tolerance "
            f"{tolerance}"
        )
        difference = RagDifference(
            claim.row, measure.title, claim.text, formatting.RATING_WORDS[computed], explanation
        )
        differences.append(difference)
        parsed.warn(
            codes.RAG_DIFFERS,
            claim.row,
            (
                f"Row {claim.row} '{_short(measure.title)}': the file's RAG is {claim.text}, the "
                f"product rates it {difference.computed} ({explanation}). The file's rating is not "
                "imported: the scorecard shows the product's."
            ),
        )
    return differences
