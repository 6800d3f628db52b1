"""The Annex A app's part of the scorecard (`scorecard.extensions`): the
data-quality findings carried to a team's return, explained there."""

from scorecard.extensions import ScorecardPart

from . import forms, models

PART = ScorecardPart(
    return_section=forms.FindingsSection,
    audited_model=models.ReturnFindings,
    audited_fields=("findings", "commentary"),
    audited_subject="Annex A data quality",
)
