"""The officer's Annex A pages: upload, preview, confirm into draft returns;
the team mapping; the findings carried to a team's return."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from annexa import planning
from annexa.forms import FindingsSection
from annexa.models import Provenance, ReturnFindings, TeamMapping
from scorecard import workflow
from scorecard.models import MonthlyReturn, ReturnContribution, ReturnValue
from tests.annexa.test_derivations import HAND_COUNTED, OCT, SEP
from tests.annexa.workbooks import annex_a

EXTRACTED = "2026-11-03"


def upload(client, content, extracted=EXTRACTED, name="annex-a.xlsx"):
    return client.post(
        reverse("annexa-upload"),
        {"file": SimpleUploadedFile(name, content), "extracted_on": extracted},
    )


def value(area, month, code):
    return ReturnValue.objects.get(
        monthly_return__area=area, monthly_return__month=month, measure__code=code
    )


def test_the_pages_are_for_performance_officers(client, annex_a_authority, north_manager):
    url = reverse("annexa-upload")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(north_manager)
    assert client.get(url).status_code == 403
    assert client.get(reverse("annexa-teams")).status_code == 403


def test_preview_then_confirm_fills_the_months_returns_as_drafts(
    client, annex_a_authority, officer, second_officer
):
    north, authority = annex_a_authority["north"], annex_a_authority["authority"]
    content = annex_a(HAND_COUNTED)
    client.force_login(officer)
    response = upload(client, content)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.months == [SEP, OCT]
    line = next(x for x in plan.lines if (x.code, x.area, x.month) == ("cp-count", "North", OCT))
    assert (line.numerator, line.stored_text, line.action) == (2, "", planning.FILL)
    assert not MonthlyReturn.objects.exists()  # nothing written by the preview

    response = client.post(reverse("annexa-confirm"), {"token": response.context["token"]})
    assert response.status_code == 302
    sha = planning.sha256_of(content)
    assert value(north, OCT, "referrals-count").numerator == 2
    nfa = value(north, OCT, "referrals-nfa")
    assert (nfa.numerator, nfa.denominator) == (1, 2)
    assert value(authority, OCT, "cp-rate").numerator == 2
    returns = MonthlyReturn.objects.filter(month__in=[SEP, OCT])
    assert {r.status for r in returns} == {workflow.DRAFT}
    october = MonthlyReturn.objects.get(area=north, month=OCT)
    assert october.source == f"Annex A, extracted 2026-11-03, file SHA-256 {sha}"
    provenance = Provenance.objects.get(value=nfa)
    assert (provenance.extracted_on, provenance.sha256) == (date(2026, 11, 3), sha)
    # four eyes: the officer who filled the figures shaped them
    assert ReturnContribution.objects.filter(monthly_return=october, user=officer).exists()
    # the preview is gone once confirmed
    again = client.post(
        reverse("annexa-confirm"), {"token": response.wsgi_request.POST.get("token")}
    )
    assert again.status_code == 409


def test_a_submitted_return_is_left_as_it_is(client, annex_a_authority, officer):
    north = annex_a_authority["north"]
    MonthlyReturn.objects.create(area=north, month=OCT, status=workflow.SUBMITTED)
    client.force_login(officer)
    response = upload(client, annex_a(HAND_COUNTED))
    lines = [x for x in response.context["plan"].lines if x.area == "North" and x.month == OCT]
    assert {x.action for x in lines} == {planning.LEFT}
    client.post(reverse("annexa-confirm"), {"token": response.context["token"]})
    assert not ReturnValue.objects.filter(
        monthly_return__area=north, monthly_return__month=OCT, numerator__isnull=False
    ).exists()
    assert value(north, SEP, "referrals-count").numerator == 0


def test_the_teams_are_pooled_into_the_authority(client, annex_a_authority, officer):
    client.force_login(officer)
    plan = upload(client, annex_a(HAND_COUNTED)).context["plan"]
    teams, pooled = {}, {}
    for line in plan.lines:
        key = (line.code, line.month)
        if line.action == planning.POOLED:
            pooled[key] = (line.numerator, line.denominator)
        elif line.area in ("North", "South"):
            n, d = teams.get(key, (0, 0))
            teams[key] = (n + line.numerator, d + (line.denominator or 0))
    assert pooled
    for key, (numerator, denominator) in pooled.items():
        assert teams[key] == (numerator, denominator or 0), key


def test_unmapped_teams_are_listed_and_mapped_once(client, annex_a_authority, officer):
    TeamMapping.objects.filter(key="south").delete()
    client.force_login(officer)
    plan = upload(client, annex_a(HAND_COUNTED)).context["plan"]
    assert [label for label, _ in plan.unmapped] == ["South"]
    page = client.get(reverse("annexa-teams"))
    field = next(f for f in page.context["form"] if f.label == "South")
    response = client.post(
        reverse("annexa-teams"),
        {
            **{f.html_name: f.value() or "" for f in page.context["form"]},
            field.html_name: str(annex_a_authority["south"].pk),
        },
    )
    assert response.status_code == 302
    assert TeamMapping.objects.get(key="south").area == annex_a_authority["south"]
    assert upload(client, annex_a(HAND_COUNTED)).context["plan"].unmapped == []


def test_a_missing_column_names_the_measures_left_untouched(client, annex_a_authority, officer):
    north = annex_a_authority["north"]
    client.force_login(officer)
    content = annex_a({3: HAND_COUNTED[3]}, drop=("nfa",))
    response = upload(client, content)
    plan = response.context["plan"]
    assert plan.unavailable["% referrals ending in no further action"] == (
        "List 3 (Referrals) has no column 'Referral NFA?'."
    )
    assert "has no column" in response.content.decode()
    client.post(reverse("annexa-confirm"), {"token": response.context["token"]})
    assert value(north, OCT, "referrals-nfa").numerator is None  # untouched, not zero
    assert value(north, OCT, "referrals-count").numerator == 2


def test_bad_files_and_dates_get_a_clear_message(client, annex_a_authority, officer):
    client.force_login(officer)
    response = upload(client, b"not a workbook at all")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    response = upload(client, annex_a(HAND_COUNTED), extracted="2999-01-01")
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    response = client.post(reverse("annexa-confirm"), {"token": "forged"})
    assert response.status_code == 409


def test_abandoning_discards_the_preview(client, annex_a_authority, officer):
    client.force_login(officer)
    response = upload(client, annex_a(HAND_COUNTED))
    token = response.context["token"]
    client.post(reverse("annexa-confirm"), {"token": token, "abandon": "1"})
    assert "annexa_plan" not in client.session
    assert client.post(reverse("annexa-confirm"), {"token": token}).status_code == 409
    assert not ReturnValue.objects.filter(numerator__isnull=False).exists()


def test_findings_are_carried_to_the_return_and_need_a_commentary(
    client, annex_a_authority, officer, north_manager
):
    north = annex_a_authority["north"]
    rows = {
        **HAND_COUNTED,
        5: [
            *HAND_COUNTED[5],
            {
                "team": "North",
                "child_id": "S9",
                "strategy_date": date(2026, 10, 9),
                "icpc_date": date(2026, 10, 8),
            },
        ],
    }
    client.force_login(officer)
    response = upload(client, annex_a(rows))
    assert "An initial child protection conference is dated before" in response.content.decode()
    client.post(reverse("annexa-confirm"), {"token": response.context["token"]})
    october = MonthlyReturn.objects.get(area=north, month=OCT)
    held = ReturnFindings.objects.get(monthly_return=october)
    assert ["icpc_before_strategy", 1] in held.findings
    section = FindingsSection.for_return(october, {}, submitting=True)
    assert not section.is_valid()
    assert "explain the data-quality findings" in section.error_summary()[0][1]
    section = FindingsSection.for_return(
        october, {"annexa-commentary": "Data entry error, corrected"}, submitting=True
    )
    assert section.is_valid()
    assert section.save_section(october) == ["annex-a:findings"]
    client.force_login(north_manager)
    page = client.get(reverse("return-detail", args=[october.pk])).content.decode()
    assert "Annex A data quality" in page
    assert "Data entry error, corrected" in page
    assert Decimal(value(north, OCT, "cp-count").numerator) == 2


def test_a_preview_older_than_an_hour_is_discarded(client, annex_a_authority, officer):
    client.force_login(officer)
    token = upload(client, annex_a(HAND_COUNTED)).context["token"]
    session = client.session
    kept = session["annexa_plan"]
    kept["kept_at"] = (timezone.now() - timedelta(minutes=61)).isoformat()
    session["annexa_plan"] = kept
    session.save()
    response = client.post(reverse("annexa-confirm"), {"token": token})
    assert response.status_code == 409
    assert "more than an hour old" in response.content.decode()
    assert "annexa_plan" not in client.session
    assert not ReturnValue.objects.exists()


def test_an_area_no_team_is_mapped_to_gets_no_figures(client, annex_a_authority, officer):
    from tests import factories

    fostering = factories.area("Fostering")
    client.force_login(officer)
    response = upload(client, annex_a(HAND_COUNTED))
    assert not [x for x in response.context["plan"].lines if x.area_id == fostering.pk]
    client.post(reverse("annexa-confirm"), {"token": response.context["token"]})
    assert not ReturnValue.objects.filter(
        monthly_return__area=fostering, numerator__isnull=False
    ).exists()
