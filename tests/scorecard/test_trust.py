"""Figures a director can trust (issue 11): four eyes over whoever shaped the
figures, no path around the lock, revisions shown as revisions, small numbers
that cannot leak, rates that never silently vanish, the month a director can
rely on, and the Green band. On PostgreSQL."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from scorecard import engine, roles, services, validation, workflow
from scorecard.forms import _rules
from scorecard.models import (
    Measure,
    MonthlyReturn,
    ReturnValue,
    ScorecardResult,
    Target,
)
from tests import factories

JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)


@pytest.fixture
def measure(area):
    measure = factories.measure(title="% children seen", level=Measure.Level.AREA)
    measure.reporting_areas.set([area])
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=90,
                          starts=date(2014, 4, 1))
    return measure


@pytest.fixture
def authority_return(measure):
    monthly_return = factories.monthly_return(factories.authority(), FEB)
    factories.value(monthly_return, measure)
    return monthly_return


def lines(monthly_return, **typed):
    result = []
    for value in ReturnValue.objects.filter(monthly_return=monthly_return).select_related(
            "measure"):
        entry = validation.Entry(_rules(value.measure), **typed)
        validation.check(entry, submitting=False)
        result.append(services.LineInput(value.pk, entry))
    return result


def save(user, monthly_return, submit=False, **typed):
    monthly_return.refresh_from_db()
    return services.save_return(user=user, monthly_return=monthly_return,
                                lines=lines(monthly_return, **typed),
                                expected_version=monthly_return.version, submit=submit)


def approve(user, monthly_return):
    return services.transition_return(user=user, monthly_return=monthly_return,
                                      action=workflow.APPROVE)


# --- 1. four eyes over whoever shaped the figures ------------------------------


def test_an_officer_who_typed_the_figures_cannot_approve_what_a_colleague_submitted(
        authority_return, officer, second_officer):
    save(officer, authority_return, numerator="9", denominator="10", commentary="Typed by 1")
    save(second_officer, authority_return, submit=True, numerator="9", denominator="10",
         commentary="Typed by 1")
    with pytest.raises(services.Refused, match="You changed 1 figure in this return, so "
                                               "someone else must approve it"):
        approve(officer, authority_return)
    authority_return.refresh_from_db()
    assert authority_return.status == MonthlyReturn.Status.SUBMITTED


def test_someone_who_shaped_nothing_approves_and_a_new_round_starts(
        authority_return, officer, second_officer, administrator):
    third = factories.user("po-3", roles.PERFORMANCE_OFFICERS)
    save(officer, authority_return, numerator="9", denominator="10")
    save(second_officer, authority_return, submit=True, numerator="9", denominator="10")
    approved = approve(third, authority_return)
    assert approved.status == MonthlyReturn.Status.APPROVED and approved.approved_by == third
    # reopened, changed by the third officer, submitted by the second: the first
    # officer's earlier round is approved and closed, so they may approve this one
    services.transition_return(user=officer, monthly_return=authority_return,
                               action=workflow.REOPEN, reason="Correction")
    save(third, authority_return, numerator="8", denominator="10")
    save(second_officer, authority_return, submit=True, numerator="8", denominator="10")
    with pytest.raises(services.Refused, match="You changed 1 figure"):
        approve(third, authority_return)
    assert approve(officer, authority_return).approved_by == officer


def test_the_review_page_says_why_the_approve_button_is_missing(
        client, authority_return, officer, second_officer):
    save(officer, authority_return, numerator="9", denominator="10", commentary="x")
    save(second_officer, authority_return, submit=True, numerator="9", denominator="10",
         commentary="x")
    client.force_login(officer)
    page = client.get(f"/returns/{authority_return.pk}/").content.decode()
    assert "You changed 1 figure in this return, so someone else must approve it" in page
    assert 'value="approve"' not in page
    authority_return.refresh_from_db()
    response = client.post(f"/returns/{authority_return.pk}/review/",
                           {"action": "approve", "version": authority_return.version})
    assert response.status_code == 409
    assert "You changed 1 figure in this return" in response.content.decode()
    authority_return.refresh_from_db()
    assert authority_return.status == MonthlyReturn.Status.SUBMITTED


def test_the_database_refuses_an_approval_by_someone_who_shaped_the_figures(
        authority_return, officer, second_officer):
    save(officer, authority_return, numerator="9", denominator="10")
    save(second_officer, authority_return, submit=True, numerator="9", denominator="10")
    with pytest.raises(IntegrityError, match="four eyes"), transaction.atomic():
        MonthlyReturn.objects.filter(pk=authority_return.pk).update(
            status="approved", approved_by=officer, approved_at="2015-03-01T12:00Z")


def test_staffing_changes_count_as_shaping_the_return(area, team_manager, officer):
    from workforce.models import Staffing
    from workforce.services import staffing_save

    monthly_return = factories.monthly_return(area, FEB)
    changed = staffing_save(monthly_return=monthly_return, figures={"fte_in_post": D("12.5")})
    assert changed == ["fte_in_post"]
    assert staffing_save(monthly_return=monthly_return,
                         figures={"fte_in_post": D("12.5")}) == []
    assert Staffing.objects.get(monthly_return=monthly_return).fte_in_post == D("12.5")


# --- 8. the Green band, through the engine ------------------------------------


def test_a_green_band_rates_in_line_with_target_green_and_no_further(area, measure):
    monthly_return = factories.monthly_return(area, FEB, status="approved",
                                              approved_at="2015-03-01T12:00Z")
    value = factories.value(monthly_return, measure, numerator="898", denominator="1000")
    engine.recalculate()
    assert ScorecardResult.objects.get(measure=measure, area=area).rating == "amber"
    Measure.objects.filter(pk=measure.pk).update(green_band=D("0.2"))
    engine.recalculate()
    assert ScorecardResult.objects.get(measure=measure, area=area).rating == "green"
    ReturnValue.objects.filter(pk=value.pk).update(numerator=897)
    engine.recalculate()
    assert ScorecardResult.objects.get(measure=measure, area=area).rating == "amber"


# --- 2. no path around the lock ------------------------------------------------


def _snapshot():
    from workforce.models import Staffing

    return (
        list(MonthlyReturn.objects.order_by("pk").values()),
        list(ReturnValue.objects.order_by("pk").values()),
        list(Staffing.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("status", ["approved", "submitted"])
def test_no_admin_form_changes_an_approved_or_submitted_return(
        client, area, other_area, measure, administrator, officer, status):
    from django.contrib.admin.sites import site
    from django.urls import reverse

    from workforce.models import Staffing

    monthly_return = factories.monthly_return(
        area, FEB, status=status, submitted_by=officer,
        approved_at="2015-03-01T12:00Z" if status == "approved" else None)
    value = factories.value(monthly_return, measure, numerator=9, denominator=10)
    staffing = Staffing.objects.create(monthly_return=monthly_return, fte_in_post=D("12.5"))
    other = factories.monthly_return(other_area, FEB)
    before = _snapshot()
    client.force_login(administrator)
    forms = {
        MonthlyReturn: (monthly_return, {"area": other_area.pk, "month": "2015-01-01",
                                         "status": "draft", "values-TOTAL_FORMS": "1",
                                         "values-INITIAL_FORMS": "1",
                                         "values-0-id": value.pk, "values-0-numerator": "1",
                                         "values-0-monthly_return": monthly_return.pk}),
        ReturnValue: (value, {"monthly_return": other.pk, "measure": measure.pk,
                              "numerator": "1", "denominator": "10"}),
        Staffing: (staffing, {"monthly_return": other.pk, "fte_in_post": "99"}),
    }
    for model, (obj, data) in forms.items():
        assert model in site._registry, model
        info = (model._meta.app_label, model._meta.model_name)
        change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200
        assert b'name="numerator"' not in page.content and b'name="fte_in_post"' not in page.content
        client.post(change, data)
        client.post(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]), {"post": "yes"})
        client.post(reverse("admin:{}_{}_changelist".format(*info)),
                    {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code in (200, 403)
        if model is not MonthlyReturn:
            client.post(reverse("admin:{}_{}_add".format(*info)), data)
    assert _snapshot() == before
