"""The standard measure library: the measures English children's services
report (DfE's children in need census and SSDA903, the workforce census, Ofsted's
Annex A), so that a new authority adopts its catalogue instead of inventing it.

The library is a data file (`data/measure_library.json`). Adopting a measure
makes it an ordinary `Measure` with the library's code, title, definition,
wording, unit, polarity and source; the authority's own title for it becomes an
alias, so its spreadsheets still match. Workforce measures keep the codes the
workforce app computes them by.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from . import recalculation
from .models import Measure, MeasureGroup

LIBRARY_FILE = Path(__file__).resolve().parent / "data" / "measure_library.json"


@dataclass(frozen=True)
class LibraryMeasure:
    code: str
    title: str
    group: str
    unit: str
    polarity: str
    entry: str
    definition: str
    numerator_label: str
    denominator_label: str
    source: str  # the source's full name, as the measure keeps it
    level: str = Measure.Level.AREA  # rates per 10,000 children are the authority's

    @property
    def unit_label(self) -> str:
        return Measure.Unit(self.unit).label

    @property
    def polarity_label(self) -> str:
        return Measure.Polarity(self.polarity).label


@functools.cache
def _data() -> dict:
    return json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))


def library() -> tuple[LibraryMeasure, ...]:
    sources = _data()["sources"]
    return tuple(
        LibraryMeasure(**{**entry, "source": sources[entry["source"]]})
        for entry in _data()["measures"]
    )


def by_code() -> dict[str, LibraryMeasure]:
    return {entry.code: entry for entry in library()}


class AdoptionRefused(Exception):
    """A choice that cannot be adopted; `errors` maps a library code to why."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def adopt(choices: dict[str, str]) -> list[Measure]:
    """Adopt the library measures in `choices` ({code: the authority's own title,
    or ""}); an own title is added to the measure's aliases, also for a measure
    already adopted. All or nothing: a clash refuses every choice."""
    entries = by_code()
    existing = {measure.code: measure for measure in Measure.objects.all()}
    titles = {measure.title.casefold(): measure.code for measure in existing.values()}
    errors = {}
    for code, own_title in choices.items():
        entry = entries.get(code)
        if entry is None:
            errors[code] = f"'{code}' is not a measure in the library."
            continue
        holder = titles.get(entry.title.casefold())
        if code not in existing and holder is not None:
            errors[code] = (
                f"'{entry.title}': a measure with this title is already in use "
                f"(code {holder}). Rename that measure or adopt this one under it."
            )
        held_by = titles.get(own_title.strip().casefold())
        if own_title.strip() and held_by not in (None, code):
            errors[code] = (
                f"'{entry.title}': your title '{own_title.strip()}' is already the title of "
                f"another measure (code {held_by})."
            )
    if errors:
        raise AdoptionRefused(errors)

    adopted = []
    with transaction.atomic():
        groups = ensure_groups(entries[code].group for code in choices)
        order = Measure.objects.aggregate(last=Max("order"))["last"] or 0
        for code, own_title in choices.items():
            entry = entries[code]
            measure = existing.get(code)
            if measure is None:
                order += 1
                adopted.append(
                    Measure.objects.create(
                        code=entry.code,
                        title=entry.title,
                        aliases=with_alias("", entry.title, own_title),
                        group=groups[entry.group],
                        unit=entry.unit,
                        polarity=entry.polarity,
                        entry=entry.entry,
                        level=entry.level,
                        definition=entry.definition,
                        numerator_label=entry.numerator_label,
                        denominator_label=entry.denominator_label,
                        source=entry.source,
                        order=order,
                    )
                )
                continue
            aliases = with_alias(measure.aliases, measure.title, own_title)
            if aliases != measure.aliases:
                measure.aliases = aliases
                measure.save(update_fields=["aliases"])
        if adopted:
            recalculation.request("measure library")
    return adopted


def group_names() -> dict[str, str]:
    """The library's groups: {code: name}, in the library's order."""
    return _data()["groups"]


def ensure_groups(codes) -> dict[str, MeasureGroup]:
    """The authority's groups by code, adding any of the library's named in `codes`
    that it lacks (removed, or a database emptied since the migration made them)."""
    groups = {group.code: group for group in MeasureGroup.objects.all()}
    last = max((group.order for group in groups.values()), default=0)
    for code in dict.fromkeys(codes):
        if code not in groups:
            last += 1
            groups[code] = MeasureGroup.objects.create(
                code=code, name=group_names()[code], order=last
            )
    return groups


def with_alias(aliases: str, title: str, own_title: str) -> str:
    """`aliases` (one per line) with `own_title` added, unless the measure already
    goes by that name (letter case aside)."""
    names = [line for line in aliases.splitlines() if line.strip()]
    own_title = own_title.strip()
    if not own_title or own_title.casefold() in {n.casefold() for n in [title, *names]}:
        return aliases
    return "\n".join([*names, own_title])
