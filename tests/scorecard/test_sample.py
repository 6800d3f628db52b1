import csv
import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from scorecard.models import Measure, MonthlyReturn, ReturnValue, ServiceArea

pytestmark = pytest.mark.django_db

SEED_RATINGS = {
    "% repeat referrals": "Red",
    "% assessments completed in 45 days": "Red",
    "% children seen during assessment": "Amber",
    "% 16-18 year olds in care with an up-to-date pathway plan": "Green",
    "% care leavers with an up-to-date pathway plan": "Red",
    "% CLA placed no more than 20 miles from home": "Green",
    "% ICPC within 15 working days of the strategy discussion": "Red",
}


def export(month="2015-01"):
    out = io.StringIO()
    call_command("export_scorecard", "--month", month, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_export_scorecard_gives_the_seeds_seven_ratings(db):
    call_command("load_sample", stdout=io.StringIO())
    rows = {row["Measure"]: row for row in export()}
    assert {title: rows[title]["RAG"] for title in SEED_RATINGS} == SEED_RATINGS
    assert rows["% repeat referrals"]["Outturn"] == "31.0"
    assert rows["% repeat referrals"]["Target"] == "25.0"
    assert rows["% care leavers with an up-to-date pathway plan"]["Outturn"] == "66.8"


def test_export_carries_the_seeds_months_benchmarks_and_long_term_targets(sample):
    rows = {row["Measure"]: row for row in export()}
    referrals = rows["% repeat referrals"]
    months = [
        "Apr 2014",
        "May 2014",
        "Jun 2014",
        "Jul 2014",
        "Aug 2014",
        "Sep 2014",
        "Oct 2014",
        "Nov 2014",
        "Dec 2014",
        "Jan 2015",
    ]
    assert [referrals[m] for m in months] == [
        "35.0",
        "29.0",
        "33.0",
        "31.0",
        "23.0",
        "28.0",
        "27.0",
        "26.0",
        "25.0",
        "31.0",
    ]
    assert referrals["Feb 2015"] == "" and referrals["Mar 2015"] == ""
    assert referrals["Stat. neighbours (2014)"] == "23.4"
    assert referrals["South East (2014)"] == "28.1"
    assert referrals["National (2014)"] == "23.4"
    assert referrals["Long-term target (Jan 2016)"] == "23"
    assert referrals["Baseline"] == "30"
    pathway = rows["% 16-18 year olds in care with an up-to-date pathway plan"]
    assert pathway["Dec 2014"] == "n/a" and pathway["Jan 2015"] == "95.0"
    # context measures have benchmarks but no rating
    cp_rate = rows["Rate per 10,000 subject to a Child Protection Plan"]
    assert (cp_rate["Outturn"], cp_rate["RAG"], cp_rate["National (2014)"]) == ("29.1", "", "42.1")
    assert cp_rate["Unit"] == "per 10,000 children"


def test_sample_holds_the_seeds_structure(sample):
    assert ServiceArea.objects.filter(parent__isnull=True).count() == 1
    assert ServiceArea.objects.filter(parent__isnull=False).count() == 6
    assert Measure.objects.filter(is_headline=True).count() == 7
    assert (
        MonthlyReturn.objects.filter(
            status=MonthlyReturn.Status.APPROVED, area__parent__isnull=True
        ).count()
        == 10
    )
    commentary = ReturnValue.objects.get(
        measure__code="referrals", monthly_return__month="2015-01-01"
    )
    assert "decreased by 26%" in commentary.commentary


def snapshot():
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"scorecard", "auth"}
        and m._meta.model_name not in {"scorecardresult", "calculationrun"}
    ]
    return {m._meta.label: serializers.serialize("json", m.objects.order_by("pk")) for m in models}


def test_load_sample_twice_changes_nothing(db):
    call_command("load_sample", stdout=io.StringIO())
    before = snapshot()
    call_command("load_sample", stdout=io.StringIO())
    assert snapshot() == before


def test_load_sample_prints_the_demo_logins(db):
    out = io.StringIO()
    call_command("load_sample", stdout=out)
    for username in ["manager", "officer", "director", "admin"]:
        assert username in out.getvalue()
