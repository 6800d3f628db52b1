"""A run for changed returns recalculates only what depends on them, and gives
exactly the results a full run gives: compared cell by cell after random
approvals, reopenings and corrections of the reference scorecard's returns."""

import dataclasses
import random
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard import engine, recalculation, roles, services, workflow
from scorecard.models import (
    CalculationRun,
    MonthlyReturn,
    RecalculationRequest,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
)
from tests import factories

APPROVED = MonthlyReturn.Status.APPROVED
SUBMITTED = MonthlyReturn.Status.SUBMITTED
COMPARED = [
    field.attname
    for field in ScorecardResult._meta.concrete_fields
    if field.attname not in ("id", "run_id")
]


def all_results() -> dict:
    return {
        (row["measure_id"], row["area_id"], row["month"]): row
        for row in ScorecardResult.objects.values(*COMPARED)
    }


def assert_same(incremental: dict, full: dict) -> None:
    assert incremental.keys() == full.keys()
    differing = [key for key in full if incremental[key] != full[key]]
    assert not differing, [
        (
            key,
            {
                name: (incremental[key][name], full[key][name])
                for name in incremental[key]
                if incremental[key][name] != full[key][name]
            },
        )
        for key in differing[:3]
    ]


def change_a_return(rng: random.Random) -> tuple[int, date]:
    """Correct, reopen, or approve one area's return as people do: a figure
    changed (sometimes to a small number), then approved afresh."""
    monthly_return = rng.choice(
        list(MonthlyReturn.objects.exclude(area__parent=None).order_by("pk"))
    )
    values = list(
        ReturnValue.objects.filter(monthly_return=monthly_return, numerator__isnull=False)
    )
    for value in rng.sample(values, min(3, len(values))):
        value.numerator = Decimal(rng.choice([0, 1, 2, 3, 8, 20, 45]))
        if value.denominator is not None:
            value.denominator = max(value.numerator, Decimal(rng.choice([2, 5, 40, 90])))
        value.save()
    if rng.random() < 0.3:
        monthly_return.status, monthly_return.approved_at = SUBMITTED, None
    else:
        monthly_return.status = APPROVED
        monthly_return.approved_at = "2026-11-20T09:00Z"
    monthly_return.save()
    return monthly_return.area_id, monthly_return.month


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(1, 9))
def test_runs_for_changed_returns_give_the_full_runs_results_cell_by_cell(sample, seed):
    rng = random.Random(seed)
    for _ in range(6):
        changed = {change_a_return(rng) for _ in range(rng.choice([1, 1, 2]))}
        engine.recalculate(changed=changed, trigger="approval")
    incremental = all_results()
    engine.recalculate(trigger="full")
    assert_same(incremental, all_results())


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(1, 4))
def test_over_years_of_history_the_process_control_charts_are_the_full_runs_too(seed):
    """Long enough for every chart to have limits, with small numbers withheld
    in some months, so a change moves later months' limits and signals."""
    factories.approved_returns(measures=2, area_count=3, months=28, name="Long")
    engine.recalculate(trigger="full")
    assert ScorecardResult.objects.exclude(spc_variation="").exists()
    rng = random.Random(seed)
    for _ in range(4):
        engine.recalculate(changed={change_a_return(rng)}, trigger="approval")
    incremental = all_results()
    engine.recalculate(trigger="full")
    assert_same(incremental, all_results())


@pytest.mark.django_db
def test_a_run_for_one_return_writes_only_the_results_that_depend_on_it(sample):
    monthly_return = MonthlyReturn.objects.exclude(area__parent=None).order_by("month").first()
    area, month = monthly_return.area, monthly_return.month
    run = engine.recalculate(changed={(area.pk, month)}, trigger="approval")
    written = ScorecardResult.objects.filter(run=run)
    authority = ServiceArea.objects.authority()
    assert set(written.values_list("area_id", flat=True)) <= {area.pk, authority.pk}
    months = sorted(set(written.values_list("month", flat=True)))
    assert months == engine.dependent_months([month], engine.months_to_cover())
    assert run.rows_written == written.count()
    assert (
        written.count()
        == ScorecardResult.objects.filter(area__in=[area, authority], month__in=months).count()
    )
    assert ScorecardResult.objects.exclude(run=run).exclude(area__in=[area, authority]).exists()


@pytest.mark.django_db
def test_the_command_s_month_also_recalculates_the_months_that_depend_on_it(sample):
    first = MonthlyReturn.objects.order_by("month").first().month
    run = engine.recalculate(months=[first], trigger="command")
    months = set(ScorecardResult.objects.filter(run=run).values_list("month", flat=True))
    covered = engine.months_to_cover()
    assert months == set(engine.dependent_months([first], covered)) and len(months) > 1


@pytest.mark.django_db
def test_an_approval_asks_for_its_own_return_only_and_the_run_takes_it_up(
    sample, django_capture_on_commit_callbacks
):
    officer = factories.user("po-approver", roles.PERFORMANCE_OFFICERS, is_staff=True)
    monthly_return = MonthlyReturn.objects.exclude(area__parent=None).order_by("-month").first()
    MonthlyReturn.objects.filter(pk=monthly_return.pk).update(
        status=SUBMITTED, approved_at=None, approved_by=None
    )
    monthly_return.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        services.transition_return(
            user=officer, monthly_return=monthly_return, action=workflow.APPROVE
        )
    waiting = RecalculationRequest.objects.get(done_at=None)
    assert (waiting.area_id, waiting.month) == (monthly_return.area_id, monthly_return.month)
    run = recalculation.run_waiting()
    assert run.outcome == CalculationRun.Outcome.SUCCEEDED
    assert set(ScorecardResult.objects.filter(run=run).values_list("area_id", flat=True)) <= {
        monthly_return.area_id,
        ServiceArea.objects.authority().pk,
    }


@pytest.mark.django_db
def test_a_request_for_everything_among_the_changes_makes_a_full_run(sample):
    monthly_return = MonthlyReturn.objects.exclude(area__parent=None).first()
    recalculation.request("approval", changed=(monthly_return.area_id, monthly_return.month))
    recalculation.request("target changed")
    run = recalculation.run_waiting()
    assert run.rows_written == ScorecardResult.objects.count()


@pytest.mark.django_db
def test_a_run_for_a_change_reads_and_writes_in_a_fixed_number_of_statements(sample):
    monthly_return = MonthlyReturn.objects.exclude(area__parent=None).order_by("month").first()
    with CaptureQueriesContext(connection) as one:
        engine.recalculate(changed={(monthly_return.area_id, monthly_return.month)})
    others = list(MonthlyReturn.objects.exclude(area__parent=None).order_by("month")[:4])
    with CaptureQueriesContext(connection) as four:
        engine.recalculate(changed={(r.area_id, r.month) for r in others})
    assert len(one) == len(four)


def test_the_engine_s_results_have_every_field_a_stored_result_has():
    stored = {field.name for field in ScorecardResult._meta.concrete_fields} - {"id"}
    assert {field.name for field in dataclasses.fields(engine.Result)} == stored


@pytest.mark.django_db
def test_results_stored_without_their_charts_state_still_give_the_full_runs_results():
    """Results written before each kept its chart's running state (or any result
    a run would go on from, missing): the run reads every month instead."""
    factories.approved_returns(measures=2, area_count=3, months=28, name="Stateless")
    engine.recalculate(trigger="full")
    ScorecardResult.objects.update(spc_state={})
    rng = random.Random(7)
    engine.recalculate(changed={change_a_return(rng)}, trigger="approval")
    incremental = all_results()
    engine.recalculate(trigger="full")
    full = all_results()
    for row in [*incremental.values(), *full.values()]:
        del row["spc_state"]  # the results the run kept have none yet
    assert_same(incremental, full)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(1, 4))
def test_an_approval_in_a_month_not_yet_calculated_gives_the_full_runs_results(sample, seed):
    """The month an officer approves the first return of has no results yet: the
    run writes every area's results of it (inserted, with nothing to replace),
    the same as a full run's."""
    newest = MonthlyReturn.objects.order_by("-month").values_list("month", flat=True).first()
    ScorecardResult.objects.filter(month=newest).delete()  # as when the month has just opened
    rng = random.Random(seed)
    monthly_return = rng.choice(
        list(MonthlyReturn.objects.exclude(area__parent=None).filter(month=newest).order_by("pk"))
    )
    run = engine.recalculate(changed={(monthly_return.area_id, newest)}, trigger="approval")
    written = ScorecardResult.objects.filter(run=run, month=newest)
    assert written.count() == ScorecardResult.objects.filter(month=newest).count() > 0
    assert set(written.values_list("area_id", flat=True)) == set(
        ServiceArea.objects.filter(active=True).values_list("pk", flat=True)
    )
    incremental = all_results()
    engine.recalculate(trigger="full")
    assert_same(incremental, all_results())
