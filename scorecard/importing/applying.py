"""Applying: a plan written in one transaction, all or nothing.

`apply_plan(plan=..., user=...)` re-plans under a lock, refuses (raises
`ImportRefused`, with a code from `findings`) if anything changed since the
preview, writes, audits the writes with the file's name and the importer, and
queues a recalculation after commit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from .. import audit, engine, recalculation
from ..models import Baseline, Benchmark, MonthlyReturn, ReturnValue, ServiceArea, Target
from . import findings as codes
from .findings import Refusal
from .layout import BASELINE, BENCHMARK, IN_YEAR, LONG_TERM, MONTHLY, Parsed
from .planning import ImportPlan, compare, is_untouched

logger = logging.getLogger(__name__)

IMPORT_LOCK_KEY = 4_815_162_343  # serialises imports (the engine uses ...342)


class ImportRefused(Refusal):
    """The plan cannot be applied (errors, or the data changed since the preview)."""


@dataclass
class ImportResult:
    created: int
    changed: int
    months: list[date]


def apply_plan(*, plan: ImportPlan, user) -> ImportResult:
    """Write the plan in one transaction, audited with the file's name and the
    importer; queue a recalculation after commit. Re-plans under a lock first and
    refuses if anything changed since the plan was made."""
    if plan.errors:
        raise ImportRefused(
            codes.PLAN_HAS_ERRORS,
            "The file has errors: nothing has been imported. Fix them and upload it again.",
        )
    if plan.parsed is None:
        raise ImportRefused(codes.NOTHING_TO_APPLY, "The plan has no figures to apply.")
    with transaction.atomic(), audit.context(user=user, action="import", source=plan.filename):
        engine.advisory_lock(IMPORT_LOCK_KEY)
        fresh = Parsed(facts=list(plan.parsed.facts), rag_claims=[], baseline_claims=[])
        check = ImportPlan(plan.filename, plan.sha256, plan.kind, plan.sections)
        compare(check, fresh)
        if check.errors or check.fingerprint != plan.fingerprint:
            raise ImportRefused(
                codes.CHANGED_SINCE_PREVIEW,
                (
                    "The stored figures changed after the preview was made: nothing has been "
                    "imported. Upload the file again to see what it would change now."
                ),
            )
        if not plan.writes:
            return ImportResult(0, 0, [])
        _write(plan, user)
        recalculation.request("import")
    logger.info(
        "Imported %s for %s: %s created, %s changed",
        plan.filename,
        user,
        len(plan.creates),
        len(plan.changes),
    )
    return ImportResult(len(plan.creates), len(plan.changes), plan.months)


def _write(plan: ImportPlan, user) -> None:
    now = timezone.now()
    by_kind = defaultdict(list)
    for write in plan.writes:
        by_kind[write.kind].append(write)

    if by_kind[MONTHLY]:
        authority = ServiceArea.objects.authority()

        def area_month(write):
            _, _, month, *area = write.key
            return (area[0] if area else authority.pk), month

        wanted = {area_month(w) for w in by_kind[MONTHLY]}
        returns = {
            (r.area_id, r.month): r
            for r in MonthlyReturn.objects.select_for_update()
            .filter(area__in={a for a, _ in wanted}, month__in={m for _, m in wanted})
            .select_related("area")
        }
        names = dict(
            ServiceArea.objects.filter(pk__in={a for a, _ in wanted}).values_list("pk", "name")
        )
        for area_id, month in sorted(wanted, key=lambda pair: (pair[1], pair[0])):
            whose = "the authority's" if area_id == authority.pk else f"{names[area_id]}'s"
            monthly_return = returns.get((area_id, month))
            if monthly_return is None:
                returns[(area_id, month)] = MonthlyReturn.objects.create(
                    area_id=area_id,
                    month=month,
                    status=MonthlyReturn.Status.APPROVED,
                    source=plan.filename[:200],
                    approved_by=user,
                    approved_at=now,
                    updated_by=user,
                )
                continue
            if monthly_return.status != MonthlyReturn.Status.APPROVED and is_untouched(
                monthly_return
            ):
                # Opened for the month and still empty: the import fills it and, being
                # the import's approval (four eyes through the change set), approves it.
                monthly_return.status = MonthlyReturn.Status.APPROVED
                monthly_return.cycle += 1
            elif monthly_return.status != MonthlyReturn.Status.APPROVED:
                # Checked under the row lock: an open return is someone's work in progress
                # (or was reopened since the preview); the workflow owns it.
                raise ImportRefused(
                    codes.RETURN_NOT_APPROVED,
                    f"{whose.capitalize()} return for {month:%B %Y} is "
                    f"{monthly_return.get_status_display().lower()}: nothing has been "
                    "imported. Finish it through its own page, or leave that month out of "
                    "the file.",
                )
            if monthly_return.submitted_by_id == user.pk:
                raise ImportRefused(
                    codes.OWN_SUBMISSION,
                    (
                        f"You submitted {whose} return for {month:%B %Y}: another "
                        "performance officer must import figures into it."
                    ),
                )
            monthly_return.source = plan.filename[:200]
            monthly_return.approved_by, monthly_return.approved_at = user, now
            monthly_return.updated_by = user
            monthly_return.version += 1
            monthly_return.save(
                update_fields=[
                    "status",
                    "cycle",
                    "source",
                    "approved_by",
                    "approved_at",
                    "updated_by",
                    "version",
                    "updated_at",
                ]
            )
        values = {
            (v.monthly_return.area_id, v.monthly_return.month, v.measure_id): v
            for v in ReturnValue.objects.filter(monthly_return__in=returns.values()).select_related(
                "monthly_return"
            )
        }
        created, changed = [], []
        for write in by_kind[MONTHLY]:
            measure_id = write.key[1]
            area_id, month = area_month(write)
            fields = dict(write.new_values)
            value = values.get((area_id, month, measure_id))
            if value is None:
                created.append(
                    ReturnValue(
                        monthly_return=returns[(area_id, month)], measure_id=measure_id, **fields
                    )
                )
            else:
                for name, new in fields.items():
                    setattr(value, name, new)
                changed.append(value)
        ReturnValue.objects.bulk_create(created)
        ReturnValue.objects.bulk_update(changed, ["value", "not_applicable_reason"])

    for write in by_kind[BASELINE]:
        _, measure_id, when = write.key
        fields = dict(write.new_values)
        baseline = Baseline.objects.filter(measure_id=measure_id, date=when).first()
        if baseline is None:
            Baseline.objects.create(measure_id=measure_id, date=when, **fields)
        else:  # the label people gave it stays
            baseline.value = fields["value"]
            baseline.save(update_fields=["value"])
    for write in by_kind[BENCHMARK]:
        _, measure_id, comparator, year = write.key
        Benchmark.objects.update_or_create(
            measure_id=measure_id,
            comparator=comparator,
            period_kind=Benchmark.PeriodKind.CALENDAR_YEAR,  # a bare year: the calendar year
            period_start=date(year, 1, 1),
            defaults={"value": dict(write.new_values)["value"]},
            create_defaults={
                "value": dict(write.new_values)["value"],
                "source": plan.filename[:200],
            },
        )
    for kind in (IN_YEAR, LONG_TERM):
        for write in by_kind[kind]:
            _, measure_id, starts = write.key
            fields = dict(write.new_values)
            Target.objects.update_or_create(
                measure_id=measure_id,
                kind=kind,
                starts=starts,
                defaults={"value": fields["value"], "due": fields["due"]},
            )
