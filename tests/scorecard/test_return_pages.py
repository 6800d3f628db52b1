"""The return pages as people use them: entry, errors, review, scoping."""

from datetime import date

import pytest
from django.urls import reverse

from scorecard.models import MonthlyReturn, ReturnValue, Target
from tests import factories

FEB = date(2015, 2, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(db):
    measure = factories.measure(
        title="% children seen", numerator_label="Seen", denominator_label="Assessments"
    )
    Target.objects.create(
        measure=measure, kind=Target.Kind.IN_YEAR, value=85, starts=date(2014, 4, 1)
    )
    return measure


@pytest.fixture
def feb_return(area, measure):
    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure)
    return monthly_return


def post(client, monthly_return, measure, submit=False, **typed):
    data = {"version": MonthlyReturn.objects.get(pk=monthly_return.pk).version}
    data.update({f"m{measure.pk}_{name}": value for name, value in typed.items()})
    data["submit" if submit else "save"] = "1"
    return client.post(reverse("return-detail", args=[monthly_return.pk]), data)


def figures(monthly_return):
    value = ReturnValue.objects.get(monthly_return=monthly_return)
    return value.numerator, value.denominator, value.commentary


def test_my_returns_lists_only_the_managers_own_areas(client, team_manager, feb_return, other_area):
    factories.monthly_return(other_area, FEB)
    client.force_login(team_manager)
    response = client.get(reverse("my-returns"))
    assert response.status_code == 200
    assert list(response.context["returns"]) == [feb_return]
    assert "Due" in response.content.decode()


@pytest.mark.parametrize("url_name, refused", [("return-detail", 404), ("return-transition", 403)])
def test_another_areas_return_cannot_be_reached_whatever_the_url(
    client, other_team_manager, feb_return, url_name, refused
):
    client.force_login(other_team_manager)
    url = reverse(url_name, args=[feb_return.pk])
    assert client.get(url).status_code == refused
    assert client.post(url, {"version": 1, "action": "approve"}).status_code == refused
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "draft"


def test_directors_cannot_reach_entry_or_approval(client, director, feb_return):
    client.force_login(director)
    for url in [
        reverse("my-returns"),
        reverse("approval-queue"),
        reverse("return-detail", args=[feb_return.pk]),
    ]:
        assert client.get(url).status_code == 403


def test_a_bad_figure_shows_the_error_summary_and_the_message_at_the_field(
    client, team_manager, feb_return, measure
):
    client.force_login(team_manager)
    response = post(
        client, feb_return, measure, numerator="eleven", denominator="20", commentary="Keep me"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert f'href="#id_m{measure.pk}_numerator"' in html
    assert "Enter the numerator as a number" in html
    assert f'govuk-input--error" id="id_m{measure.pk}_numerator"' in html
    # what the user typed is shown back; nothing was saved
    assert 'value="eleven"' in html and "Keep me" in html
    assert figures(feb_return) == (None, None, "")


def test_a_red_figure_needs_a_commentary_before_submit(client, team_manager, feb_return, measure):
    client.force_login(team_manager)
    response = post(client, feb_return, measure, submit=True, numerator="14", denominator="20")
    assert response.status_code == 400
    assert "would rate Red" in response.content.decode()
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "draft"
    response = post(
        client,
        feb_return,
        measure,
        submit=True,
        numerator="14",
        denominator="20",
        commentary="Two social workers off sick",
    )
    assert response.status_code == 302
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "submitted"
    assert figures(feb_return) == (14, 20, "Two social workers off sick")


def test_the_officer_returns_with_a_reason_and_the_manager_sees_it(
    client, team_manager, officer, feb_return, measure
):
    client.force_login(team_manager)
    post(client, feb_return, measure, submit=True, numerator="18", denominator="20")
    client.force_login(officer)
    queue = client.get(reverse("approval-queue"))
    assert list(queue.context["returns"]) == [feb_return]
    version = MonthlyReturn.objects.get(pk=feb_return.pk).version
    url = reverse("return-transition", args=[feb_return.pk])
    no_reason = client.post(url, {"action": "return", "reason": " ", "version": version})
    assert no_reason.status_code == 400
    assert "Give the reason you are returning this return" in no_reason.content.decode()
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "submitted"
    client.post(url, {"action": "return", "reason": "Denominator looks low", "version": version})
    client.force_login(team_manager)
    page = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert "Denominator looks low" in page


def test_a_stale_form_is_refused_with_who_and_when(client, team_manager, feb_return, measure, area):
    colleague = factories.user(
        "deputy", "Team managers", areas=[area], first_name="Dee", last_name="Puty"
    )
    client.force_login(team_manager)
    stale_version = feb_return.version
    client.force_login(colleague)
    post(client, feb_return, measure, numerator="5", denominator="10")
    client.force_login(team_manager)
    response = client.post(
        reverse("return-detail", args=[feb_return.pk]),
        {
            "version": stale_version,
            f"m{measure.pk}_numerator": "6",
            f"m{measure.pk}_denominator": "10",
            "save": "1",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Dee Puty changed this return on" in html
    assert 'value="6"' in html  # the user's own figures are still there to save again
    assert figures(feb_return)[0] == 5


def test_the_return_page_shows_the_timeline_with_old_and_new_values(
    client, team_manager, feb_return, measure
):
    client.force_login(team_manager)
    post(client, feb_return, measure, numerator="5", denominator="10")
    post(client, feb_return, measure, numerator="6", denominator="10")
    html = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert "History" in html and "Save draft" in html
    assert "5.00" in html and "6.00" in html


def test_officers_see_the_completeness_grid_with_words(client, officer, feb_return, other_area):
    client.force_login(officer)
    response = client.get(reverse("completeness"))
    assert response.status_code == 200
    grid = response.context["grid"]
    statuses = {row.area.name: row.cells[-1].status for row in grid.rows}
    assert statuses["First Response"] == "Draft"
    assert statuses["Children in Need South"] == "Missing"
    assert ">Missing<" in response.content.decode()


def test_submitting_and_reviewing_send_emails_with_a_link(
    client,
    mailoutbox,
    team_manager,
    officer,
    feb_return,
    measure,
    django_capture_on_commit_callbacks,
):
    client.force_login(team_manager)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, feb_return, measure, submit=True, numerator="18", denominator="20")
    assert [m.to for m in mailoutbox] == [[officer.email]]
    assert f"/returns/{feb_return.pk}/" in mailoutbox[0].body
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("return-transition", args=[feb_return.pk]),
            {"action": "approve", "version": MonthlyReturn.objects.get(pk=feb_return.pk).version},
        )
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "approved"
    assert mailoutbox[-1].to == [team_manager.email]
    assert "approved" in mailoutbox[-1].subject.lower()


def test_an_approved_return_can_be_reopened_with_a_reason(
    client, team_manager, officer, feb_return, measure
):
    client.force_login(team_manager)
    post(client, feb_return, measure, submit=True, numerator="18", denominator="20")
    client.force_login(officer)
    url = reverse("return-transition", args=[feb_return.pk])
    client.post(
        url, {"action": "approve", "version": MonthlyReturn.objects.get(pk=feb_return.pk).version}
    )
    client.post(
        url,
        {
            "action": "reopen",
            "reason": "Late data from the system",
            "version": MonthlyReturn.objects.get(pk=feb_return.pk).version,
        },
    )
    reopened = MonthlyReturn.objects.get(pk=feb_return.pk)
    assert (reopened.status, reopened.reason) == ("returned", "Late data from the system")


def test_a_reason_of_zero_width_spaces_is_refused_at_the_field(
    client, team_manager, officer, feb_return, measure
):
    client.force_login(team_manager)
    post(client, feb_return, measure, submit=True, numerator="18", denominator="20")
    client.force_login(officer)
    url = reverse("return-transition", args=[feb_return.pk])
    version = MonthlyReturn.objects.get(pk=feb_return.pk).version
    refused = client.post(
        url, {"action": "return", "reason": "\u200b\u200b\ufeff", "version": version}
    )
    assert refused.status_code == 400
    assert "Give the reason you are returning this return" in refused.content.decode()
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "submitted"


def test_reopening_a_return_that_is_not_approved_says_so_in_english(
    client, team_manager, officer, feb_return, measure
):
    client.force_login(team_manager)
    post(client, feb_return, measure, submit=True, numerator="18", denominator="20")
    client.force_login(officer)
    url = reverse("return-transition", args=[feb_return.pk])
    refused = client.post(
        url,
        {
            "action": "reopen",
            "reason": "Late data",
            "version": MonthlyReturn.objects.get(pk=feb_return.pk).version,
        },
    )
    assert refused.status_code == 409
    assert "A submitted return cannot be reopened." in refused.content.decode()
    assert "reopend" not in refused.content.decode()


@pytest.mark.django_db
def test_the_database_counts_a_line_as_holding_a_figure_as_the_return_page_does(area):
    from scorecard import selectors
    from scorecard.models import ReturnValue

    monthly_return = factories.monthly_return(area)
    cases = [
        {},
        {"numerator": 0},
        {"denominator": 5},
        {"value": 1},
        {"not_applicable_reason": "No such team this month"},
        {"numerator": 3, "denominator": 4},
    ]
    values = [factories.value(monthly_return, factories.measure(), **fields) for fields in cases]
    held = set(ReturnValue.objects.filter(selectors.HOLDS_FIGURE).values_list("pk", flat=True))
    assert {v.pk for v in values if selectors._holds_figure(v)} == held
    assert len(held) == len(cases) - 1


def test_the_return_page_weighs_the_same_however_often_it_is_saved(
    client, team_manager, feb_return, measure
):
    """Its history shows the latest changes; the full history is a page at a time."""
    client.force_login(team_manager)
    url = reverse("return-detail", args=[feb_return.pk])

    def save(times, start):
        for n in range(start, start + times):
            response = post(client, feb_return, measure, numerator=str(n), denominator="100")
            assert client.get(response.url).status_code == 200  # as a browser follows it

    save(12, 10)
    after_a_few = len(client.get(url).content)
    save(60, 30)
    page = client.get(url).content.decode()
    assert abs(len(page.encode()) - after_a_few) < 100  # the counts' digits, no more
    assert "89.00" in page and "10.00" not in page  # the latest change shown, the first not
    assert "The latest 10 of 73 changes" in page
    history = reverse("return-history", args=[feb_return.pk])
    assert f'href="{history}"' in page

    first = client.get(history).content.decode()
    assert "Changes 1 to 50 of 73, oldest first" in first and "10.00" in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get(history, {"page": "2"}).content.decode()
    assert "Changes 51 to 73 of 73" in second and "89.00" in second
    assert 'aria-current="page">2<' in second
    assert client.get(history, {"page": "x"}).status_code == 200  # the first page
