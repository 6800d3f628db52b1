"""The plain-value rule modules name the models' choices as plain strings (no
ORM there); each string must be one of the choices it stands for, so a choice
renamed in the models fails here rather than silently matching nothing."""

from scorecard import figures, formatting, rag, workflow
from scorecard.models import Measure, MonthlyReturn, Rating, ReturnValue


def test_the_workflow_states_are_the_return_statuses():
    states = {workflow.DRAFT, workflow.SUBMITTED, workflow.RETURNED, workflow.APPROVED}
    assert states == set(MonthlyReturn.Status.values)
    assert states == workflow.EDITABLE | workflow.SENT
    assert not workflow.EDITABLE & workflow.SENT
    for transition in workflow.TRANSITIONS.values():
        assert transition.sources <= states and transition.target in states


def test_the_entry_kinds_are_the_measures_entries_and_their_fields_are_a_values_fields():
    assert {figures.RATIO, figures.COUNT, figures.VALUE} == set(Measure.Entry.values)
    assert set(figures.ENTRY_FIELDS) == set(Measure.Entry.values)
    columns = {f.name for f in ReturnValue._meta.get_fields()}
    for fields in figures.ENTRY_FIELDS.values():
        assert set(fields) <= columns


def test_the_units_the_rules_tell_apart_are_measure_units():
    assert {figures.PERCENT, figures.RATE_10K, figures.UNIT_COUNT} <= set(Measure.Unit.values)
    assert set(formatting.SUFFIX) <= set(Measure.Unit.values)


def test_the_ratings_polarities_and_tolerances_are_the_models_choices():
    assert {rag.GREEN, rag.AMBER, rag.RED, rag.NO_RATING} == set(Rating.values)
    assert set(formatting.RATING_WORDS) == set(Rating.values)
    assert {rag.HIGHER, rag.LOWER, rag.NO_POLARITY} == set(Measure.Polarity.values)
    assert {rag.POINTS, rag.RELATIVE} == set(Measure.Tolerance.values)


def test_the_frequencies_and_period_kinds_are_the_models_choices():
    from scorecard import periods
    from scorecard.models import Benchmark

    assert set(periods.DUE_MONTHS) == set(Measure.Frequency.values)
    assert set(periods.LAST_PERIOD_WORDS) == set(Measure.Frequency.values)
    assert set(periods.STARTS_IN) == set(Benchmark.PeriodKind.values)
    assert set(periods.LENGTH_IN_MONTHS) == set(Benchmark.PeriodKind.values)
