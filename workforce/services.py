"""Writes to the staffing section of a return."""

from decimal import Decimal

from scorecard.models import MonthlyReturn
from scorecard.services import save_changed

from .models import FIGURE_FIELDS, Staffing


def staffing_save(
    *,
    monthly_return: MonthlyReturn,
    figures: dict[str, Decimal | None],
    commentary: str | None = None,
) -> list[str]:
    """Store the staffing figures of a return, and its staffing commentary unless
    None, writing only what changed; returns the names of the fields changed (who
    changed them shaped the return).

    Not to be called on its own: `scorecard.services.save_return` calls it as a
    section of the return (see `StaffingForm.save_section`), inside its
    transaction, on the return it has locked and found open for entry, under
    its audit context; so the staffing is saved, submitted and audited with
    the return's figures, or not at all."""
    values = {name: figures.get(name) for name in FIGURE_FIELDS}
    if commentary is not None:
        values["commentary"] = commentary.strip()
    staffing = Staffing.objects.filter(monthly_return=monthly_return).first()
    if staffing is None:
        typed = [name for name, value in values.items() if value not in (None, "")]
        if typed:  # nothing typed, nothing to keep
            Staffing.objects.create(monthly_return=monthly_return, **values)
        return typed
    return save_changed(staffing, values)
