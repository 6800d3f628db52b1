"""Planning: the file's rows compared with the stored set-up, as the rows an
upload would create, change and remove, sheet by sheet, with old and new
values as the file shows them, and every problem named by sheet, row and
column. Writes nothing.

What the upload does with what the file leaves out:
- areas, measure groups, measures and team managers' accounts are never
  removed (returns and their history refer to them): one not in the file is
  left as it is and listed as "not in the file";
- targets, baselines and benchmarks of a measure on the Measures sheet, and
  populations of an area on the Areas sheet, are the file's: one of theirs
  that the file does not have is removed; those of a measure or area not on
  its sheet are left alone;
- for a team manager on the Staff sheet, the areas they manage are the ones
  the sheet lists; an area not listed is no longer theirs;
- a sheet the workbook does not have is left as it is; so is a column a sheet
  does not have.
There is exactly one authority: the Areas sheet's one row without a parent.
It is this installation's authority; on an installation with no service area
yet (just after `start_authority`) it may be another's, whose name, code and
region the authority then takes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from .. import roles
from ..importing.reading import plain
from ..models import Measure, ServiceArea
from . import exporting, layout
from . import findings as codes
from .findings import SetupFinding, add
from .reading import Record, Table, read_upload

CREATE, CHANGE, REMOVE = "create", "change", "remove"


@dataclass(frozen=True)
class Difference:
    heading: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """One row to create, change or remove, as people read it, and what to write."""

    sheet: str
    row: int | None  # the file's row; None for a removal
    action: str
    subject: str
    differences: tuple[Difference, ...]
    key: tuple  # the row's key in its sheet (`layout.Sheet.key`), as stored
    values: tuple[tuple[str, object], ...] = ()  # to write: every column's (create), or the changed

    @property
    def value_dict(self) -> dict:
        return dict(self.values)


@dataclass
class SheetReport:
    name: str
    changes: list[Change]
    not_in_file: list[str]
    errors: list[SetupFinding]
    warnings: list[SetupFinding]

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")


@dataclass
class SetupPlan:
    filename: str
    sha256: str
    changes: list[Change] = field(default_factory=list)
    not_in_file: dict[str, list[str]] = field(default_factory=dict)
    errors: list[SetupFinding] = field(default_factory=list)
    warnings: list[SetupFinding] = field(default_factory=list)
    new_accounts: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def creates(self) -> int:
        return self.count(CREATE)

    @property
    def changed(self) -> int:
        return self.count(CHANGE)

    @property
    def removes(self) -> int:
        return self.count(REMOVE)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def can_apply(self) -> bool:
        return not self.errors and bool(self.changes)

    @property
    def file_findings(self) -> tuple[list[SetupFinding], list[SetupFinding]]:
        """The errors and warnings about the whole file, not one sheet."""
        return (
            [f for f in self.errors if f.sheet not in layout.sheets()],
            [f for f in self.warnings if f.sheet not in layout.sheets()],
        )

    @property
    def fingerprint(self) -> str:
        """The same for the same writes from the same stored values: confirming checks it."""
        payload = [
            [
                change.sheet,
                change.action,
                repr(change.key),
                [[d.heading, d.old, d.new] for d in change.differences],
                [[name, _canonical(value)] for name, value in change.values],
            ]
            for change in self.changes
        ]
        return hashlib.sha256(json.dumps(sorted(payload)).encode()).hexdigest()

    def by_sheet(self) -> list[SheetReport]:
        return [
            SheetReport(
                name,
                [c for c in self.changes if c.sheet == name],
                self.not_in_file.get(name, []),
                [f for f in self.errors if f.sheet == name],
                [f for f in self.warnings if f.sheet == name],
            )
            for name in layout.sheets()
        ]

    def describe(self) -> list[str]:
        """The plan as lines of text (the management command prints them)."""
        lines = [
            f"{self.filename}: {self.creates} to create, {self.changed} to change, "
            f"{self.removes} to remove, {len(self.errors)} errors, {len(self.warnings)} warnings."
        ]
        for finding in self.errors:
            lines.append(f"  ERROR   [{finding.code}] {finding}")
        for finding in self.warnings:
            lines.append(f"  warning [{finding.code}] {finding}")
        for report in self.by_sheet():
            if not (report.changes or report.not_in_file):
                continue
            lines.append(f"{report.name}:")
            for change in report.changes:
                where = f"row {change.row}" if change.row else "not in the file"
                lines.append(f"  {change.action:<6} {where}: {change.subject}")
                for difference in change.differences:
                    lines.append(
                        f"           {difference.heading}: {difference.old} -> {difference.new}"
                    )
            for subject in report.not_in_file:
                lines.append(f"  left as it is (not in the file): {subject}")
        return lines


def _canonical(value) -> str:
    """The same text for the same value in every process (a set's order is not)."""
    if isinstance(value, frozenset):
        return repr(sorted(value))
    if isinstance(value, Decimal):
        return plain(value)
    return repr(value)


def plan_upload(content: bytes, filename: str) -> SetupPlan:
    """What uploading the file would do. Writes nothing. Raises FileRefused
    when the file cannot be read at all."""
    upload = read_upload(content)
    plan = SetupPlan(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    plan.errors.extend(upload.errors)
    plan.warnings.extend(upload.warnings)
    _Planner(plan, upload.tables, exporting.stored_rows()).run()
    return plan


class _Planner:
    def __init__(self, plan: SetupPlan, tables: dict[str, Table], stored: dict[str, list[dict]]):
        self.plan, self.tables, self.stored = plan, tables, stored
        self.sheets = layout.sheets()
        self.authority = ServiceArea.objects.authority()

    def run(self) -> None:
        self.areas()
        self.groups()
        self.measures()
        self.children(layout.TARGETS, self._check_target)
        self.children(layout.BASELINES, self._check_figure)
        self.children(layout.BENCHMARKS, self._check_figure)
        self.populations()
        self.staff()

    # --- the helpers every sheet uses -----------------------------------------

    def error(self, sheet, record: Record | None, column: str | None, code: str, message: str):
        heading = self.sheets[sheet].column(column).heading if column else None
        add(
            self.plan.errors,
            SetupFinding(code, sheet, record.row if record else None, heading, message),
        )
        if record is not None and column:
            record.bad.add(column)

    def table(self, sheet: str) -> Table | None:
        return self.tables.get(sheet)

    def records(self, sheet: str) -> list[Record]:
        """The sheet's rows that could be read whole; none while it lacks a required
        column (that is an error already)."""
        table = self.table(sheet)
        if table is None or any(
            c.required and c.name not in table.columns for c in self.sheets[sheet].columns
        ):
            return []
        return [r for r in table.records if r.readable]

    def keys_in_file(self, sheet: str) -> set:
        """The keys of the sheet's rows whose key could be read (even if another cell was not)."""
        table = self.table(sheet)
        key = self.sheets[sheet].key
        if table is None:
            return set()
        return {
            tuple(r.values[name] for name in key)
            for r in table.records
            if all(name in r.values and name not in r.bad for name in key)
        }

    def subject(self, sheet: str, values: dict) -> str:
        shown = self.sheets[sheet].shown
        match sheet:
            case layout.AREAS | layout.GROUPS:
                key = "slug" if sheet == layout.AREAS else "code"
                return f"{values.get('name', '')} ({values[key]})"
            case layout.MEASURES:
                return f"{values.get('title', '')} ({values['code']})"
            case layout.TARGETS:
                return (
                    f"{values['measure']}: {shown('kind', values['kind'])} "
                    f"from {values['starts']:%B %Y}"
                )
            case layout.BASELINES:
                when = values["date"]
                return f"{values['measure']}: baseline of {when.day} {when:%B %Y}"
            case layout.BENCHMARKS:
                return (
                    f"{values['measure']}: {shown('comparator', values['comparator'])} "
                    f"{values['period']}"
                )
            case layout.POPULATIONS:
                return f"{values['area']}: {values['year']}"
            case _:
                name = " ".join(
                    part for part in (values.get("first_name"), values.get("last_name")) if part
                )
                return f"{values['username']}{f' ({name})' if name else ''}"

    def compare(self, sheet: str, *, stored_for=None, removable=None) -> None:
        """Each readable row against the stored one with its key: a create or a
        change. A stored row the file lacks is removed where `removable` says so,
        else listed as not in the file. `stored_for(record)` finds a row's stored
        row where the key alone does not (the authority)."""
        spec = self.sheets[sheet]
        table = self.table(sheet)
        if table is None:
            return
        stored = {tuple(row[name] for name in spec.key): row for row in self.stored[sheet]}
        matched = set()
        for record in self.records(sheet):
            key = tuple(record.values[name] for name in spec.key)
            old = stored_for(record) if stored_for else None
            old = old if old is not None else stored.get(key)
            if old is None:
                values = {c.name: record.values.get(c.name, c.blank) for c in spec.columns}
                differences = tuple(
                    Difference(c.heading, "", spec.shown(c.name, values[c.name]))
                    for c in spec.columns
                    if values[c.name] not in ("", None, frozenset())
                )
                self.plan.changes.append(
                    Change(
                        sheet,
                        record.row,
                        CREATE,
                        self.subject(sheet, values),
                        differences,
                        key,
                        tuple(values.items()),
                    )
                )
                continue
            old_key = tuple(old[name] for name in spec.key)
            matched.add(old_key)
            changed = {name: value for name, value in record.values.items() if value != old[name]}
            if changed:
                self.plan.changes.append(
                    Change(
                        sheet,
                        record.row,
                        CHANGE,
                        self.subject(sheet, {**old, **record.values}),
                        tuple(
                            Difference(
                                c.heading, spec.shown(c.name, old[c.name]), spec.shown(c.name, v)
                            )
                            for c in spec.columns
                            if (v := changed.get(c.name, old[c.name])) != old[c.name]
                        ),
                        old_key,
                        tuple(changed.items()),
                    )
                )
        in_file = self.keys_in_file(sheet) | matched
        for key, row in stored.items():
            if key in in_file:
                continue
            if removable is not None and removable(row):
                self.plan.changes.append(
                    Change(
                        sheet,
                        None,
                        REMOVE,
                        self.subject(sheet, row),
                        tuple(
                            Difference(c.heading, spec.shown(c.name, row[c.name]), "")
                            for c in spec.columns
                            if row[c.name] not in ("", None, frozenset())
                        ),
                        key,
                    )
                )
            elif removable is None:
                self.plan.not_in_file.setdefault(sheet, []).append(self.subject(sheet, row))

    def unique(self, sheet: str, name: str, *, renamed_from=None) -> None:
        """`name` (a name or title) unique once the upload is written: among the
        file's rows, and against stored rows the file leaves alone or renames."""
        spec = self.sheets[sheet]
        heading = spec.column(name).heading
        seen: dict[str, Record] = {}
        stored_by_value = {str(row[name]).lower(): row for row in self.stored[sheet]}
        in_file = self.keys_in_file(sheet)
        for record in self.records(sheet):
            value = str(record.values.get(name, "")).lower()
            if not value:
                continue
            key = tuple(record.values[k] for k in spec.key)
            if renamed_from is not None:
                key = renamed_from(record) or key
            if value in seen:
                self.error(
                    sheet,
                    record,
                    name,
                    codes.NAME_TAKEN,
                    f"Row {seen[value].row} has this {heading.lower()} too: "
                    f"'{record.values[name]}'. Each {spec.about} has its own.",
                )
                continue
            seen[value] = record
            holder = stored_by_value.get(value)
            if holder is None:
                continue
            holder_key = tuple(holder[k] for k in spec.key)
            if holder_key == key:
                continue
            if holder_key in in_file:
                message = (
                    f"'{record.values[name]}' is the {heading.lower()} of "
                    f"{self.subject(sheet, holder)} now, which this file renames: names cannot "
                    "be swapped in one upload. Upload the file with one of the two renamed "
                    "first, then again."
                )
            else:
                message = (
                    f"'{record.values[name]}' is already the {heading.lower()} of "
                    f"{self.subject(sheet, holder)}, which is not in the file. Each "
                    f"{spec.about} has its own."
                )
            self.error(sheet, record, name, codes.NAME_TAKEN, message)

    # --- the sheets -------------------------------------------------------------

    def area_codes(self) -> dict[str, bool]:
        """Every area code the upload leaves: whether it is the authority."""
        known = {row["slug"]: not row["parent"] for row in self.stored[layout.AREAS]}
        if self.file_authority is not None and self.authority is not None:
            known.pop(self.authority.slug, None)
        table = self.table(layout.AREAS)
        for record in table.records if table else []:
            if "slug" not in record.bad and "parent" not in record.bad:
                known[record.values["slug"]] = not record.values.get("parent")
        return known

    def areas(self) -> None:
        sheet = layout.AREAS
        self.file_authority = None
        table = self.table(sheet)
        if table is None:
            return
        roots = [r for r in self.records(sheet) if not r.values.get("parent")]
        for extra in roots[1:]:
            self.error(
                sheet,
                extra,
                "parent",
                codes.SECOND_AUTHORITY,
                f"Row {roots[0].row} is the authority (the row without a parent): there is "
                f"exactly one. Give {extra.values['name']} the authority's code "
                f"({roots[0].values['slug']}) as its parent.",
            )
        if not roots and self.records(sheet):
            self.error(
                sheet,
                None,
                None,
                codes.NO_AUTHORITY_ROW,
                "No row is the authority: the authority's row has a blank parent.",
            )
        authority = self.file_authority = roots[0] if roots else None
        stored_authority = next((row for row in self.stored[sheet] if not row["parent"]), None)
        takes_over = False
        if (
            authority is not None
            and stored_authority is not None
            and authority.values["slug"] != stored_authority["slug"]
        ):
            if len(self.stored[sheet]) > 1:
                self.error(
                    sheet,
                    authority,
                    "slug",
                    codes.OTHER_AUTHORITY,
                    f"This installation's authority is {stored_authority['name']} (code "
                    f"{stored_authority['slug']}), and it has service areas: the file's "
                    "authority row must be it. Give it its code, or upload the file into "
                    "the installation it came from.",
                )
                self.file_authority = None
            else:
                takes_over = True
                self.plan.warnings.append(
                    SetupFinding(
                        codes.AUTHORITY_RENAMED,
                        sheet,
                        authority.row,
                        "Code",
                        f"This installation's authority, {stored_authority['name']}, "
                        f"becomes {authority.values['name']} (code "
                        f"{authority.values['slug']}), as in the file.",
                    )
                )
        for record in self.records(sheet):
            parent = record.values.get("parent")
            if not parent:
                continue
            if record.values.get("region"):
                self.error(
                    sheet,
                    record,
                    "region",
                    codes.REGION_NOT_FOR_AREA,
                    "Only the authority has a region: leave it blank for a service area.",
                )
            if authority is None or parent != authority.values["slug"]:
                what = (
                    "a service area: areas sit only under the authority (two tiers)"
                    if parent in self.keys_in_file_flat(sheet)
                    or parent in {row["slug"] for row in self.stored[sheet]}
                    else "not an area's code"
                )
                self.error(
                    sheet,
                    record,
                    "parent",
                    codes.NOT_UNDER_AUTHORITY,
                    f"'{parent}' is {what}. A service area's parent is the authority's code"
                    + (f" ({authority.values['slug']})." if authority else "."),
                )
            elif (
                self.authority is not None
                and record.values["slug"] == self.authority.slug
                and not takes_over
            ):
                self.error(
                    sheet,
                    record,
                    "parent",
                    codes.OTHER_AUTHORITY,
                    f"{self.authority.name} is this installation's authority: it cannot "
                    "become a service area.",
                )

        def renamed(record):
            if takes_over and record is authority:
                return (stored_authority["slug"],)
            return None

        self.unique(sheet, "name", renamed_from=renamed)
        self.compare(
            sheet,
            stored_for=(lambda r: stored_authority if takes_over and r is authority else None),
        )

    def keys_in_file_flat(self, sheet) -> set:
        return {key[0] for key in self.keys_in_file(sheet)}

    def groups(self) -> None:
        self.unique(layout.GROUPS, "name")
        self.compare(layout.GROUPS)

    def measure_values(self, code: str) -> dict | None:
        """A measure as the upload leaves it: the file's row over the stored one
        (a row with a refused cell counts, so that its targets are not refused too)."""
        stored = next((m for m in self.stored[layout.MEASURES] if m["code"] == code), None)
        table = self.table(layout.MEASURES)
        record = next(
            (
                r
                for r in (table.records if table else [])
                if "code" not in r.bad and r.values.get("code") == code
            ),
            None,
        )
        if record is None:
            return stored
        return {**(stored or {}), **record.values}

    def measures(self) -> None:
        sheet = layout.MEASURES
        groups = self.keys_in_file_flat(layout.GROUPS) | {
            row["code"] for row in self.stored[layout.GROUPS]
        }
        areas = self.area_codes()
        for record in self.records(sheet):
            group = record.values["group"]
            if group not in groups:
                self.error(
                    sheet,
                    record,
                    "group",
                    codes.UNKNOWN_GROUP,
                    f"No measure group has the code '{group}': add it to the Measure groups "
                    "sheet, or use one of its codes.",
                )
            values = self.measure_values(record.values["code"])
            if values.get("entry") == Measure.Entry.RATIO and values.get("unit") != (
                Measure.Unit.PERCENT
            ):
                self.error(
                    sheet,
                    record,
                    "unit",
                    codes.RATIO_NOT_PERCENT,
                    "A measure entered as a numerator and denominator is a percentage: make "
                    "its unit Percentage, or enter it as a count or a value.",
                )
            for code in sorted(record.values.get("reporting_areas", ())):
                if code not in areas:
                    self.error(
                        sheet,
                        record,
                        "reporting_areas",
                        codes.UNKNOWN_AREA,
                        f"No area has the code '{code}'.",
                    )
        self.unique(sheet, "title")
        self.compare(sheet)

    def _measure_known(self, sheet, record) -> dict | None:
        values = self.measure_values(record.values["measure"])
        if values is None:
            self.error(
                sheet,
                record,
                "measure",
                codes.UNKNOWN_MEASURE,
                f"No measure has the code '{record.values['measure']}': add it to the Measures "
                "sheet, or use one of its codes.",
            )
        return values

    def _check_figure(self, sheet, record) -> None:
        measure = self._measure_known(sheet, record)
        if (
            measure is not None
            and "value" in record.percent
            and measure.get("unit") != Measure.Unit.PERCENT
        ):
            self.error(
                sheet,
                record,
                "value",
                codes.NOT_A_PERCENTAGE,
                f"{record.values['measure']} is not a percentage: write the figure without a % "
                "sign.",
            )

    def _check_target(self, sheet, record) -> None:
        self._check_figure(sheet, record)
        kind, due = record.values["kind"], record.values.get("due")
        if kind == "long_term" and "due" in record.values and due is None:
            self.error(
                sheet,
                record,
                "due",
                codes.NO_DUE_DATE,
                "A long-term target needs the month it is to be reached by, like 2016-01.",
            )
        if kind == "in_year" and due is not None:
            self.error(
                sheet,
                record,
                "due",
                codes.DUE_DATE_NOT_FOR_IN_YEAR,
                "An in-year target has no due month: leave it blank, or make it long-term.",
            )

    def children(self, sheet: str, check) -> None:
        """A measure's targets, baselines or benchmarks: those of a measure on the
        Measures sheet are the file's."""
        for record in self.records(sheet):
            check(sheet, record)
        measures_in_file = self.keys_in_file_flat(layout.MEASURES)
        self.compare(sheet, removable=lambda row: row["measure"] in measures_in_file)

    def populations(self) -> None:
        sheet = layout.POPULATIONS
        areas = self.area_codes()
        for record in self.records(sheet):
            if record.values["area"] not in areas:
                self.error(
                    sheet,
                    record,
                    "area",
                    codes.UNKNOWN_AREA,
                    f"No area has the code '{record.values['area']}'.",
                )
        areas_in_file = self.keys_in_file_flat(layout.AREAS)
        self.compare(sheet, removable=lambda row: row["area"] in areas_in_file)

    def staff(self) -> None:
        sheet = layout.STAFF
        if self.table(sheet) is None:
            return
        areas = self.area_codes()
        team_managers = {row["username"] for row in self.stored[sheet]}
        usernames = [r.values["username"] for r in self.records(sheet)]
        accounts = {
            user.username: user
            for user in get_user_model()
            .objects.filter(username__in=usernames)
            .prefetch_related("groups")
        }
        stored = {row["username"]: row for row in self.stored[sheet]}
        for record in self.records(sheet):
            name = record.values["username"]
            account = accounts.get(name)
            if account is not None and name not in team_managers:
                self.error(
                    sheet,
                    record,
                    "username",
                    codes.NOT_A_TEAM_MANAGER,
                    f"{name} is an account that is not a team manager's: the Staff sheet lists "
                    "team managers only. An administrator changes other accounts.",
                )
                continue
            privileged = account is not None and (
                account.is_staff
                or account.is_superuser
                or {g.name for g in account.groups.all()} - {roles.TEAM_MANAGERS}
            )
            if privileged:
                for column in ("first_name", "last_name", "email"):
                    if column in record.values and record.values[column] != stored[name][column]:
                        self.error(
                            sheet,
                            record,
                            column,
                            codes.NOT_A_TEAM_MANAGER,
                            f"{name} has another role besides team manager: an administrator "
                            "changes that account's name and email.",
                        )
            for code in sorted(record.values.get("manages", ())):
                if code not in areas:
                    self.error(
                        sheet,
                        record,
                        "manages",
                        codes.UNKNOWN_AREA,
                        f"No area has the code '{code}'.",
                    )
                elif areas[code]:
                    self.error(
                        sheet,
                        record,
                        "manages",
                        codes.UNKNOWN_AREA,
                        f"'{code}' is the authority: a team manager manages a service area.",
                    )
            if account is None and not record.values.get("email"):
                self.error(
                    sheet,
                    record,
                    "email",
                    codes.BLANK_CELL,
                    f"Enter {name}'s email address: a new account sets its password from the "
                    "reset link sent there.",
                )
        self.compare(sheet)
        self.plan.new_accounts = [
            change.subject
            for change in self.plan.changes
            if change.sheet == sheet and change.action == CREATE
        ]
        if self.plan.new_accounts:
            self.plan.warnings.append(
                SetupFinding(
                    codes.NEW_ACCOUNTS,
                    sheet,
                    None,
                    None,
                    f"{len(self.plan.new_accounts)} new team manager account"
                    f"{'s' if len(self.plan.new_accounts) > 1 else ''} will be made without a "
                    "password: "
                    + ", ".join(self.plan.new_accounts)
                    + ". Each sets one with 'Forgotten your password?' on the sign-in page, "
                    "using the email address in the file.",
                )
            )
