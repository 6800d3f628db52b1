"""Small numbers: below the authority, a count under the threshold could point
to a child, so it is shown as 'c' (as the DfE's statistics do), and so is a
percentage worked out from one. Plain values in, a yes or no out."""

from decimal import Decimal

from . import figures

SUPPRESSED = "c"
NOTE = (
    "c: fewer than {threshold}, not shown below the authority level so that no "
    "child can be identified."
)


def is_small(count: Decimal | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


def suppressed(
    *,
    is_authority: bool,
    about_children: bool,
    unit: str,
    entry: str,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    threshold: int,
) -> bool:
    """`about_children`: whether the measure counts children (staffing figures do not)."""
    if is_authority or not about_children:
        return False
    if unit == figures.UNIT_COUNT:
        return is_small(value, threshold)
    if entry == figures.RATIO:
        return is_small(numerator, threshold) or is_small(denominator, threshold)
    if entry == figures.COUNT:
        return is_small(numerator, threshold)
    return False


def withheld_areas(primary: set, sizes: dict) -> set:
    """The areas of one breakdown (one measure and month) to withhold: those with
    a small number (`primary`) and, where exactly one is withheld while the
    authority's total is shown beside them, the smallest other area too, so that
    the withheld figure cannot be worked out as the total less the rest
    (secondary suppression). `sizes`: {area: the count its figure rests on}."""
    withheld = set(primary)
    if len(withheld) == 1:
        others = sorted(
            (size, str(area), area)
            for area, size in sizes.items()
            if area not in withheld and size is not None
        )
        if others:
            withheld.add(others[0][2])
    return withheld


def size_of(
    *,
    unit: str,
    entry: str,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
) -> Decimal | None:
    """The count a figure rests on, for choosing the area to withhold second."""
    if entry == figures.RATIO:
        return denominator
    if unit == figures.UNIT_COUNT:
        return value
    return numerator
