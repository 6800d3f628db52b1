"""From the lists' counts to the returns: what the preview shows (per month,
area and measure, the computed figures beside what is stored now) and what
confirming writes (drafts only, through `scorecard.services.prefill_return`).

Between the preview and the confirmation only the plan waits (`Plan.kept()`:
counts, area ids, measure codes and the file's SHA-256), never the workbook.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from scorecard import opening, periods, services, workflow
from scorecard.models import Measure, MonthlyReturn, ReturnValue, ServiceArea

from . import derivations, quality, reading
from .models import Provenance, ReturnFindings, TeamMapping

FILL, SAME, LEFT, POOLED, NOT_REPORTED = "fill", "same", "left", "pooled", "not reported"
ACTION = "fill from Annex A"


@dataclass
class Line:
    month: date
    area_id: int
    area: str
    measure_id: int
    code: str
    title: str
    is_ratio: bool
    numerator: int
    denominator: int | None
    stored: tuple = (None, None, None)  # numerator, denominator, value now
    status: str = ""  # the return's, '' when there is none yet
    action: str = FILL

    @property
    def computed_text(self) -> str:
        return f"{self.numerator} of {self.denominator}" if self.is_ratio else f"{self.numerator}"

    @property
    def stored_text(self) -> str:
        numerator, denominator, value = self.stored
        if numerator is None and value is None:
            return ""
        if value is not None and numerator is None:
            return f"{value.normalize():f}"
        if self.is_ratio:
            return (
                f"{numerator:f} of {denominator:f}" if denominator is not None else f"{numerator:f}"
            )
        return f"{numerator:f}"


@dataclass
class Plan:
    sha256: str
    extracted_on: date
    months: list[date]
    lines: list[Line] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # measure title -> why
    not_adopted: list[str] = field(default_factory=list)  # library codes
    unmapped: list[tuple[str, int]] = field(default_factory=list)  # team as written, rows
    findings: dict[int, list[quality.Finding]] = field(default_factory=dict)  # area id
    file_notes: list[str] = field(default_factory=list)
    area_names: dict[int, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return source_text(self.extracted_on, self.sha256)

    @property
    def to_fill(self) -> list[Line]:
        return [line for line in self.lines if line.action == FILL]

    def by_month(self):
        """[(month, [(area name, [lines])])] for the preview."""
        months = []
        for month in self.months:
            areas = defaultdict(list)
            for line in self.lines:
                if line.month == month:
                    areas[line.area].append(line)
            if areas:
                months.append((month, list(areas.items())))
        return months

    def findings_by_area(self):
        return [
            (self.area_names.get(area_id, ""), items)
            for area_id, items in self.findings.items()
            if items
        ]

    def kept(self) -> dict:
        """What waits for the confirmation: counts only (JSON for the session)."""
        return {
            "sha256": self.sha256,
            "extracted_on": self.extracted_on.isoformat(),
            "months": [m.isoformat() for m in self.months],
            "lines": [
                [
                    line.month.isoformat(),
                    line.area_id,
                    line.measure_id,
                    line.numerator,
                    line.denominator,
                    [None if f is None else str(f) for f in line.stored],
                ]
                for line in self.to_fill
            ],
            "findings": {
                str(area_id): [[f.code, f.count] for f in items]
                for area_id, items in self.findings.items()
            },
        }


def source_text(extracted_on: date, sha256: str) -> str:
    return f"Annex A, extracted {extracted_on:%Y-%m-%d}, file SHA-256 {sha256}"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def plan(content: bytes, extracted_on: date) -> Plan:
    """Read the workbook (in memory), count, and compare with what is stored.
    `reading.WorkbookRefused` for a file that is not a workbook."""
    workbook = reading.read_workbook(content)
    return plan_counts(
        derivations.count(workbook, extracted_on),
        quality.findings(workbook, extracted_on),
        sha256=sha256_of(content),
        extracted_on=extracted_on,
        notes=workbook.notes + quality.unreadable(workbook),
        lists_found=set(workbook.lists),
    )


def plan_counts(counts, findings, *, sha256, extracted_on, notes=(), lists_found=()) -> Plan:
    result = Plan(sha256, extracted_on, counts.months, file_notes=list(notes))
    authority = ServiceArea.objects.authority()
    areas = list(ServiceArea.objects.filter(active=True, parent__isnull=False))
    result.area_names = {area.pk: area.name for area in areas}
    if authority is not None:
        result.area_names[authority.pk] = authority.name
    mapping = {m.key: m.area_id for m in TeamMapping.objects.all()}
    for label, rows in sorted(counts.teams.items()):
        if reading.normalised(label) not in mapping:
            result.unmapped.append((label or "(no allocated team)", rows))

    codes = [d.measure for d in derivations.derivations()]
    measures = {
        m.code: m
        for m in Measure.objects.filter(code__in=codes, active=True).prefetch_related(
            "reporting_areas"
        )
    }
    result.not_adopted = [code for code in codes if code not in measures]
    for code, why in counts.unavailable.items():
        if code in measures:
            result.unavailable[measures[code].title] = why
    keys_of = defaultdict(set)  # area id -> team keys in the lists
    for key, area_id in mapping.items():
        keys_of[area_id].add(key)

    lines = []
    for derivation in derivations.derivations():
        measure = measures.get(derivation.measure)
        if measure is None or derivation.measure in counts.unavailable:
            continue
        reporting = {area.pk for area in measure.reporting_areas.all()}
        for month in counts.months:
            if not periods.is_due(measure.frequency, month):
                continue
            everyone = counts.figures.get((measure.code, derivations.AUTHORITY, month))
            if everyone is None:
                continue  # as at the extract: its month only
            targets = []
            if measure.level == Measure.Level.AUTHORITY:
                if authority is not None:
                    targets.append((authority, everyone, FILL))
            else:
                for area in areas:
                    if not keys_of[area.pk]:
                        continue  # no team of the lists is this area's: not its figures
                    numerator, denominator = 0, 0
                    for key in keys_of[area.pk]:
                        n, dn = counts.figures.get((measure.code, key, month), (0, 0))
                        numerator += n
                        denominator += dn or 0
                    figures = (numerator, denominator if derivation.is_ratio else None)
                    action = FILL if not reporting or area.pk in reporting else NOT_REPORTED
                    targets.append((area, figures, action))
                if authority is not None:
                    targets.append((authority, everyone, POOLED))
            for area, (numerator, denominator), action in targets:
                lines.append(
                    Line(
                        month,
                        area.pk,
                        area.name,
                        measure.pk,
                        measure.code,
                        measure.title,
                        derivation.is_ratio,
                        numerator,
                        denominator,
                        action=action,
                    )
                )
    _compare(lines)
    result.lines = lines
    last = counts.months[-1] if counts.months else None
    for area in areas:
        merged = defaultdict(int)
        for key in keys_of[area.pk]:
            for finding in findings.get(key, []):
                merged[finding.code] += finding.count
        result.findings[area.pk] = [quality.Finding(c, n) for c, n in sorted(merged.items())]
    if authority is not None:
        result.findings[authority.pk] = findings.get(derivations.AUTHORITY, [])
    if last is None:
        result.findings = {}
    return result


def _compare(lines: list[Line]) -> None:
    """Set what is stored now beside each line, and whether it would be written."""
    if not lines:
        return
    returns = {
        (r.area_id, r.month): r
        for r in MonthlyReturn.objects.filter(
            area_id__in={line.area_id for line in lines}, month__in={line.month for line in lines}
        )
    }
    stored = {
        (v.monthly_return_id, v.measure_id): v
        for v in ReturnValue.objects.filter(
            monthly_return__in=list(returns.values()),
            measure_id__in={line.measure_id for line in lines},
        )
    }
    for line in lines:
        monthly_return = returns.get((line.area_id, line.month))
        if monthly_return is None:
            continue
        line.status = monthly_return.get_status_display()
        value = stored.get((monthly_return.pk, line.measure_id))
        if value is not None:
            line.stored = (value.numerator, value.denominator, value.value)
        if line.action != FILL:
            continue
        if monthly_return.status not in workflow.EDITABLE:
            line.action = LEFT
        elif line.stored == _as_stored(line.numerator, line.denominator):
            line.action = SAME


def _as_stored(numerator, denominator) -> tuple:
    return (
        Decimal(numerator),
        None if denominator is None else Decimal(denominator),
        None,
    )


# --- confirming ----------------------------------------------------------------


class Refused(Exception):
    """Nothing was written; the message says why."""


@dataclass
class Applied:
    values: int
    returns: int
    left: list[str]


def apply(kept: dict, user) -> Applied:
    """Write a previewed plan (`Plan.kept()`) into the months' returns as drafts,
    all or nothing, if nothing it would change has changed since the preview."""
    extracted_on = date.fromisoformat(kept["extracted_on"])
    source = source_text(extracted_on, kept["sha256"])
    months = [date.fromisoformat(m) for m in kept["months"]]
    wanted = defaultdict(dict)  # (area id, month) -> {measure id: (n, d)}
    previewed = {}
    for month, area_id, measure_id, numerator, denominator, stored in kept["lines"]:
        key = (area_id, date.fromisoformat(month))
        wanted[key][measure_id] = (
            Decimal(numerator),
            None if denominator is None else Decimal(denominator),
        )
        previewed[(*key, measure_id)] = tuple(None if s is None else Decimal(s) for s in stored)
    findings = {int(area_id): items for area_id, items in kept["findings"].items()}
    now = timezone.now()
    with transaction.atomic():
        for month in sorted({month for _, month in wanted} | set(months[-1:])):
            opening.open_returns(month)
        returns = {
            (r.area_id, r.month): r
            for r in MonthlyReturn.objects.select_for_update()
            .filter(
                area_id__in={a for a, _ in wanted} | set(findings),
                month__in={m for _, m in wanted} | set(months[-1:]),
            )
            .select_related("area")
        }
        for value in ReturnValue.objects.filter(monthly_return__in=list(returns.values())):
            key = (value.monthly_return.area_id, value.monthly_return.month, value.measure_id)
            if key in previewed and previewed[key] != (
                value.numerator,
                value.denominator,
                value.value,
            ):
                raise Refused(
                    "Figures in the returns changed after the preview was made: nothing has "
                    "been filled. Upload the workbook again to see what it would change now."
                )
        written, touched, left = 0, 0, []
        for key, figures in sorted(wanted.items(), key=lambda item: (item[0][1], item[0][0])):
            monthly_return = returns.get(key)
            if monthly_return is None:
                continue
            try:
                changed = services.prefill_return(
                    user=user,
                    monthly_return=monthly_return,
                    figures=figures,
                    action=ACTION,
                    source=source,
                )
            except services.Refused as refusal:
                left.append(str(refusal))
                continue
            written += len(changed)
            touched += 1
            for value in ReturnValue.objects.filter(
                monthly_return=monthly_return, measure_id__in=list(figures)
            ):
                Provenance.objects.update_or_create(
                    value=value,
                    defaults={
                        "extracted_on": extracted_on,
                        "sha256": kept["sha256"],
                        "filled_by": user,
                        "filled_at": now,
                    },
                )
        if months:
            for area_id, items in findings.items():
                monthly_return = returns.get((area_id, months[-1]))
                if monthly_return is None or monthly_return.status not in workflow.EDITABLE:
                    continue
                ReturnFindings.objects.update_or_create(
                    monthly_return=monthly_return,
                    defaults={
                        "extracted_on": extracted_on,
                        "sha256": kept["sha256"],
                        "findings": items,
                    },
                )
    return Applied(written, touched, left)
