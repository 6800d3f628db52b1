"""A test app with a misbehaving figure source: it gives whatever the test puts
in FIGURES, through the scorecard's one extension point, as any app would."""

from scorecard.extensions import ScorecardPart

FIGURES = {}  # {(measure code, area id, month): figures.Figure}

PART = ScorecardPart(figure_source=lambda window: dict(FIGURES))
