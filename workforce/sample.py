"""The workforce part of the sample (`manage.py load_sample`): the staffing
figures the seed gives, on approved returns of imported history.

The seed gives First Response's number of social workers and, elsewhere, only
rates (sickness by team, turnover): the rates are measure values in
`scorecard/data/sample.json`, used by the engine as reported. No other staffing
figure is invented. Safe to run again: a figure is written only when it differs.
"""

from decimal import Decimal

from scorecard.sample import approved_history_return

from .models import Staffing


def load(*, data, areas, months, officer) -> None:
    workforce = data.get("workforce", {})
    for slug, series in workforce.get("fte_in_post", {}).items():
        for month, fte in zip(months, series, strict=True):
            if fte is None:
                continue
            monthly_return = approved_history_return(areas[slug], month, officer, data["source"])
            staffing, created = Staffing.objects.get_or_create(
                monthly_return=monthly_return, defaults={"fte_in_post": Decimal(fte)}
            )
            if not created and staffing.fte_in_post != Decimal(fte):
                staffing.fte_in_post = Decimal(fte)
                staffing.save(update_fields=["fte_in_post"])
