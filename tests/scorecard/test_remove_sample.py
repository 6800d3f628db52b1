"""`manage.py remove_sample`: the sample goes whole, with its results and demo
accounts, or nothing goes when something not from the sample would go with it."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command

from scorecard import engine, roles
from scorecard.models import (
    Measure,
    MonthlyReturn,
    Publication,
    ReturnContribution,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
)
from tests import factories
from workforce.models import Staffing

pytestmark = pytest.mark.django_db


def remove():
    out = io.StringIO()
    call_command("remove_sample", stdout=out)
    return out.getvalue()


def test_it_removes_the_sample_its_results_and_demo_accounts(sample):
    output = remove()

    assert not ServiceArea.objects.exists()
    assert not MonthlyReturn.objects.exists()
    assert not ReturnValue.objects.exists()
    assert not Staffing.objects.exists()
    assert not Measure.objects.exists()
    assert not ScorecardResult.objects.exists()
    assert not Publication.objects.exists()
    assert not get_user_model().objects.exists()
    assert output.startswith("Sample removed: ")


def test_the_removal_is_audited(sample):
    remove()
    removed = ServiceArea.pgh_event_model.objects.filter(pgh_label="delete")
    assert removed.count() == 7
    assert {event.pgh_context.metadata["action"] for event in removed} == {"remove sample"}


def test_after_removal_a_recalculation_leaves_nothing_and_the_director_sees_an_empty_state(
    sample, client
):
    remove()
    engine.recalculate()
    assert not ScorecardResult.objects.exists()

    cache.clear()
    client.force_login(factories.user("dir-new", roles.DIRECTORS))
    page = client.get("/summary/")
    assert page.status_code == 200
    assert "There are no calculated figures yet." in page.content.decode()
    assert "Red" not in page.content.decode().split("<main", 1)[1]


def test_it_refuses_when_a_real_user_entered_figures(sample):
    real = factories.user("real-tm", roles.TEAM_MANAGERS)
    monthly_return = MonthlyReturn.objects.get(area__slug="first-response", month=date(2015, 2, 1))
    ReturnContribution.objects.create(
        monthly_return=monthly_return, cycle=monthly_return.cycle, user=real, item="referrals"
    )
    before = ServiceArea.objects.count(), ScorecardResult.objects.count()

    with pytest.raises(CommandError, match="Nothing was removed") as refused:
        remove()

    assert "by people other than the demo accounts (e.g. First Response February 2015)" in str(
        refused.value
    )
    assert (ServiceArea.objects.count(), ScorecardResult.objects.count()) == before
    assert get_user_model().objects.filter(username="director").exists()


def test_it_refuses_when_an_area_is_not_the_samples(sample):
    factories.area("Duty and Assessment", parent=ServiceArea.objects.authority())
    with pytest.raises(CommandError, match="not the sample's: Duty and Assessment"):
        remove()
    assert ServiceArea.objects.count() == 8


def test_it_refuses_when_returns_carry_a_measure_not_from_the_sample(sample):
    measure = factories.measure(title="% local measure")
    factories.value(MonthlyReturn.objects.filter(area__slug="cin-north").first(), measure, 1, 2)
    with pytest.raises(CommandError, match="measures not from the sample: % local measure"):
        remove()
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_without_the_sample_there_is_nothing_to_remove(db):
    factories.authority()
    with pytest.raises(CommandError, match="There is no sample to remove"):
        remove()
    assert ServiceArea.objects.count() == 1


def test_a_real_installation_can_start_after_the_sample_is_removed(sample, monkeypatch):
    remove()
    monkeypatch.setenv("AUTHORITY_ADMIN_PASSWORD", "a-long-admin-password-7")
    call_command(
        "start_authority",
        "--name=Anyshire",
        "--region=South West",
        "--admin-username=admin",
        "--admin-email=admin@anyshire.example",
        "--no-input",
        stdout=io.StringIO(),
    )
    assert ServiceArea.objects.get().name == "Anyshire"
