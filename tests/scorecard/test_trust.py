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
from tests.scorecard.test_services import save

JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)


@pytest.fixture
def measure(area):
    measure = factories.measure(title="% children seen", level=Measure.Level.AREA)
    measure.reporting_areas.set([area])
    Target.objects.create(
        measure=measure, kind=Target.Kind.IN_YEAR, value=90, starts=date(2014, 4, 1)
    )
    return measure


@pytest.fixture
def authority_return(measure):
    monthly_return = factories.monthly_return(factories.authority(), FEB)
    factories.value(monthly_return, measure)
    return monthly_return


def approve(user, monthly_return):
    return services.transition_return(
        user=user, monthly_return=monthly_return, action=workflow.APPROVE
    )


# --- 1. four eyes over whoever shaped the figures ------------------------------


def test_an_officer_who_typed_the_figures_cannot_approve_what_a_colleague_submitted(
    authority_return, officer, second_officer
):
    save(officer, authority_return, numerator="9", denominator="10", commentary="Typed by 1")
    save(
        second_officer,
        authority_return,
        submit=True,
        numerator="9",
        denominator="10",
        commentary="Typed by 1",
    )
    with pytest.raises(
        services.Refused,
        match="You changed 1 figure in this return, so someone else must approve it",
    ):
        approve(officer, authority_return)
    authority_return.refresh_from_db()
    assert authority_return.status == MonthlyReturn.Status.SUBMITTED


def test_someone_who_shaped_nothing_approves_and_a_new_round_starts(
    authority_return, officer, second_officer, administrator
):
    third = factories.user("po-3", roles.PERFORMANCE_OFFICERS)
    save(officer, authority_return, numerator="9", denominator="10")
    save(second_officer, authority_return, submit=True, numerator="9", denominator="10")
    approved = approve(third, authority_return)
    assert approved.status == MonthlyReturn.Status.APPROVED and approved.approved_by == third
    # reopened, changed by the third officer, submitted by the second: the first
    # officer's earlier round is approved and closed, so they may approve this one
    services.transition_return(
        user=officer, monthly_return=authority_return, action=workflow.REOPEN, reason="Correction"
    )
    save(third, authority_return, numerator="8", denominator="10")
    save(second_officer, authority_return, submit=True, numerator="8", denominator="10")
    with pytest.raises(services.Refused, match="You changed 1 figure"):
        approve(third, authority_return)
    assert approve(officer, authority_return).approved_by == officer


def test_the_review_page_says_why_the_approve_button_is_missing(
    client, authority_return, officer, second_officer
):
    save(officer, authority_return, numerator="9", denominator="10", commentary="x")
    save(
        second_officer,
        authority_return,
        submit=True,
        numerator="9",
        denominator="10",
        commentary="x",
    )
    client.force_login(officer)
    page = client.get(f"/returns/{authority_return.pk}/").content.decode()
    assert "You changed 1 figure in this return, so someone else must approve it" in page
    assert 'value="approve"' not in page
    authority_return.refresh_from_db()
    response = client.post(
        f"/returns/{authority_return.pk}/review/",
        {"action": "approve", "version": authority_return.version},
    )
    assert response.status_code == 409
    assert "You changed 1 figure in this return" in response.content.decode()
    authority_return.refresh_from_db()
    assert authority_return.status == MonthlyReturn.Status.SUBMITTED


def test_the_database_refuses_an_approval_by_someone_who_shaped_the_figures(
    authority_return, officer, second_officer
):
    save(officer, authority_return, numerator="9", denominator="10")
    save(second_officer, authority_return, submit=True, numerator="9", denominator="10")
    with pytest.raises(IntegrityError, match="four eyes"), transaction.atomic():
        MonthlyReturn.objects.filter(pk=authority_return.pk).update(
            status="approved", approved_by=officer, approved_at="2015-03-01T12:00Z"
        )


def test_staffing_changes_count_as_shaping_the_return(area, team_manager, officer):
    from workforce.models import Staffing
    from workforce.services import staffing_save

    monthly_return = factories.monthly_return(area, FEB)
    changed = staffing_save(monthly_return=monthly_return, figures={"fte_in_post": D("12.5")})
    assert changed == ["fte_in_post"]
    assert staffing_save(monthly_return=monthly_return, figures={"fte_in_post": D("12.5")}) == []
    assert Staffing.objects.get(monthly_return=monthly_return).fte_in_post == D("12.5")


# --- 8. the Green band, through the engine ------------------------------------


def test_a_green_band_rates_in_line_with_target_green_and_no_further(area, measure):
    monthly_return = factories.monthly_return(
        area, FEB, status="approved", approved_at="2015-03-01T12:00Z"
    )
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
    client, area, other_area, measure, administrator, officer, status
):
    from django.contrib.admin.sites import site
    from django.urls import reverse

    from workforce.models import Staffing

    monthly_return = factories.monthly_return(
        area,
        FEB,
        status=status,
        submitted_by=officer,
        approved_at="2015-03-01T12:00Z" if status == "approved" else None,
    )
    value = factories.value(monthly_return, measure, numerator=9, denominator=10)
    staffing = Staffing.objects.create(monthly_return=monthly_return, fte_in_post=D("12.5"))
    other = factories.monthly_return(other_area, FEB)
    before = _snapshot()
    client.force_login(administrator)
    forms = {
        MonthlyReturn: (
            monthly_return,
            {
                "area": other_area.pk,
                "month": "2015-01-01",
                "status": "draft",
                "values-TOTAL_FORMS": "1",
                "values-INITIAL_FORMS": "1",
                "values-0-id": value.pk,
                "values-0-numerator": "1",
                "values-0-monthly_return": monthly_return.pk,
            },
        ),
        ReturnValue: (
            value,
            {
                "monthly_return": other.pk,
                "measure": measure.pk,
                "numerator": "1",
                "denominator": "10",
            },
        ),
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
        client.post(
            reverse("admin:{}_{}_changelist".format(*info)),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code in (200, 403)
        if model is not MonthlyReturn:
            client.post(reverse("admin:{}_{}_add".format(*info)), data)
    assert _snapshot() == before


# --- 5. small numbers that cannot leak ------------------------------------------


def _approved(area, month=FEB):
    return factories.monthly_return(area, month, status="approved", approved_at="2015-03-01T12:00Z")


@pytest.fixture
def three_teams(db):
    teams = [factories.area(name) for name in ("North", "South", "East")]
    seen = factories.measure(title="% seen in time", level=Measure.Level.AREA)
    seen.reporting_areas.set(teams)
    Target.objects.create(measure=seen, kind=Target.Kind.IN_YEAR, value=90, starts=date(2014, 4, 1))
    # North: 1 of 3 (small); South 18 of 20; East 40 of 50
    for team, (n, d) in zip(teams, [(1, 3), (18, 20), (40, 50)], strict=True):
        factories.value(_approved(team, JAN), seen, numerator=n + 1, denominator=d + 1)
        factories.value(_approved(team), seen, numerator=n, denominator=d)
    engine.recalculate()
    return teams, seen


def test_a_withheld_team_shows_no_rating_direction_or_n_and_a_second_team_is_withheld(
    client, three_teams
):
    (north, south, east), seen = three_teams
    results = {r.area_id: r for r in ScorecardResult.objects.filter(measure=seen, month=FEB)}
    assert results[north.pk].suppressed and results[north.pk].rating == "none"
    assert results[north.pk].against_last_month == ""
    # the smallest other team is withheld too, so North = authority - the rest fails
    assert results[south.pk].suppressed and not results[east.pk].suppressed
    client.force_login(factories.user("dir", roles.DIRECTORS))
    page = client.get(f"/scorecard/?area={north.pk}&month=2015-02").content.decode()
    row = page[page.index("% seen in time") :]
    row = row[: row.index("</tr>")]
    for leak in ("Red", "Amber", "Green", "Worsening", "Improving", "n=3", "33.3"):
        assert leak not in row, leak
    csv_text = client.get(f"/scorecard/?area={north.pk}&month=2015-02&export=csv").content
    csv_text = csv_text.decode("utf-8-sig")
    line = next(line for line in csv_text.splitlines() if "% seen in time" in line)
    for leak in ("Red", "Worsening", "33.3"):
        assert leak not in line
    detail = client.get(f"/scorecard/measures/{seen.code}/?month=2015-02").content.decode()
    breakdown = detail[detail.index("by service area") :]
    assert ">1<" not in breakdown and ">3<" not in breakdown
    assert ">18<" not in breakdown and ">20<" not in breakdown  # secondary
    assert "n=73" in detail  # the authority's percentage shows its n


def test_too_few_to_rate_is_said_never_green_or_red(area, measure, client):
    factories.value(_approved(factories.authority()), measure, numerator=3, denominator=3)
    engine.recalculate()
    authority = ScorecardResult.objects.get(measure=measure, area=factories.authority())
    assert authority.value == 100 and authority.rating == "none"
    assert authority.note == "too few to rate: 3 children"
    client.force_login(factories.user("dir", roles.DIRECTORS))
    page = client.get("/scorecard/?month=2015-02").content.decode()
    assert "Too few to rate: 3 children" in page


# --- 6. rates per 10,000 never silently vanish ----------------------------------


def test_a_missing_population_is_said_in_the_cell_and_reported(client, db, officer):
    from scorecard.models import Population

    authority = factories.authority()
    cp_rate = factories.measure(
        title="Rate of CP plans",
        unit="rate_10k",
        entry="count",
        polarity="none",
        level=Measure.Level.AUTHORITY,
    )
    Population.objects.create(area=authority, year=2014, children_0_17=120_000)
    factories.value(_approved(authority, date(2014, 12, 1)), cp_rate, numerator=360)
    factories.value(_approved(authority, FEB), cp_rate, numerator=370)
    run = engine.recalculate()
    feb = ScorecardResult.objects.get(measure=cp_rate, month=FEB)
    assert feb.value is None and feb.note == "no child population for 2015"
    assert ScorecardResult.objects.get(measure=cp_rate, month=date(2014, 12, 1)).value == 30
    assert run.findings == [
        "No child population (aged 0-17) for The Authority in 2015: Rate of CP plans per "
        "10,000 children cannot be computed for 2015. Add the population to show the rates."
    ]
    client.force_login(officer)
    assert (
        "No child population (aged 0-17) for The Authority in 2015"
        in client.get("/approvals/").content.decode()
    )
    assert "No child population" in client.get("/calculations/").content.decode()
    director = factories.user("dir", roles.DIRECTORS)
    client.force_login(director)
    detail = client.get(f"/scorecard/measures/{cp_rate.code}/?month=2015-02").content.decode()
    assert "no figure: no child population for 2015" in detail


def test_the_change_check_compares_a_count_with_a_count_never_with_a_rate(db):
    from scorecard import selectors

    authority = factories.authority()
    cp_rate = factories.measure(
        title="Rate of CP plans",
        unit="rate_10k",
        entry="count",
        polarity="none",
        level=Measure.Level.AUTHORITY,
    )
    factories.value(_approved(authority, JAN), cp_rate, value="29.1")  # history: a rate
    february = factories.monthly_return(authority, FEB)
    factories.value(february, cp_rate)
    line = next(line for line in selectors.return_lines(february) if line.measure == cp_rate)
    assert line.previous is None and line.history == []
    entry = validation.Entry(
        _rules(cp_rate), numerator="360", previous=line.previous, history=line.history
    )
    assert not [f for f in validation.check(entry, submitting=True) if f.code == "big_change"]


def test_the_sample_carries_a_labelled_child_population_for_every_year_it_holds(sample):
    from scorecard.models import MonthlyReturn, Population

    years = {m.year for m in MonthlyReturn.objects.values_list("month", flat=True)}
    populations = {p.year: p for p in Population.objects.filter(area__parent__isnull=True)}
    assert years <= set(populations)
    assert all("Estimate" in p.source or "ONS" in p.source for p in populations.values())
    assert not engine.latest_successful_run().findings


# --- 7. the default month is the latest month a director can rely on -----------


def test_one_approved_team_of_seven_does_not_move_the_directors_month(client, sample):
    first_response = MonthlyReturn.objects.get(area__slug="first-response", month=FEB)
    for value in first_response.values.select_related("measure"):
        if value.measure.entry == "ratio":
            value.numerator, value.denominator = 1, 10
        else:
            value.numerator, value.value = 3, 3
        value.save()
    MonthlyReturn.objects.filter(pk=first_response.pk).update(
        status="approved", approved_at="2015-03-05T12:00Z"
    )
    engine.recalculate()
    client.force_login(factories.user("dir", roles.DIRECTORS))
    summary = client.get("/summary/")
    assert summary.context["summary"].month == JAN
    page = summary.content.decode()
    assert "RAG summary for January 2015" in page and "Provisional:" not in page
    assert "February 2015, provisional (1 of 7 returns approved)" in page
    assert client.get("/scorecard/").context["month"] == JAN
    february = client.get("/summary/?month=2015-02").content.decode()
    assert "Provisional: 1 of 7 returns approved" in february
    assert "(provisional)" in february
    scorecard = client.get("/scorecard/?month=2015-02").content.decode()
    assert "Provisional: 1 of 7 returns approved" in scorecard


def test_the_samples_january_is_final_as_the_reference_is(client, sample):
    client.force_login(factories.user("dir", roles.DIRECTORS))
    summary = client.get("/summary/")
    assert summary.context["summary"].month == JAN
    assert summary.context["notice"].status.final
    assert "Provisional" not in summary.content.decode().split("<h2")[0]


def test_the_samples_illustrative_sickness_target_says_so_on_the_page(client, sample):
    client.force_login(factories.user("dir", roles.DIRECTORS))
    page = client.get("/scorecard/?month=2014-12").content.decode()
    assert "Illustrative: the reference scorecard gives no sickness target" in page
    assert (
        "Illustrative: the reference scorecard gives no sickness target"
        in client.get("/workforce/?month=2014-12").content.decode()
    )


# --- 4. revised since published -------------------------------------------------


def test_a_change_after_publication_is_shown_as_a_revision_with_its_published_value(
    client, area, measure, team_manager, officer, second_officer
):
    from scorecard.models import Publication

    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure)
    save(
        team_manager,
        monthly_return,
        submit=True,
        numerator="80",
        denominator="100",
        commentary="Below target",
    )
    approve(officer, monthly_return)
    engine.recalculate()
    assert Publication.objects.filter(month=FEB).exists()
    assert not ScorecardResult.objects.filter(revised=True).exists()
    services.transition_return(
        user=officer,
        monthly_return=monthly_return,
        action=workflow.REOPEN,
        reason="Late assessments found",
    )
    save(
        team_manager,
        monthly_return,
        submit=True,
        numerator="92",
        denominator="100",
        commentary="Corrected",
    )
    approve(second_officer, monthly_return)
    engine.recalculate()
    result = ScorecardResult.objects.get(measure=measure, area=area, month=FEB)
    assert result.revised and result.published_value == 80 and result.value == 92
    assert result.published_rating == "red" and result.rating == "green"
    [change] = result.revision["changes"]
    assert change["reason"] == "Late assessments found"
    assert change["changed_by"] == ["Tm-A"] and change["approved_by"] == "Po-2"
    client.force_login(factories.user("dir", roles.DIRECTORS))
    page = client.get(f"/scorecard/?area={area.pk}&month=2015-02").content.decode()
    assert "Revised" in page and "published 80.0" in page  # in the outturn's cell
    # who changed it and why: the revision column, one of those a reader adds
    revisions = f"/scorecard/?area={area.pk}&month=2015-02&columns=chosen&show=revised"
    assert "reason: Late assessments found" in client.get(revisions).content.decode()
    detail = client.get(f"/scorecard/measures/{measure.code}/?area={area.pk}&month=2015-02")
    assert "Published 80.0%, now 92.0%" in detail.content.decode()
    export = client.get(f"/scorecard/?area={area.pk}&month=2015-02&export=csv").content
    import csv
    import io

    row = next(
        r
        for r in csv.DictReader(io.StringIO(export.decode("utf-8-sig")))
        if r["Measure"] == measure.title
    )
    assert row["Revised since published"] == "Yes" and row["Published value"] == "80.0"
    summary = client.get("/summary/?month=2015-02").content.decode()
    assert "Revised since last month" in summary and "Published 80.0%, now 92.0%" in summary


# --- 3. imports are maker-checker too -------------------------------------------


def test_an_import_change_waits_for_a_second_officer_and_can_be_rejected(
    sample, officer, second_officer
):
    from scorecard import change_sets, importing
    from scorecard.models import ImportChangeSet
    from tests.scorecard.test_import import seed_text

    def april():
        return ReturnValue.objects.get(
            monthly_return__month=date(2014, 4, 1),
            monthly_return__area__parent__isnull=True,
            measure__code="repeat-referrals",
        ).value

    content = (
        seed_text()
        .replace("% repeat referrals\t30%\t35.0%", "% repeat referrals\t30%\t36.5%")
        .encode()
    )
    plan = importing.plan_import(content, "corrected.txt")
    assert change_sets.needs_second_officer(plan)
    change_set = change_sets.propose(user=officer, plan=plan, content=content)
    assert april() == D("35.0")  # nothing written yet
    assert [w["old"] + "->" + w["new"] for w in change_set.preview] == ["35.0->36.5"]
    with pytest.raises(services.Refused, match="You imported this file"):
        change_sets.approve(user=officer, change_set=change_set)
    with pytest.raises(services.Refused, match="Give a reason"):
        change_sets.reject(user=second_officer, change_set=change_set, reason=" \t")
    with pytest.raises(services.Refused, match="Give a reason"):
        change_sets.reject(user=second_officer, change_set=change_set, reason="\u200b\ufeff ")
    change_sets.approve(user=second_officer, change_set=change_set)
    assert april() == D("36.5")
    with pytest.raises(services.Refused, match="already been approved and imported"):
        change_sets.approve(user=second_officer, change_set=change_set)

    back = seed_text().encode()
    rejected = change_sets.propose(
        user=second_officer, plan=importing.plan_import(back, "back.txt"), content=back
    )
    change_sets.reject(user=officer, change_set=rejected, reason="Wrong file")
    assert april() == D("36.5")
    assert ImportChangeSet.objects.get(pk=rejected.pk).reason == "Wrong file"
