"""The drafted facts on the return's entry form and on the officer's review
page: shown beside the commentary, put into an empty commentary box when the
team manager asks, and never over words a person wrote."""

import html
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard import engine
from scorecard.aggregation import add_months
from scorecard.models import MonthlyReturn, ReturnValue, Target
from tests import factories

JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)
pytestmark = pytest.mark.django_db


def seen_measure(title="% children seen"):
    measure = factories.measure(
        title=title, numerator_label="Seen", denominator_label="Assessments"
    )
    Target.objects.create(
        measure=measure, kind=Target.Kind.IN_YEAR, value=85, starts=date(2014, 4, 1)
    )
    return measure


def approved_months(area, measures, months):
    """The area's approved returns for the `months` before February 2015: 17 of 20 seen."""
    for i in range(months, 0, -1):
        monthly_return = factories.monthly_return(
            area,
            add_months(FEB, -i),
            status=MonthlyReturn.Status.APPROVED,
            approved_at="2015-02-10T12:00Z",
        )
        for measure in measures:
            factories.value(monthly_return, measure, numerator=17, denominator=20)
    engine.recalculate()


@pytest.fixture
def measure(db):
    return seen_measure()


@pytest.fixture
def feb_return(area, measure):
    approved_months(area, [measure], 1)  # January: 85.0%
    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure, numerator=18, denominator=20)  # saved: 90.0%
    return monthly_return


DRAFT = (
    "90.0% in February 2015, up 5.0 points from 85.0% in January 2015 (better). "
    "5.0 points better than the 85.0% target: Green."
)


def post(client, monthly_return, measure, **typed):
    data = {"version": MonthlyReturn.objects.get(pk=monthly_return.pk).version, "save": "1"}
    data.update({f"m{measure.pk}_{name}": value for name, value in typed.items()})
    return client.post(reverse("return-detail", args=[monthly_return.pk]), data, follow=True)


def commentary(monthly_return):
    return ReturnValue.objects.get(monthly_return=monthly_return).commentary


def test_the_entry_form_shows_the_drafted_facts_beside_an_empty_commentary(
    client, team_manager, feb_return, measure
):
    client.force_login(team_manager)
    page = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert f'<p class="govuk-body-s" id="m{measure.pk}-draft">{DRAFT}</p>' in page
    # the commentary box is described by the draft, and stays empty until asked
    assert f'aria-describedby="m{measure.pk}-draft"></textarea>' in page
    assert (
        f'<label class="govuk-label govuk-checkboxes__label" for="id_m{measure.pk}_use_draft">'
        in page
    )
    assert "Put the drafted facts in the commentary box when I save" in page


def test_asking_for_the_draft_puts_the_facts_of_the_figures_typed_in_the_box(
    client, team_manager, feb_return, measure
):
    client.force_login(team_manager)
    response = post(
        client, feb_return, measure, numerator="19", denominator="20", commentary="", use_draft="on"
    )
    # the figures as typed (95.0%), not as they were saved (90.0%)
    drafted = (
        "95.0% in February 2015, up 10.0 points from 85.0% in January 2015 (better). "
        "10.0 points better than the 85.0% target: Green."
    )
    assert commentary(feb_return) == drafted
    page = html.unescape(response.content.decode())
    assert f"The drafted facts are in the commentary on {measure.title}: edit them" in page
    assert f">{drafted}</textarea>" in page
    assert "Put the drafted facts in the commentary box" not in page  # no longer empty
    # the box was empty: nothing of the person's was kept in place of the draft
    assert f"Your commentary on {measure.title} was kept" not in page


def test_the_team_managers_edited_draft_is_kept_as_they_wrote_it(
    client, team_manager, feb_return, measure
):
    client.force_login(team_manager)
    post(client, feb_return, measure, numerator="18", denominator="20", use_draft="on")
    edited = commentary(feb_return).replace("(better)", "(better), after two new starters")
    post(client, feb_return, measure, numerator="18", denominator="20", commentary=edited)
    assert commentary(feb_return) == edited
    # asking for the draft again never writes over what a person wrote
    response = post(
        client,
        feb_return,
        measure,
        numerator="18",
        denominator="20",
        commentary=edited,
        use_draft="on",
    )
    assert commentary(feb_return) == edited
    assert f"Your commentary on {measure.title} was kept" in html.unescape(
        response.content.decode()
    )


def test_nothing_is_drafted_before_a_figure_is_entered(client, team_manager, area, measure):
    blank = factories.monthly_return(area, FEB)
    factories.value(blank, measure)
    client.force_login(team_manager)
    page = client.get(reverse("return-detail", args=[blank.pk])).content.decode()
    assert "Drafted facts" not in page
    post(client, blank, measure, use_draft="on")
    assert commentary(blank) == ""


def test_the_officers_review_page_shows_the_draft_beside_the_commentary(
    client, team_manager, officer, feb_return, measure
):
    client.force_login(team_manager)
    data = {
        "version": feb_return.version,
        "submit": "1",
        f"m{measure.pk}_numerator": "18",
        f"m{measure.pk}_denominator": "20",
        f"m{measure.pk}_commentary": "Two new starters.",
    }
    client.post(reverse("return-detail", args=[feb_return.pk]), data)
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "submitted"
    client.force_login(officer)
    page = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert "Two new starters." in page
    assert f"<strong>Drafted facts:</strong> {DRAFT}</p>" in page


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_drafts_cost_the_same_statements_whatever_the_lines_and_months(
    client, team_manager, officer, area
):
    """The entry form's and the review page's statements do not grow with the
    measures drafted or the months of history behind them."""
    counts = []
    for measures, months in ((1, 2), (4, 14)):
        ReturnValue.objects.all().delete()
        MonthlyReturn.objects.all().delete()
        lines = [seen_measure(f"% seen {months} {i}") for i in range(measures)]
        approved_months(area, lines, months)
        draft = factories.monthly_return(area, FEB)
        for measure in lines:
            factories.value(draft, measure, numerator=18, denominator=20)
        url = reverse("return-detail", args=[draft.pk])
        client.force_login(team_manager)
        entry = statements(client, url)
        assert client.get(url).content.decode().count("Drafted facts") == measures
        MonthlyReturn.objects.filter(pk=draft.pk).update(status=MonthlyReturn.Status.SUBMITTED)
        client.force_login(officer)
        counts.append((entry, statements(client, url)))
    assert counts[0] == counts[1]
