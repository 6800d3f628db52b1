"""Writes to the staffing section of a return."""

from decimal import Decimal

from scorecard.models import MonthlyReturn
from scorecard.services import save_changed

from .models import FIGURE_FIELDS, Staffing


def staffing_save(*, monthly_return: MonthlyReturn,
                  figures: dict[str, Decimal | None]) -> Staffing | None:
    """Store the staffing figures of a return, writing only what changed.

    Not to be called on its own: `scorecard.services.save_return` calls it as a
    section of the return (see `StaffingForm.save_section`), inside its
    transaction, on the return it has locked and found open for entry, under
    its audit context; so the staffing is saved, submitted and audited with
    the return's figures, or not at all."""
    values = {name: figures.get(name) for name in FIGURE_FIELDS}
    staffing = Staffing.objects.filter(monthly_return=monthly_return).first()
    if staffing is None:
        if all(value is None for value in values.values()):
            return None  # nothing typed, nothing to keep
        return Staffing.objects.create(monthly_return=monthly_return, **values)
    save_changed(staffing, values)
    return staffing
