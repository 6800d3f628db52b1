"""Writes to monthly returns. Views, the admin's actions, commands and tasks all
come through here, so every write is checked, locked, versioned and audited
the same way."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import audit, notifications, recalculation, selectors, validation, workflow
from .models import MonthlyReturn, ReturnContribution, ReturnValue
from .text import tidy


def save_changed(instance, values: dict) -> list[str]:
    """Set and save only the fields whose values differ: an unchanged row writes
    nothing, so the audit trail records nothing. Returns the fields changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
    return changed


class Refused(Exception):
    """The change was not made; the message says why, in words for the user."""


class StaleVersion(Refused):
    """Someone else changed the return after this user opened it."""


@dataclass
class LineInput:
    """One measure's line as typed, already checked (see `validation`)."""

    value_id: int
    entry: validation.Entry


def _locked(monthly_return: MonthlyReturn, expected_version: int | None) -> MonthlyReturn:
    """The return's row, locked until the transaction ends, at the version the user saw."""
    current = (
        MonthlyReturn.objects.select_for_update(of=("self",))
        .select_related("area", "updated_by")
        .get(pk=monthly_return.pk)
    )
    if expected_version is not None and current.version != expected_version:
        who = (
            current.updated_by.get_full_name() or current.updated_by.username
            if current.updated_by
            else "someone"
        )
        when = timezone.localtime(current.updated_at).strftime("%-d %B %Y at %H:%M")
        raise StaleVersion(
            f"{who} changed this return on {when}, after you opened it. Your changes have "
            "not been saved: they are shown below so you can compare and save again."
        )
    return current


def _bump(monthly_return: MonthlyReturn, user) -> None:
    monthly_return.version += 1
    monthly_return.updated_by = user


def record_contributions(monthly_return: MonthlyReturn, user, items) -> None:
    """`user` entered or changed these items (measure codes, staffing fields) of the
    return in its current round of approval: they may not approve it."""
    ReturnContribution.objects.bulk_create(
        [
            ReturnContribution(
                monthly_return=monthly_return, cycle=monthly_return.cycle, user=user, item=item
            )
            for item in set(items)
        ],
        ignore_conflicts=True,
    )


def _apply_transition(monthly_return, user, name, reason):
    try:
        transition = workflow.check(
            name,
            status=monthly_return.status,
            is_entrant=selectors.is_entrant(user, monthly_return),
            is_approver=selectors.is_approver(user),
            is_submitter=monthly_return.submitted_by_id == user.pk,
            shaped=selectors.items_shaped_by(user, monthly_return),
            reason=reason,
        )
    except workflow.TransitionRefused as refusal:
        raise Refused(str(refusal)) from refusal
    now = timezone.now()
    monthly_return.status = transition.target
    if name == workflow.SUBMIT:
        monthly_return.submitted_by, monthly_return.submitted_at = user, now
        monthly_return.approved_by, monthly_return.approved_at = None, None
    elif name == workflow.APPROVE:
        monthly_return.approved_by, monthly_return.approved_at = user, now
        monthly_return.cycle += 1  # what is changed from now on is a new round
    elif name in (workflow.RETURN, workflow.REOPEN):
        monthly_return.approved_by, monthly_return.approved_at = None, None
    if transition.needs_reason:
        monthly_return.reason = tidy(reason)
    _bump(monthly_return, user)
    return transition


def save_return(
    *,
    user,
    monthly_return: MonthlyReturn,
    lines: list[LineInput],
    expected_version: int,
    submit: bool,
    sections: Sequence[Callable[[MonthlyReturn], None]] = (),
) -> MonthlyReturn:
    """Save the figures (a draft may be incomplete) and, with `submit`, submit them.
    All or nothing: lines must have passed `validation.check` with no hard finding.

    `sections`: further parts of the return another app owns (the workforce
    app's staffing figures), each a function that saves its part of the locked
    return; they run inside the same transaction, so the return, its figures
    and its sections are saved, audited and submitted together or not at all."""
    with (
        transaction.atomic(),
        audit.context(user=user, action="submit" if submit else "save draft"),
    ):
        current = _locked(monthly_return, expected_version)
        if not workflow.can_enter(
            is_entrant=selectors.is_entrant(user, current), status=current.status
        ):
            raise Refused(
                f"This return is {current.get_status_display().lower()}: it cannot be changed now."
            )
        values = {v.pk: v for v in ReturnValue.objects.filter(monthly_return=current)}
        changed = []
        for line in lines:
            value = values[line.value_id]
            parsed = line.entry.parsed
            new = {
                "numerator": parsed.get(validation.NUMERATOR),
                "denominator": parsed.get(validation.DENOMINATOR),
                "value": parsed.get(validation.VALUE),
                "not_applicable_reason": tidy(line.entry.not_applicable_reason),
                "commentary": tidy(line.entry.commentary),
            }
            if any(getattr(value, name) != figure for name, figure in new.items()):
                for name, figure in new.items():
                    setattr(value, name, figure)
                changed.append(value)
        ReturnValue.objects.bulk_update(changed, list(audit.FIGURE_FIELDS))
        measure_codes = dict(
            ReturnValue.objects.filter(pk__in=[v.pk for v in changed]).values_list(
                "pk", "measure__code"
            )
        )
        items = [measure_codes[v.pk] for v in changed]
        for save_section in sections:
            items += save_section(current) or []
        record_contributions(current, user, items)
        if current.status == workflow.RETURNED and not submit:
            current.status = workflow.DRAFT
        if submit:
            _apply_transition(current, user, workflow.SUBMIT, "")
        else:
            _bump(current, user)
        current.save()
        if submit:
            transaction.on_commit(lambda: notifications.notify_submitted(current))
    return current


def transition_return(
    *,
    user,
    monthly_return: MonthlyReturn,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
) -> MonthlyReturn:
    """Approve, return or reopen (submit goes through `save_return`). Under a row
    lock, so of two people acting at once exactly one succeeds."""
    if action == workflow.SUBMIT:
        raise Refused("Submit the return from its form.")
    with transaction.atomic(), audit.context(user=user, action=action, reason=reason):
        current = _locked(monthly_return, expected_version)
        _apply_transition(current, user, action, reason)
        current.save()
        notify = {
            workflow.APPROVE: notifications.notify_approved,
            workflow.RETURN: notifications.notify_returned,
            workflow.REOPEN: notifications.notify_returned,
        }[action]
        transaction.on_commit(lambda: notify(current))
        if action in (workflow.APPROVE, workflow.REOPEN):
            recalculation.request("approval", changed=(current.area_id, current.month))
    return current


def prefill_return(
    *, user, monthly_return: MonthlyReturn, figures: dict[int, tuple], action: str, source: str
) -> list[ReturnValue]:
    """Fill a return's figures computed elsewhere (the Annex A lists), as a draft
    for its team to check, explain and submit: never submitted or approved here,
    so four eyes holds. `figures`: {measure id: (numerator, denominator)} for the
    return's existing lines. Refused unless the return is with its team (draft or
    returned). `user` shaped what changed, so may not approve it. Returns the
    values changed."""
    with transaction.atomic(), audit.context(user=user, action=action, source=source):
        current = _locked(monthly_return, None)
        if current.status not in workflow.EDITABLE:
            raise Refused(
                f"{current} is {current.get_status_display().lower()}: its figures were left "
                "as they are."
            )
        changed = []
        for value in ReturnValue.objects.filter(
            monthly_return=current, measure_id__in=list(figures)
        ).select_related("measure"):
            numerator, denominator = figures[value.measure_id]
            if (value.numerator, value.denominator, value.value) != (numerator, denominator, None):
                value.numerator, value.denominator, value.value = numerator, denominator, None
                value.not_applicable_reason = ""
                changed.append(value)
        ReturnValue.objects.bulk_update(
            changed, ["numerator", "denominator", "value", "not_applicable_reason"]
        )
        record_contributions(current, user, [value.measure.code for value in changed])
        if changed or current.source != source[:200]:
            current.source = source[:200]
            _bump(current, user)
            current.save()
    return changed
