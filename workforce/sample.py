"""The workforce part of the sample (`manage.py load_sample`): the staffing
figures and the staffing commentary the seed gives, on approved returns of
imported history.

The seed gives First Response's number of social workers (as FTE and headcount)
and the words on it ("First Response went from 13 to 27 social workers from
September and a further 4 ... in January"), and elsewhere only rates (sickness
by team, turnover): the rates are measure values in `scorecard/data/sample.json`,
used by the engine as reported. No other staffing figure is invented. Safe to
run again: a figure is written only when it differs.
"""

from datetime import date
from decimal import Decimal

from scorecard.sample import approved_history_return
from scorecard.services import save_changed

from .models import Staffing

SERIES = ("fte_in_post", "headcount_in_post")


def _staffing(area, month, officer, source) -> Staffing:
    monthly_return = approved_history_return(area, month, officer, source)
    return Staffing.objects.get_or_create(monthly_return=monthly_return)[0]


def load(*, data, areas, months, officer) -> None:
    workforce = data.get("workforce", {})
    figures: dict[tuple[str, date], dict] = {}
    for name in SERIES:
        for slug, series in workforce.get(name, {}).items():
            for month, figure in zip(months, series, strict=True):
                if figure is not None:
                    figures.setdefault((slug, month), {})[name] = Decimal(figure)
    for slug, said in workforce.get("commentary", {}).items():
        year, month = said["month"].split("-")
        figures.setdefault((slug, date(int(year), int(month), 1)), {})["commentary"] = said["text"]
    for (slug, month), values in figures.items():
        save_changed(_staffing(areas[slug], month, officer, data["source"]), values)
