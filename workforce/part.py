"""The workforce app's part of the scorecard (`scorecard.extensions`), named by
`WorkforceConfig.scorecard_part`: its figures for the engine, the staffing
section of the return, its part of the sample and its audited figures."""

from scorecard.extensions import ScorecardPart

from . import benchmark_data, forms, measures, models, sample, sources

PART = ScorecardPart(
    figure_source=sources.staffing_figures,
    measures=frozenset(measures.CODES),
    return_section=forms.StaffingForm,
    sample_loader=sample.load,
    benchmark_loader=benchmark_data.load,
    audited_model=models.Staffing,
    audited_fields=(*models.FIGURE_FIELDS, "commentary"),
    audited_subject="Staffing",
)
