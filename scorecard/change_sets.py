"""Imports are maker-checker too: an import that writes monthly figures waits,
as a change set, for a second performance officer, who sees the same old → new
table and approves it (then it is written, in one transaction, audited with
both names) or rejects it with a reason. The importer never approves its own
change. Where the installation allows it (`IMPORT_ONE_STEP_INTO_NEW_MONTHS`), an
import into months with no return yet may stay one step."""

from contextlib import nullcontext

import pghistory
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import audit, importing
from .models import ImportChangeSet, MonthlyReturn
from .services import Refused
from .text import is_blank, tidy


def needs_second_officer(plan) -> bool:
    """Whether confirming this plan must wait for another officer."""
    written = plan.returns_written
    if not written:
        return False  # reference data only (targets, benchmarks, baselines)
    if not settings.IMPORT_ONE_STEP_INTO_NEW_MONTHS:
        return True
    existing = Q()
    for area_id, month in written:
        area = Q(area__parent__isnull=True) if area_id is None else Q(area_id=area_id)
        existing |= area & Q(month=month)
    return MonthlyReturn.objects.filter(existing).exists()


def propose(*, user, plan, content: bytes) -> ImportChangeSet:
    """Keep the file and its preview for a second officer; writes no figure."""
    return ImportChangeSet.objects.create(
        filename=plan.filename[:255],
        sha256=plan.sha256,
        content=content,
        fingerprint=plan.fingerprint,
        proposed_by=user,
        proposed_at=timezone.now(),
        preview=[
            {
                "row": w.row,
                "measure": w.measure,
                "what": f"{w.subject}, {w.period}",
                "old": w.old,
                "new": w.new,
                "action": w.action,
            }
            for w in plan.writes
        ],
    )


def _locked_pending(change_set: ImportChangeSet) -> ImportChangeSet:
    current = ImportChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if current.status != ImportChangeSet.Status.PENDING:
        raise Refused(f"This import has already been {current.get_status_display().lower()}.")
    return current


def approve(*, user, change_set: ImportChangeSet) -> importing.ImportResult:
    """Write the change set, if the figures it would change are still as previewed."""
    if not user.has_perm("scorecard.import_scorecard"):
        raise Refused("Only a performance officer can approve an import.")
    with transaction.atomic():
        current = _locked_pending(change_set)
        if current.proposed_by_id == user.pk:
            raise Refused(
                "You imported this file, so another performance officer must "
                "approve it (four eyes)."
            )
        plan = importing.plan_import(bytes(current.content), current.filename)
        if plan.errors or plan.fingerprint != current.fingerprint:
            raise Refused(
                "The stored figures have changed since this import was previewed, "
                "so it would no longer do what is shown here. Reject it and upload "
                "the file again."
            )
        proposer = current.proposed_by
        with (
            pghistory.context(
                proposed_by=proposer.pk,
                proposed_by_name=proposer.get_full_name() or proposer.username,
                change_set=current.pk,
            )
            if audit.enabled()
            else nullcontext()
        ):
            try:
                result = importing.apply_plan(plan=plan, user=user)
            except importing.ImportRefused as refusal:
                raise Refused(str(refusal)) from refusal
        current.status = ImportChangeSet.Status.APPLIED
        current.reviewed_by, current.reviewed_at = user, timezone.now()
        current.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return result


def reject(*, user, change_set: ImportChangeSet, reason: str) -> ImportChangeSet:
    if is_blank(reason):
        raise Refused("Give a reason for rejecting the import.")
    with transaction.atomic():
        current = _locked_pending(change_set)
        current.status = ImportChangeSet.Status.REJECTED
        current.reviewed_by, current.reviewed_at = user, timezone.now()
        current.reason = tidy(reason)
        current.content = b""  # the file is not kept once it will never be written
        current.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason", "content"])
    return current
