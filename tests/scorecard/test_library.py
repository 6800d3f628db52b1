"""The standard measure library (issue 14, point 4): a new authority ticks the
measures it reports instead of inventing them; its own titles become aliases."""

import pytest
from django.urls import reverse

from scorecard import engine, library
from scorecard.importing.layout import Catalogue
from scorecard.models import Measure, RecalculationRequest
from tests import factories
from workforce import measures as workforce_measures

REREFERRALS = "re-referrals-12-months"


def test_the_library_speaks_the_models_language():
    entries = library.library()
    assert len({entry.code for entry in entries}) == len(entries)
    assert len({entry.title.casefold() for entry in entries}) == len(entries)
    for entry in entries:
        assert entry.group in library.group_names(), entry.code
        assert entry.unit in Measure.Unit.values, entry.code
        assert entry.polarity in Measure.Polarity.values, entry.code
        assert entry.entry in Measure.Entry.values, entry.code
        assert entry.level in Measure.Level.values, entry.code
        assert entry.entry != "ratio" or entry.unit == "percent", entry.code
        assert entry.definition and entry.numerator_label and entry.source, entry.code
        if entry.entry == "ratio" or entry.unit == "rate_10k":
            assert entry.denominator_label, entry.code


def test_the_library_covers_what_english_authorities_report():
    codes = {entry.code for entry in library.library()}
    assert {
        "re-referrals-12-months",
        "assessments-45-days",
        "icpc-15-days",
        "cp-plans-2-years",
        "cp-second-subsequent",
        "cp-visits-timescale",
        "cla-3-placements",
        "cla-long-term-stability",
        "care-leavers-eet",
        "care-leavers-suitable-accommodation",
        "cla-health-assessments",
        "cla-dental-checks",
        "referral-rate",
        "cin-rate",
        "cp-rate",
        "cla-rate",
    } <= codes
    rates = {entry.code for entry in library.library() if entry.unit == "rate_10k"}
    assert {"referral-rate", "cin-rate", "cp-rate", "cla-rate"} <= rates


def test_the_library_workforce_measures_are_the_ones_the_workforce_app_computes():
    workforce = {entry.code for entry in library.library() if entry.group == "workforce"}
    assert workforce == set(workforce_measures.CODES)


@pytest.mark.django_db
def test_adopting_makes_the_measure_as_defined_with_the_authoritys_title_as_an_alias():
    [measure] = library.adopt({REREFERRALS: "Repeat referrals (12m)"})
    entry = library.by_code()[REREFERRALS]
    assert (measure.code, measure.title, measure.unit, measure.polarity, measure.entry) == (
        REREFERRALS,
        entry.title,
        "percent",
        "lower",
        "ratio",
    )
    assert measure.definition == entry.definition
    assert measure.numerator_label == entry.numerator_label
    assert measure.denominator_label == entry.denominator_label
    assert measure.source.startswith("DfE, Children in need census")
    assert measure.aliases == "Repeat referrals (12m)"
    # the import finds it by the authority's own title
    assert Catalogue(Measure.objects.all()).match("repeat referrals (12m)") == [measure]
    assert RecalculationRequest.objects.filter(trigger="measure library").exists()


@pytest.mark.django_db
def test_a_rate_per_10000_is_the_authoritys_figure():
    [measure] = library.adopt({"cla-rate": ""})
    assert (measure.unit, measure.entry, measure.level) == ("rate_10k", "count", "authority")
    assert measure.aliases == ""


@pytest.mark.django_db
def test_adopting_again_adds_only_the_new_title():
    library.adopt({REREFERRALS: "Repeat referrals"})
    assert library.adopt({REREFERRALS: "Re-referrals %"}) == []
    assert library.adopt({REREFERRALS: "repeat referrals"}) == []
    measure = Measure.objects.get(code=REREFERRALS)
    assert measure.aliases.splitlines() == ["Repeat referrals", "Re-referrals %"]
    assert Measure.objects.count() == 1


@pytest.mark.django_db
def test_a_clash_with_a_measure_already_held_refuses_everything():
    factories.measure(code="rr", title="% re-referrals within 12 months")
    factories.measure(code="seen", title="Children seen")
    with pytest.raises(library.AdoptionRefused) as refusal:
        library.adopt({REREFERRALS: "", "cla-rate": "", "assessments-45-days": "Children seen"})
    assert set(refusal.value.errors) == {REREFERRALS, "assessments-45-days"}
    assert "already in use (code rr)" in refusal.value.errors[REREFERRALS]
    assert (
        "already the title of another measure (code seen)"
        in (refusal.value.errors["assessments-45-days"])
    )
    assert set(Measure.objects.values_list("code", flat=True)) == {"rr", "seen"}


@pytest.mark.django_db
def test_an_officer_ticks_measures_on_the_page_and_it_is_audited(client, officer):
    client.force_login(officer)
    page = client.get(reverse("measure-library"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Child protection' in html
    assert 'for="use-icpc-15-days"' in html and 'for="title-icpc-15-days"' in html

    response = client.post(
        reverse("measure-library"),
        {"use-icpc-15-days": "1", "title-icpc-15-days": "  ICPC  in 15 days ", "use-cla-rate": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("measure-library"), 302)]
    assert "2 measures added" in response.content.decode()
    measure = Measure.objects.get(code="icpc-15-days")
    assert measure.aliases == "ICPC in 15 days"
    [event] = measure.events.all()
    assert (event.pgh_label, event.aliases) == ("insert", "ICPC in 15 days")
    assert event.pgh_context.metadata["user"] == officer.pk
    assert "In use" in response.content.decode()


def test_the_director_reads_an_adopted_measures_definition_and_source(client, sample, director):
    library.adopt({"cla-dental-checks": ""})
    engine.recalculate()
    client.force_login(director)
    page = client.get(reverse("measure-detail", kwargs={"code": "cla-dental-checks"}))
    assert page.status_code == 200
    html = page.content.decode()
    assert library.by_code()["cla-dental-checks"].definition in html
    assert "Source of the definition" in html and "SSDA903" in html


@pytest.mark.django_db
def test_the_page_refuses_with_the_message_beside_the_measure(client, officer):
    factories.measure(code="rr", title="% re-referrals within 12 months")
    client.force_login(officer)

    nothing = client.post(reverse("measure-library"), {})
    assert nothing.status_code == 400
    assert "Tick at least one measure" in nothing.content.decode()

    clash = client.post(
        reverse("measure-library"), {f"use-{REREFERRALS}": "1", "use-cla-rate": "1"}
    )
    html = clash.content.decode()
    assert clash.status_code == 400
    assert f'href="#title-{REREFERRALS}"' in html
    assert f'id="title-{REREFERRALS}-error"' in html
    assert "already in use (code rr)" in html
    assert not Measure.objects.filter(code="cla-rate").exists()  # nothing half-saved

    untick = client.post(reverse("measure-library"), {"title-cla-rate": "Looked after rate"})
    assert untick.status_code == 400
    assert "tick &#x27;Use&#x27; to adopt it" in untick.content.decode()

    long = client.post(
        reverse("measure-library"), {"use-cla-rate": "1", "title-cla-rate": "x" * 201}
    )
    assert long.status_code == 400
    assert "at most 200" in long.content.decode()
    assert not Measure.objects.filter(code="cla-rate").exists()
