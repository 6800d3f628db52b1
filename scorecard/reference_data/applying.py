"""Applying: an upload of the set-up file written in one transaction, all or
nothing, or refused (`SetupRefused`, with a code from `findings`).

The file is read and planned again under a lock; it is refused if it is not
the file that was previewed, or if what it would write is not what the preview
showed (someone changed the set-up meanwhile). Every write is audited by the
models' triggers with the officer as the user, and one recalculation is asked
for (`reference`).
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from .. import audit, engine, reference, roles
from ..models import (
    Baseline,
    Benchmark,
    Measure,
    MeasureGroup,
    Population,
    ServiceArea,
    Target,
    TeamMembership,
)
from . import findings as codes
from . import layout
from .findings import SetupRefused
from .planning import CHANGE, CREATE, REMOVE, Change, SetupPlan, plan_upload

logger = logging.getLogger(__name__)

SETUP_LOCK_KEY = 4_815_162_344  # serialises set-up uploads (imports use ...343)


def apply_upload(
    *, content: bytes, filename: str, user, sha256: str, fingerprint: str
) -> SetupPlan:
    """Write the file previewed as (`sha256`, `fingerprint`); the plan written."""
    if hashlib.sha256(content).hexdigest() != sha256:
        raise SetupRefused(
            codes.FILE_CHANGED,
            "This is not the file that was previewed: nothing has been written. Upload it "
            "again to see what it would change.",
        )
    with (
        transaction.atomic(),
        audit.context(user=user, action="set-up upload", source=filename),
    ):
        engine.advisory_lock(SETUP_LOCK_KEY)
        plan = plan_upload(content, filename)
        if plan.errors:
            raise SetupRefused(
                codes.PLAN_HAS_ERRORS,
                "The file has errors: nothing has been written. Fix them and upload it again.",
            )
        if plan.fingerprint != fingerprint:
            raise SetupRefused(
                codes.CHANGED_SINCE_PREVIEW,
                "The stored set-up changed after the preview was made: nothing has been "
                "written. Upload the file again to see what it would change now.",
            )
        if not plan.changes:
            raise SetupRefused(
                codes.NOTHING_TO_APPLY, "Nothing to write: the set-up already matches the file."
            )
        try:
            with transaction.atomic():
                _write(plan)
        except IntegrityError as error:
            # a row written another way between this plan and its writes (the admin)
            raise SetupRefused(
                codes.CHANGED_SINCE_PREVIEW,
                "The stored set-up changed while the file was being written: nothing has "
                "been written. Upload the file again to see what it would change now.",
            ) from error
        reference.request_recalculation()
    logger.info(
        "Set-up uploaded from %s by %s: %s created, %s changed, %s removed",
        filename,
        user,
        plan.creates,
        plan.changed,
        plan.removes,
    )
    return plan


def _of(plan: SetupPlan, sheet: str, *actions) -> list[Change]:
    return [c for c in plan.changes if c.sheet == sheet and c.action in actions]


def _set(instance, fields: dict) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.save(update_fields=list(fields))


def _write(plan: SetupPlan) -> None:
    _write_groups(plan)
    _write_areas(plan)
    _write_measures(plan)
    measures = {m.code: m for m in Measure.objects.all()}
    areas = {a.slug: a for a in ServiceArea.objects.all()}
    _write_children(
        plan,
        layout.TARGETS,
        Target,
        lambda key: {"measure": measures[key[0]], "kind": key[1], "starts": key[2]},
        _resolved("measure", measures),
    )
    _write_children(
        plan,
        layout.BASELINES,
        Baseline,
        lambda key: {"measure": measures[key[0]], "date": key[1]},
        _resolved("measure", measures),
    )
    _write_children(
        plan,
        layout.BENCHMARKS,
        Benchmark,
        lambda key: {
            "measure": measures[key[0]],
            "comparator": key[1],
            "period_kind": key[2].kind,
            "period_start": key[2].starts,
        },
        _benchmark_fields(measures),
    )
    _write_children(
        plan,
        layout.POPULATIONS,
        Population,
        lambda key: {"area": areas[key[0]], "year": key[1]},
        _resolved("area", areas),
    )
    _write_staff(plan, areas)


def _write_groups(plan: SetupPlan) -> None:
    for change in _of(plan, layout.GROUPS, CREATE):
        MeasureGroup.objects.create(**change.value_dict)
    for change in _of(plan, layout.GROUPS, CHANGE):
        _set(MeasureGroup.objects.get(code=change.key[0]), change.value_dict)


def _write_areas(plan: SetupPlan) -> None:
    """The authority first, then the service areas under it."""
    authority = ServiceArea.objects.authority()

    def is_authority(change: Change) -> bool:
        if change.action == CREATE:
            return not change.value_dict.get("parent")
        return authority is not None and change.key[0] == authority.slug

    changes = sorted(_of(plan, layout.AREAS, CREATE, CHANGE), key=lambda c: not is_authority(c))

    def fields(values: dict) -> dict:
        if "parent" in values:
            parent = values["parent"]
            values = {**values, "parent": ServiceArea.objects.get(slug=parent) if parent else None}
        return values

    for change in changes:
        if change.action == CREATE:
            ServiceArea.objects.create(**fields(change.value_dict))
        else:
            _set(ServiceArea.objects.get(slug=change.key[0]), fields(change.value_dict))


def _write_measures(plan: SetupPlan) -> None:
    def fields(values: dict) -> tuple[dict, frozenset | None]:
        values = dict(values)
        reporting = values.pop("reporting_areas", None)
        if "group" in values:
            values["group_id"] = values.pop("group")
        return values, reporting

    def set_reporting(measure, reporting):
        if reporting is not None:
            measure.reporting_areas.set(ServiceArea.objects.filter(slug__in=reporting))

    for change in _of(plan, layout.MEASURES, CREATE):
        values, reporting = fields(change.value_dict)
        set_reporting(Measure.objects.create(**values), reporting)
    for change in _of(plan, layout.MEASURES, CHANGE):
        values, reporting = fields(change.value_dict)
        measure = Measure.objects.get(code=change.key[0])
        if values:
            _set(measure, values)
        set_reporting(measure, reporting)


def _resolved(name: str, instances: dict):
    """A row's values with its measure's (or area's) code as the instance."""

    def fields(values: dict) -> dict:
        if name in values:
            values = {**values, name: instances[values[name]]}
        return values

    return fields


def _benchmark_fields(measures):
    def fields(values: dict) -> dict:
        values = dict(values)
        if "measure" in values:
            values["measure"] = measures[values["measure"]]
        if "period" in values:
            period = values.pop("period")
            values["period_kind"], values["period_start"] = period.kind, period.starts
        return values

    return fields


def _write_children(plan: SetupPlan, sheet: str, model, lookup, fields) -> None:
    """A measure's (or area's) rows: removed, created, changed, by their keys."""
    for change in _of(plan, sheet, REMOVE):
        model.objects.get(**lookup(change.key)).delete()
    for change in _of(plan, sheet, CREATE):
        model.objects.create(**fields(change.value_dict))
    for change in _of(plan, sheet, CHANGE):
        _set(model.objects.get(**lookup(change.key)), fields(change.value_dict))


def _write_staff(plan: SetupPlan, areas: dict) -> None:
    """New team managers without a password (they set one by the reset link);
    the areas each manages as the sheet lists them."""
    User = get_user_model()
    team_managers = Group.objects.get(name=roles.TEAM_MANAGERS)

    def manage(user, wanted: frozenset) -> None:
        current = {m.area.slug: m for m in user.memberships.select_related("area")}
        for slug, membership in current.items():
            if slug not in wanted:
                membership.delete()
        TeamMembership.objects.bulk_create(
            [TeamMembership(user=user, area=areas[slug]) for slug in sorted(wanted - set(current))]
        )

    for change in _of(plan, layout.STAFF, CREATE):
        values = change.value_dict
        user = User(
            username=values["username"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            is_active=True,
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(team_managers)
        manage(user, values["manages"])
    for change in _of(plan, layout.STAFF, CHANGE):
        values = change.value_dict
        user = User.objects.get(username=change.key[0])
        manages = values.pop("manages", None)
        if values:
            _set(user, values)
        if manages is not None:
            manage(user, manages)
