"""The audit trail: who changed what in a return, when, old and new.

Changes are captured by PostgreSQL triggers (django-pghistory) on the returns
and their values, so bulk updates, imports and the admin are recorded too.
Here: the context that goes with a change, and the timeline that reads it.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model

from . import extensions
from .models import Measure, MonthlyReturn, ReturnValue

# Changes made outside the services (the admin, a bulk update, a script) carry no action.
UNATTRIBUTED_ACTIONS = {"insert": "created", "update": "changed", "delete": "deleted"}
FIGURE_FIELDS = ["numerator", "denominator", "value", "not_applicable_reason", "commentary"]
RETURN_FIELDS = ["status", "reason", "source"]


def enabled() -> bool:
    return settings.AUDIT_TRAIL_ENABLED


def context(*, user, action: str, reason: str = "", source: str = ""):
    """Attach who and why to every change made inside the block."""
    if not settings.AUDIT_TRAIL_ENABLED:
        return nullcontext()
    return pghistory.context(
        user=user.pk if user else None,
        username=str(user or ""),
        action=action,
        reason=reason,
        source=source,
    )


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class TimelineEntry:
    when: datetime
    who: str
    action: str
    reason: str
    subject: str  # the return, or a measure's title
    changes: list[Change]


def timeline(monthly_return: MonthlyReturn) -> list[TimelineEntry]:
    """Every recorded change to the return and its figures, oldest first, with
    old and new values. A fixed number of queries."""
    if not settings.AUDIT_TRAIL_ENABLED:
        return []
    return_events = list(
        MonthlyReturn.pgh_event_model.objects.filter(pgh_obj_id=monthly_return.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    value_events = list(
        ReturnValue.pgh_event_model.objects.filter(monthly_return_id=monthly_return.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    section_events = [
        (
            section,
            list(
                section.model.pgh_event_model.objects.filter(monthly_return_id=monthly_return.pk)
                .select_related("pgh_context")
                .order_by("pgh_id")
            ),
        )
        for section in audited_sections()
    ]
    everything = return_events + value_events + [e for _, events in section_events for e in events]
    titles = dict(Measure.objects.values_list("pk", "title"))
    users = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(
            pk__in={
                e.pgh_context.metadata.get("user")
                for e in everything
                if e.pgh_context and e.pgh_context.metadata.get("user")
            }
        )
    }
    entries = []
    entries += _entries(return_events, RETURN_FIELDS, lambda e: "Return", users)
    entries += _entries(value_events, FIGURE_FIELDS, lambda e: titles.get(e.measure_id, ""), users)
    for section, events in section_events:
        entries += _entries(
            events, section.fields, lambda e, s=section: s.subject, users, labels=section.labels
        )
    entries.sort(key=lambda entry: entry.when)
    return entries


@dataclass(frozen=True)
class AuditedSection:
    """Another app's part of a return (a pghistory-tracked model with a
    `monthly_return` foreign key), shown in the return's timeline."""

    model: type
    fields: tuple
    subject: str
    labels: dict


def audited_sections() -> list[AuditedSection]:
    """The other apps' audited parts of a return (`extensions.ScorecardPart`)."""
    return [
        AuditedSection(
            part.audited_model,
            tuple(part.audited_fields),
            part.audited_subject,
            {
                name: str(part.audited_model._meta.get_field(name).verbose_name)
                for name in part.audited_fields
            },
        )
        for part in extensions.parts()
        if part.audited_model
    ]


def _entries(events, fields, subject, users, labels=None):
    previous = {}
    result = []
    labels = labels or {}
    for event in events:
        before = previous.get(event.pgh_obj_id)
        changes = [
            Change(
                labels.get(name, name),
                getattr(before, name) if before else None,
                getattr(event, name),
            )
            for name in fields
            if (getattr(before, name) if before else None) != getattr(event, name)
            and not (before is None and getattr(event, name) in (None, ""))
        ]
        previous[event.pgh_obj_id] = event
        meta = event.pgh_context.metadata if event.pgh_context else {}
        if not changes and event.pgh_label != "delete":
            continue
        result.append(
            TimelineEntry(
                when=event.pgh_created_at,
                who=users.get(meta.get("user"), meta.get("username") or "System"),
                action=meta.get("action")
                or UNATTRIBUTED_ACTIONS.get(event.pgh_label, event.pgh_label),
                reason=meta.get("reason", ""),
                subject=subject(event),
                changes=changes,
            )
        )
    return result
