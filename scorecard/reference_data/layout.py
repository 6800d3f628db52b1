"""The set-up file's sheets and columns: their headings, how each cell is read
(text to a value, or a `Problem` with a code) and written (a value to a cell).
The one home of the layout: the export writes it, the upload reads it. No ORM.

A cell's value is what it means, not its text: 35 and 35.0 are one number,
'Percentage' and 'percent' one unit, so a file saved again by Excel reads the
same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug

from .. import limits, periods, validation
from ..importing.reading import plain
from ..months import parse_month
from . import findings as codes

AREAS = "Areas"
GROUPS = "Measure groups"
MEASURES = "Measures"
TARGETS = "Targets"
BASELINES = "Baselines"
BENCHMARKS = "Benchmarks"
POPULATIONS = "Populations"
STAFF = "Staff"


class Problem(Exception):
    """A cell that cannot be read: its code and what to tell the person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Column:
    heading: str
    name: str  # the value's name in a row (the model field's where there is one)
    read: Callable[[str], object]
    write: Callable[[object], object] = str
    required: bool = False
    blank: object = ""  # the value of a blank cell that is not required
    hint: str = ""  # what the cell holds, for the error message of a blank required cell


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that name a row: unique in the sheet
    about: str  # what one row is, for the preview

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def shown(self, name: str, value) -> str:
        """A value as its cell shows it (in the preview's old and new)."""
        if value is None or value == "":
            return "(blank)"
        written = self.column(name).write(value)
        return str(written)


# --- reading cells -----------------------------------------------------------


def text(max_length: int | None = None, *, lines: bool = False):
    """Text up to `max_length` characters, trimmed; `lines`: it may have several."""

    def read(cell: str) -> str:
        value = "\n".join(cell.splitlines()).strip() if lines else cell.strip()
        if not lines and "\n" in value:
            raise Problem(codes.SEVERAL_LINES, "has several lines: write it on one line")
        if max_length is not None and len(value) > max_length:
            raise Problem(
                codes.TOO_LONG, f"is {len(value)} characters long: at most {max_length} fit"
            )
        return value

    return read


def code(max_length: int):
    def read(cell: str) -> str:
        value = cell.strip()
        try:
            validate_slug(value)
        except ValidationError:
            raise Problem(
                codes.NOT_A_CODE,
                f"'{value}' is not a code: use letters, digits, hyphens and underscores only",
            ) from None
        if len(value) > max_length:
            raise Problem(codes.TOO_LONG, f"is longer than {max_length} characters")
        return value

    return read


def choice(choices):
    """One of a model's choices, by its value or its label, in any case."""
    meanings = {}
    for value, label in choices.choices:
        meanings[value.lower()] = value
        meanings[str(label).lower()] = value

    def read(cell: str) -> str:
        value = meanings.get(" ".join(cell.split()).lower())
        if value is None:
            allowed = "; ".join(f"'{label}'" for _, label in choices.choices)
            raise Problem(codes.NOT_A_CHOICE, f"'{cell}' is not one of: {allowed}")
        return value

    return read


def choice_label(choices):
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


def yes_no(cell: str) -> bool:
    word = cell.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise Problem(codes.NOT_YES_OR_NO, f"'{cell}' is not yes or no")


def yes_no_text(value: bool) -> str:
    return "yes" if value else "no"


def whole(low: int, high: int):
    """A whole number from `low` to `high`, read as a person writes it."""

    def read(cell: str) -> int:
        number, problem = validation.read_figure(cell, places=0, bound=Decimal(high + 1))
        if problem:
            if problem == validation.TOO_MANY_DIGITS:
                raise Problem(problem, f"'{cell}' is more than {high:,}")
            raise Problem(problem, f"'{cell}' is not a whole number: write it like 12, in digits")
        if number < low:
            raise Problem(codes.OUT_OF_RANGE, f"'{cell}' is less than {low:,}")
        return int(number)

    return read


def figure(model, field_name: str, *, percent: bool = False):
    """A non-negative number that the model's column holds (`validation.read_figure`);
    `percent`: it may end in % (checked against the measure's unit when planning)."""
    column = model._meta.get_field(field_name)
    places = column.decimal_places
    bound = limits.Column(column.max_digits - places, places).bound

    def read(cell: str) -> Decimal:
        number, problem = validation.read_figure(cell, places=places, bound=bound, percent=percent)
        if problem:
            raise Problem(
                problem,
                f"'{cell}': "
                + validation.figure_message(problem, "figure", places=places, bound=bound).replace(
                    "the figure", "it"
                ),
            )
        return number

    return read


def number_cell(value: Decimal) -> int | Decimal:
    """A number as a numeric cell: whole numbers as integers, others exactly."""
    value = Decimal(plain(value))
    return int(value) if value == value.to_integral_value() else value


def month(cell: str) -> date:
    """'2014-04', or a date cell on the first of its month (Excel turns typed
    months into dates)."""
    value = cell.strip()
    if re.fullmatch(r"\d{4}-\d{2}-01", value):
        value = value[:7]
    try:
        return parse_month(value)
    except ValueError:
        raise Problem(
            codes.NOT_A_MONTH, f"'{cell}' is not a month: write it like 2014-04"
        ) from None


def month_text(value: date) -> str:
    return f"{value:%Y-%m}"


def day(cell: str) -> date:
    """'2014-06-30' (a date cell reads so too)."""
    try:
        return date.fromisoformat(cell.strip())
    except ValueError:
        raise Problem(
            codes.NOT_A_DATE, f"'{cell}' is not a date: write it like 2014-06-30"
        ) from None


def period(cell: str) -> periods.Period:
    try:
        value = periods.parse_period(cell)
    except ValueError as error:
        raise Problem(codes.NOT_A_PERIOD, str(error)) from None
    if not 1990 <= value.starts.year <= 2100:
        raise Problem(codes.OUT_OF_RANGE, f"'{cell}' is not a period from 1990 to 2100")
    return value


def year(cell: str) -> int:
    return whole(1990, 2100)(cell)


def code_list(cell: str) -> frozenset[str]:
    """Codes separated by commas or on lines of their own."""
    read = code(60)
    return frozenset(read(part) for part in re.split(r"[,\n;]", cell) if part.strip())


def code_list_text(value: frozenset[str]) -> str:
    return ", ".join(sorted(value))


def email(cell: str) -> str:
    value = cell.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise Problem(
            codes.NOT_AN_EMAIL, f"'{cell}' is not an email address (name@example.org)"
        ) from None
    if len(value) > 254:
        raise Problem(codes.TOO_LONG, "is longer than 254 characters")
    return value


def username(cell: str) -> str:
    value = cell.strip()
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError:
        raise Problem(
            codes.NOT_A_USERNAME,
            f"'{cell}' is not a username: letters, digits and @ . + - _ only, no spaces",
        ) from None
    if len(value) > 150:
        raise Problem(codes.TOO_LONG, "is longer than 150 characters")
    return value


def _sheets() -> dict[str, Sheet]:
    from django.contrib.auth import get_user_model

    from ..models import (
        Baseline,
        Benchmark,
        Measure,
        MeasureGroup,
        Population,
        Region,
        ServiceArea,
        Target,
    )

    def length(model, name):
        return model._meta.get_field(name).max_length

    def default(model, name):
        return model._meta.get_field(name).default

    user = get_user_model()
    figure_text = number_cell
    return {
        AREAS: Sheet(
            AREAS,
            (
                Column("Code", "slug", code(60), required=True, hint="the area's code"),
                Column(
                    "Name",
                    "name",
                    text(length(ServiceArea, "name")),
                    required=True,
                    hint="the area's name",
                ),
                Column("Parent", "parent", code(60)),
                Column("Region", "region", choice(Region), choice_label(Region)),
                Column("Active", "active", yes_no, yes_no_text, blank=True),
                Column("Order", "order", whole(0, 32767), blank=0),
            ),
            key=("slug",),
            about="service area",
        ),
        GROUPS: Sheet(
            GROUPS,
            (
                Column("Code", "code", code(30), required=True, hint="the group's code"),
                Column(
                    "Name",
                    "name",
                    text(length(MeasureGroup, "name")),
                    required=True,
                    hint="the group's name",
                ),
                Column("Order", "order", whole(0, 32767), blank=0),
            ),
            key=("code",),
            about="measure group",
        ),
        MEASURES: Sheet(
            MEASURES,
            (
                Column("Code", "code", code(60), required=True, hint="the measure's code"),
                Column(
                    "Title",
                    "title",
                    text(length(Measure, "title")),
                    required=True,
                    hint="the measure's title",
                ),
                Column("Group", "group", code(30), required=True, hint="its group's code"),
                Column(
                    "Unit",
                    "unit",
                    choice(Measure.Unit),
                    choice_label(Measure.Unit),
                    required=True,
                    hint="its unit",
                ),
                Column(
                    "Polarity",
                    "polarity",
                    choice(Measure.Polarity),
                    choice_label(Measure.Polarity),
                    required=True,
                    hint="its polarity",
                ),
                Column(
                    "Entry",
                    "entry",
                    choice(Measure.Entry),
                    choice_label(Measure.Entry),
                    required=True,
                    hint="how its figures are entered",
                ),
                Column(
                    "Level",
                    "level",
                    choice(Measure.Level),
                    choice_label(Measure.Level),
                    blank=Measure.Level.AREA,
                ),
                Column(
                    "Frequency",
                    "frequency",
                    choice(Measure.Frequency),
                    choice_label(Measure.Frequency),
                    blank=Measure.Frequency.MONTHLY,
                ),
                Column("Year to date", "year_to_date", yes_no, yes_no_text, blank=False),
                Column(
                    "Decimal places",
                    "decimal_places",
                    whole(0, limits.VALUE_PLACES),
                    blank=default(Measure, "decimal_places"),
                ),
                Column("Definition", "definition", text(lines=True)),
                Column(
                    "Numerator wording",
                    "numerator_label",
                    text(length(Measure, "numerator_label")),
                ),
                Column(
                    "Denominator wording",
                    "denominator_label",
                    text(length(Measure, "denominator_label")),
                ),
                Column("Source", "source", text(length(Measure, "source"))),
                Column("Aliases", "aliases", text(lines=True)),
                Column("Order", "order", whole(0, 32767), blank=0),
                Column("Headline", "is_headline", yes_no, yes_no_text, blank=False),
                Column("Active", "active", yes_no, yes_no_text, blank=True),
                Column(
                    "Tolerance",
                    "tolerance",
                    figure(Measure, "tolerance"),
                    figure_text,
                    blank=Decimal(default(Measure, "tolerance")),
                ),
                Column(
                    "Tolerance kind",
                    "tolerance_kind",
                    choice(Measure.Tolerance),
                    choice_label(Measure.Tolerance),
                    blank=Measure.Tolerance.POINTS,
                ),
                Column(
                    "Green band",
                    "green_band",
                    figure(Measure, "green_band"),
                    figure_text,
                    blank=Decimal(0),
                ),
                Column(
                    "Min denominator",
                    "min_denominator",
                    whole(0, 32767),
                    blank=default(Measure, "min_denominator"),
                ),
                Column(
                    "Change threshold (%)",
                    "change_threshold_percent",
                    figure(Measure, "change_threshold_percent", percent=True),
                    figure_text,
                    blank=Decimal(default(Measure, "change_threshold_percent")),
                ),
                Column(
                    "Reporting areas",
                    "reporting_areas",
                    code_list,
                    code_list_text,
                    blank=frozenset(),
                ),
            ),
            key=("code",),
            about="measure",
        ),
        TARGETS: Sheet(
            TARGETS,
            (
                Column("Measure", "measure", code(60), required=True, hint="the measure's code"),
                Column(
                    "Kind",
                    "kind",
                    choice(Target.Kind),
                    choice_label(Target.Kind),
                    required=True,
                    hint="the kind of target",
                ),
                Column("Starts", "starts", month, month_text, required=True, hint="its month"),
                Column(
                    "Value",
                    "value",
                    figure(Target, "value", percent=True),
                    figure_text,
                    required=True,
                    hint="the target",
                ),
                Column("Due", "due", month, month_text, blank=None),
                Column("Note", "note", text(length(Target, "note"))),
            ),
            key=("measure", "kind", "starts"),
            about="target",
        ),
        BASELINES: Sheet(
            BASELINES,
            (
                Column("Measure", "measure", code(60), required=True, hint="the measure's code"),
                Column("Date", "date", day, date.isoformat, required=True, hint="its date"),
                Column(
                    "Value",
                    "value",
                    figure(Baseline, "value", percent=True),
                    figure_text,
                    required=True,
                    hint="the baseline",
                ),
                Column(
                    "Label",
                    "label",
                    text(length(Baseline, "label")),
                    required=True,
                    hint="its label",
                ),
            ),
            key=("measure", "date"),
            about="baseline",
        ),
        BENCHMARKS: Sheet(
            BENCHMARKS,
            (
                Column("Measure", "measure", code(60), required=True, hint="the measure's code"),
                Column(
                    "Compared with",
                    "comparator",
                    choice(Benchmark.Comparator),
                    choice_label(Benchmark.Comparator),
                    required=True,
                    hint="what it is compared with",
                ),
                Column(
                    "Period", "period", period, str, required=True, hint="the period, like 2020-21"
                ),
                Column(
                    "Value",
                    "value",
                    figure(Benchmark, "value", percent=True),
                    figure_text,
                    required=True,
                    hint="the benchmark",
                ),
                Column("Source", "source", text(length(Benchmark, "source"))),
            ),
            key=("measure", "comparator", "period"),
            about="benchmark",
        ),
        POPULATIONS: Sheet(
            POPULATIONS,
            (
                Column("Area", "area", code(60), required=True, hint="the area's code"),
                Column("Year", "year", year, required=True, hint="the year"),
                Column(
                    "Children aged 0-17",
                    "children_0_17",
                    whole(1, 2_147_483_647),
                    required=True,
                    hint="the number of children",
                ),
                Column("Source", "source", text(length(Population, "source"))),
            ),
            key=("area", "year"),
            about="population",
        ),
        STAFF: Sheet(
            STAFF,
            (
                Column("Username", "username", username, required=True, hint="the username"),
                Column("First name", "first_name", text(length(user, "first_name"))),
                Column("Last name", "last_name", text(length(user, "last_name"))),
                Column("Email", "email", email),
                Column("Manages", "manages", code_list, code_list_text, blank=frozenset()),
            ),
            key=("username",),
            about="team manager",
        ),
    }


_SHEETS: dict[str, Sheet] | None = None


def sheets() -> dict[str, Sheet]:
    """The sheets by name, in the file's order (built once: the models must be loaded)."""
    global _SHEETS
    if _SHEETS is None:
        _SHEETS = _sheets()
    return _SHEETS
