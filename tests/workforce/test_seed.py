"""The seed's workforce figures, reproduced by the engine from the sample."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from scorecard.models import Benchmark, MonthlyReturn, ScorecardResult, ServiceArea
from workforce import measures
from workforce.models import Staffing

pytestmark = pytest.mark.django_db
DEC, JAN = date(2014, 12, 1), date(2015, 1, 1)

SEED_SICKNESS = {
    "First Response": "3.1",
    "Children in Need South": "3.6",
    "Children in Need North": "5.8",
    "Care Services": "2.7",
    "Children with Disabilities & Children in Care": "6.6",
    "Family Resilience Service": "7.9",
    "Buckinghamshire Children's Services": "5.4",  # qualified social workers, all teams
}


def result(code, area_name, month):
    return ScorecardResult.objects.get(measure__code=code, area__name=area_name, month=month)


def test_december_2014_sickness_by_team_and_for_qualified_social_workers(sample):
    shown = {name: result(measures.SICKNESS, name, DEC) for name in SEED_SICKNESS}
    assert {name: str(r.value.quantize(D("0.1"))) for name, r in shown.items()} == SEED_SICKNESS
    family_resilience = shown["Family Resilience Service"]
    assert family_resilience.value == D("7.9")
    assert family_resilience.target == D("4.0")
    assert family_resilience.rating == "red"  # 3.9 points over, tolerance 1 point
    assert shown["First Response"].rating == "green"
    assert not shown["Buckinghamshire Children's Services"].provisional


def test_january_2015_turnover_against_the_statistical_neighbours(sample):
    turnover = result(measures.TURNOVER, "Buckinghamshire Children's Services", JAN)
    assert turnover.value == D("11.6")
    assert turnover.benchmark_comparison == {"stat_neighbours": "better"}
    benchmark = Benchmark.objects.get(measure__code=measures.TURNOVER)
    assert (benchmark.comparator, benchmark.value) == ("stat_neighbours", D("16.0"))


def test_first_response_headcount_grew_from_13_to_27_then_31(sample):
    first_response = ServiceArea.objects.get(name="First Response")
    series = dict(
        Staffing.objects.filter(monthly_return__area=first_response).values_list(
            "monthly_return__month", "fte_in_post"
        )
    )
    assert [series[date(2014, m, 1)] for m in range(4, 13)] + [series[JAN]] == [
        13,
        13,
        13,
        13,
        13,
        27,
        27,
        27,
        27,
        31,
    ]
    assert MonthlyReturn.objects.get(area=first_response, month=JAN).status == "approved"
    # Nothing the seed does not give is invented.
    assert not Staffing.objects.exclude(days_lost=None).exists()


def test_the_other_measures_keep_their_authority_history(sample):
    repeat = result("repeat-referrals", "Buckinghamshire Children's Services", DEC)
    assert repeat.value == D("25.0") and not repeat.provisional


def snapshot():
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"scorecard", "workforce", "auth"}
        and m._meta.model_name not in {"scorecardresult", "calculationrun"}
    ]
    return {m._meta.label: serializers.serialize("json", m.objects.order_by("pk")) for m in models}


def test_load_sample_twice_changes_nothing_in_the_workforce_either(db):
    call_command("load_sample", stdout=io.StringIO())
    before = snapshot()
    call_command("load_sample", stdout=io.StringIO())
    assert snapshot() == before
    assert before["workforce.Staffing"] != "[]"
