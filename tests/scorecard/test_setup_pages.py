"""Officers maintain what officers own in the service's pages (issue 14, point 5):
targets, tolerances and Green bands, benchmarks, populations, measure groups and
their order, who manages which area. Each change is audited and recalculated;
an officer needs no admin (staff) access for any of it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from scorecard import roles
from scorecard.models import (
    Benchmark,
    CalculationRun,
    Measure,
    MeasureGroup,
    Population,
    ScorecardResult,
    ServiceArea,
    Target,
    TeamMembership,
)
from tests import factories

SEEN = "children-seen"


@pytest.fixture
def officer_client(client, sample):
    """A performance officer without admin (staff) access."""
    client.force_login(factories.user("po-plain", roles.PERFORMANCE_OFFICERS, is_staff=False))
    return client


@pytest.fixture
def post(officer_client, django_capture_on_commit_callbacks):
    """The officer's POST, with what it leaves to run after commit (the recalculation)."""

    def post(url, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return officer_client.post(url, data, **kwargs)

    return post


def last_event(model, pk):
    return model.pgh_event_model.objects.filter(pgh_obj_id=pk).order_by("pgh_id").last()


def measure_page(code=SEEN):
    return reverse("setup-measure", kwargs={"code": code})


def authority_result(code, month="2015-01-01"):
    return ScorecardResult.objects.get(measure__code=code, area__parent__isnull=True, month=month)


def test_an_officer_adds_a_target_that_rates_the_scorecard(post):
    Target.objects.filter(measure__code=SEEN, kind="in_year").delete()
    response = post(
        measure_page(),
        {
            "action": "add_target",
            "target-kind": "in_year",
            "target-value": "89.25",
            "target-starts": "2014-04",
            "target-note": "Agreed at the improvement board",
        },
        follow=True,
    )
    assert "Target added." in response.content.decode()
    target = Target.objects.get(measure__code=SEEN, kind="in_year")
    assert (target.value, str(target.starts)) == (Decimal("89.25"), "2014-04-01")
    event = last_event(Target, target.pk)
    assert event.pgh_label == "insert"
    assert event.pgh_context.metadata["user"] == response.wsgi_request.user.pk
    assert CalculationRun.objects.first().trigger == "reference data"
    assert authority_result(SEEN).target == Decimal("89.25")
    assert "89.25" in response.content.decode()


@pytest.mark.parametrize(
    "value, message",
    [
        ("1e3", "Enter the target as a number, like 12 or 12.5"),
        ("12,5", "Enter the target as a number, like 12 or 12.5"),
        ("-3", "The target cannot be negative"),
        ("12.34567", "Enter the target as no more than 4 decimal places"),
        ("10000000000", "The target must be less than 10,000,000,000"),
    ],
)
def test_a_target_is_read_as_a_person_reads_it_or_refused(post, value, message):
    before = Target.objects.count()
    response = post(
        measure_page(),
        {
            "action": "add_target",
            "target-kind": "in_year",
            "target-value": value,
            "target-starts": "2016-04",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#id_target-value">{message}</a>' in html  # the summary links to it
    assert re.search(rf'id="id_target-value-error">.*{re.escape(message)}', html)
    assert Target.objects.count() == before


def test_a_target_that_would_clash_or_lacks_its_date_is_refused(post):
    existing = Target.objects.filter(measure__code=SEEN, kind="in_year").first()
    clash = post(
        measure_page(),
        {
            "action": "add_target",
            "target-kind": "in_year",
            "target-value": "90",
            "target-starts": f"{existing.starts:%Y-%m}",
        },
    )
    assert clash.status_code == 400
    assert f"An in-year target from {existing.starts:%B %Y} is already set" in (
        clash.content.decode()
    )
    long_term = post(
        measure_page(),
        {
            "action": "add_target",
            "target-kind": "long_term",
            "target-value": "90",
            "target-starts": "2016-04",
            "target-due": "",
        },
    )
    assert long_term.status_code == 400
    assert "Enter when a long-term target is to be reached" in long_term.content.decode()
    bad_month = post(
        measure_page(),
        {
            "action": "add_target",
            "target-kind": "in_year",
            "target-value": "90",
            "target-starts": "April 2016",
        },
    )
    assert "Enter the first month in force as a year and month, like 2025-04" in (
        bad_month.content.decode()
    )
    assert Target.objects.filter(measure__code=SEEN, starts="2016-04-01").count() == 0


def test_removing_a_target_is_audited_and_unrates_the_figure(post):
    target = Target.objects.get(measure__code=SEEN, kind="in_year")
    response = post(measure_page(), {"action": "remove_target", "target": target.pk}, follow=True)
    assert "Target removed: In-year target from" in response.content.decode()
    assert not Target.objects.filter(pk=target.pk).exists()
    assert last_event(Target, target.pk).pgh_label == "delete"
    result = authority_result(SEEN)
    assert (result.target, result.rating) == (None, "none")


def test_tolerance_and_green_band_are_saved_exactly_and_rerate(post):
    measure = Measure.objects.get(code=SEEN)
    response = post(
        measure_page(),
        {
            "action": "save_settings",
            "settings-frequency": "monthly",
            "settings-group": measure.group_id,
            "settings-order": measure.order,
            "settings-tolerance": "2.5",
            "settings-tolerance_kind": "points",
            "settings-green_band": "0.75",
            "settings-min_denominator": "5",
            "settings-change_threshold_percent": "25",
            "settings-active": "on",
        },
        follow=True,
    )
    assert "Settings saved." in response.content.decode()
    measure.refresh_from_db()
    assert (measure.tolerance, measure.green_band) == (Decimal("2.5"), Decimal("0.75"))
    assert last_event(Measure, measure.pk).tolerance == Decimal("2.5")
    assert CalculationRun.objects.first().trigger == "reference data"

    refused = post(
        measure_page(),
        {
            "action": "save_settings",
            "settings-frequency": "monthly",
            "settings-group": measure.group_id,
            "settings-order": measure.order,
            "settings-tolerance": "two",
            "settings-tolerance_kind": "points",
            "settings-min_denominator": "5",
            "settings-change_threshold_percent": "25",
        },
    )
    assert refused.status_code == 400
    assert "Enter the tolerance as a number" in refused.content.decode()
    measure.refresh_from_db()
    assert measure.tolerance == Decimal("2.5") and measure.active


def test_an_officer_resets_the_process_limits_baseline_audited_and_recalculated(post):
    measure = Measure.objects.get(code=SEEN)
    settings_fields = {
        "action": "save_settings",
        "settings-frequency": "monthly",
        "settings-group": measure.group_id,
        "settings-order": measure.order,
        "settings-tolerance": str(measure.tolerance),
        "settings-tolerance_kind": measure.tolerance_kind,
        "settings-min_denominator": str(measure.min_denominator),
        "settings-change_threshold_percent": "25",
        "settings-active": "on",
    }
    refused = post(measure_page(), {**settings_fields, "settings-spc_baseline_start": "April"})
    assert refused.status_code == 400
    assert "Enter the process limits worked out from as a year and month, like 2025-04" in (
        refused.content.decode()
    )
    response = post(
        measure_page(), {**settings_fields, "settings-spc_baseline_start": "2014-09"}, follow=True
    )
    assert "Settings saved." in response.content.decode()
    assert 'value="2014-09"' in response.content.decode()  # shown back as the month it is
    measure.refresh_from_db()
    assert measure.spc_baseline_start == date(2014, 9, 1)
    assert last_event(Measure, measure.pk).spc_baseline_start == date(2014, 9, 1)
    assert CalculationRun.objects.first().trigger == "reference data"
    august = ScorecardResult.objects.get(measure=measure, area__parent=None, month="2014-08-01")
    assert august.spc_note.startswith("before the process limits' baseline of September 2014")


def test_benchmarks_are_added_and_removed(post):
    response = post(
        measure_page(),
        {
            "action": "add_benchmark",
            "benchmark-comparator": "england",
            "benchmark-period": "2016-17",
            "benchmark-value": "81.4",
            "benchmark-source": "DfE, Characteristics of children in need 2016",
        },
        follow=True,
    )
    assert "Benchmark added." in response.content.decode()
    benchmark = Benchmark.objects.get(
        measure__code=SEEN,
        comparator="england",
        period_kind="financial_year",
        period_start="2016-04-01",
    )
    assert benchmark.value == Decimal("81.4")
    again = post(
        measure_page(),
        {
            "action": "add_benchmark",
            "benchmark-comparator": "england",
            "benchmark-period": "2016-17",
            "benchmark-value": "82",
        },
    )
    assert again.status_code == 400
    assert "An England benchmark for 2016-17 is already set" in again.content.decode()
    post(measure_page(), {"action": "remove_benchmark", "benchmark": benchmark.pk})
    assert not Benchmark.objects.filter(pk=benchmark.pk).exists()
    assert last_event(Benchmark, benchmark.pk).pgh_label == "delete"


def test_populations_are_added_and_a_duplicate_is_refused(post):
    authority = ServiceArea.objects.authority()
    url = reverse("setup-populations")
    response = post(
        url,
        {
            "action": "add_population",
            "population-area": authority.pk,
            "population-year": "2016",
            "population-children_0_17": "118400",
            "population-source": "ONS mid-year estimate 2016",
        },
        follow=True,
    )
    assert "Population added." in response.content.decode()
    assert "118,400" in response.content.decode()
    population = Population.objects.get(area=authority, year=2016)
    assert population.children_0_17 == 118400
    assert last_event(Population, population.pk).pgh_label == "insert"
    again = post(
        url,
        {
            "action": "add_population",
            "population-area": authority.pk,
            "population-year": "2016",
            "population-children_0_17": "1",
        },
    )
    assert again.status_code == 400
    assert "already exists" in again.content.decode()
    assert Population.objects.get(area=authority, year=2016).children_0_17 == 118400


def test_an_officer_says_who_manages_which_area(post):
    area = ServiceArea.objects.get(slug="cin-south")
    manager = factories.user("tm-new", roles.TEAM_MANAGERS, first_name="Ada", last_name="Okafor")
    url = reverse("setup-managers")
    response = post(
        url,
        {"action": "add_manager", "manager-user": manager.pk, "manager-area": area.pk},
        follow=True,
    )
    assert f"Ada Okafor now manages {area}." in response.content.decode()
    membership = TeamMembership.objects.get(user=manager, area=area)
    assert last_event(TeamMembership, membership.pk).pgh_label == "insert"
    again = post(
        url, {"action": "add_manager", "manager-user": manager.pk, "manager-area": area.pk}
    )
    assert again.status_code == 400
    assert f"Ada Okafor already manages {area}" in again.content.decode()
    director = factories.user("dir-x", roles.DIRECTORS)
    refused = post(
        url, {"action": "add_manager", "manager-user": director.pk, "manager-area": area.pk}
    )
    assert refused.status_code == 400  # only team managers manage areas
    post(url, {"action": "remove_manager", "membership": membership.pk})
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()


def test_groups_are_renamed_reordered_and_added_and_the_scorecard_follows(
    post, officer_client, director
):
    url = reverse("setup-groups")
    care_leavers = MeasureGroup.objects.get(code="care_leavers")
    response = post(
        url,
        {
            "action": "save_group",
            "group": care_leavers.pk,
            f"group-{care_leavers.pk}-name": "Leaving care",
            f"group-{care_leavers.pk}-order": "0",
        },
        follow=True,
    )
    assert "Group &#x27;Leaving care&#x27; saved." in response.content.decode()
    assert last_event(MeasureGroup, care_leavers.pk).name == "Leaving care"
    added = post(
        url, {"action": "add_group", "new-name": "Early help", "new-order": "9"}, follow=True
    )
    assert "Group &#x27;Early help&#x27; added." in added.content.decode()
    assert MeasureGroup.objects.get(code="early_help").name == "Early help"
    clash = post(url, {"action": "add_group", "new-name": "Early Help!"})
    assert clash.status_code == 400, clash.content.decode()
    assert "There is already a group with a name like this" in clash.content.decode(), re.findall(
        r"error-summary__list.*?</ul>", clash.content.decode(), re.S
    )

    officer_client.force_login(director)
    page = officer_client.get(reverse("scorecard")).content.decode()
    assert 0 <= page.index("Leaving care") < page.index("Referrals")


def test_a_blank_group_name_is_refused_beside_the_group(post):
    group = MeasureGroup.objects.get(code="referrals")
    response = post(
        reverse("setup-groups"),
        {
            "action": "save_group",
            "group": group.pk,
            f"group-{group.pk}-name": "",
            f"group-{group.pk}-order": "1",
        },
    )
    assert response.status_code == 400
    assert f'href="#id_group-{group.pk}-name"' in response.content.decode()
    assert MeasureGroup.objects.get(pk=group.pk).name == "Referrals"


def test_an_officer_says_how_often_a_measure_is_reported_and_by_which_areas(post):
    measure = Measure.objects.get(code=SEEN)
    south = ServiceArea.objects.get(slug="cin-south")
    response = post(
        measure_page(),
        {
            "action": "save_settings",
            "settings-frequency": "quarterly",
            "settings-year_to_date": "on",
            "settings-reporting_areas": [south.pk],
            "settings-group": measure.group_id,
            "settings-order": measure.order,
            "settings-tolerance": "5",
            "settings-tolerance_kind": "points",
            "settings-min_denominator": "5",
            "settings-change_threshold_percent": "25",
            "settings-active": "on",
        },
        follow=True,
    )
    assert "Settings saved." in response.content.decode()
    measure.refresh_from_db()
    assert (measure.frequency, measure.year_to_date) == ("quarterly", True)
    assert list(measure.reporting_areas.all()) == [south]
    assert 'id="id_settings-reporting_areas_0"' in response.content.decode()
    # January is not a quarter's end: the scorecard says 'not due' rather than missing
    assert authority_result(SEEN, "2015-01-01").due is False


def test_an_officer_adds_a_measure_the_library_does_not_have(post):
    url = reverse("setup-new-measure")
    data = {
        "action": "add_measure",
        "measure-title": "% care leavers not in education, employment or training",
        "measure-group": "care_leavers",
        "measure-unit": "percent",
        "measure-entry": "ratio",
        "measure-polarity": "lower",
        "measure-level": "area",
        "measure-frequency": "quarterly",
        "measure-decimal_places": "1",
        "measure-numerator_label": "Care leavers not in education, employment or training",
        "measure-denominator_label": "Care leavers aged 19 to 21",
        "measure-source": "Our own, as the corporate parenting panel asks",
    }
    response = post(url, data, follow=True)
    code = "care-leavers-not-in-education-employment-or-training"
    assert response.redirect_chain[-1][0] == measure_page(code)
    measure = Measure.objects.get(code=code)
    assert (measure.unit, measure.polarity, measure.frequency) == ("percent", "lower", "quarterly")
    assert last_event(Measure, measure.pk).pgh_label == "insert"
    again = post(url, data)
    assert again.status_code == 400
    assert "There is already a measure with a title like this" in again.content.decode()
    wrong = post(url, {**data, "measure-title": "Rate of NEET", "measure-unit": "count"})
    assert "A numerator and denominator make a percentage: choose Percentage" in (
        wrong.content.decode()
    )
    empty = post(url, {"action": "add_measure"})
    html = empty.content.decode()
    for message in (
        "Enter the measure&#x27;s title",
        "Choose its unit",
        "Choose when it is better",
    ):
        assert message in html
    assert Measure.objects.filter(title="Rate of NEET").count() == 0
