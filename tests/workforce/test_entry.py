"""The staffing section of a return, as team managers and officers use it: entered
in the same form, checked, saved all-or-nothing with the figures, submitted and
approved with them, audited with them."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from scorecard import services
from scorecard.models import MonthlyReturn, ReturnValue
from tests import factories
from workforce.models import Staffing
from workforce.validation import FIELDS

FEB = date(2015, 2, 1)
pytestmark = pytest.mark.django_db

COMPLETE = {
    "fte_in_post": "20",
    "headcount_in_post": "21",
    "establishment_fte": "24",
    "vacancies_fte": "4",
    "agency_fte": "3.5",
    "starters_fte": "1",
    "leavers_fte": "2",
    "days_available": "400",
    "days_lost": "12.5",
    "open_cases": "310",
}


@pytest.fixture
def measure(db):
    return factories.measure(title="% children seen", polarity="none")


@pytest.fixture
def feb_return(area, measure, workforce_measures):
    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure)
    return monthly_return


def post(client, monthly_return, measure, submit=False, staffing=None, **typed):
    data = {"version": MonthlyReturn.objects.get(pk=monthly_return.pk).version}
    data.update({f"m{measure.pk}_{name}": value for name, value in typed.items()})
    data.update({f"staffing-{name}": value for name, value in (staffing or {}).items()})
    data["submit" if submit else "save"] = "1"
    return client.post(reverse("return-detail", args=[monthly_return.pk]), data)


def saved(monthly_return):
    staffing = Staffing.objects.filter(monthly_return=monthly_return).first()
    value = ReturnValue.objects.get(monthly_return=monthly_return, measure__code__startswith="m")
    return staffing, (value.numerator, value.denominator)


def test_the_entry_form_has_a_labelled_staffing_section(client, team_manager, feb_return):
    client.force_login(team_manager)
    html = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert ">Staffing</h2>" in html
    for spec in FIELDS:
        assert (
            f'<label class="govuk-label" for="id_staffing-{spec.name}">{spec.label}</label>' in html
        )
    assert "Sickness rate" not in html  # computed from the section, never typed


def test_staffing_is_saved_with_the_figures_and_submitted_with_them(
    client, team_manager, feb_return, measure
):
    client.force_login(team_manager)
    response = post(
        client, feb_return, measure, submit=True, numerator="9", denominator="10", staffing=COMPLETE
    )
    assert response.status_code == 302
    staffing, figures = saved(feb_return)
    assert figures == (9, 10)
    assert (staffing.fte_in_post, staffing.agency_fte, staffing.open_cases) == (20, D("3.5"), 310)
    assert staffing.headcount_in_post == 21
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "submitted"


def test_the_staffing_commentary_is_entered_saved_and_shown_for_review(
    client, team_manager, feb_return, measure, officer
):
    client.force_login(team_manager)
    html = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert (
        '<label class="govuk-label" for="id_staffing-commentary">Staffing commentary</label>'
        in (html)
    )
    said = "Two posts filled from agency staff to meet demand."
    response = post(
        client,
        feb_return,
        measure,
        submit=True,
        numerator="9",
        denominator="10",
        staffing={**COMPLETE, "commentary": f"  {said} "},
    )
    assert response.status_code == 302
    staffing, _ = saved(feb_return)
    assert staffing.commentary == said
    client.force_login(officer)
    review = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert "Staffing commentary" in review and said in review


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"days_available": "10", "days_lost": "12"},
            "days_lost",
            "The working days lost to sickness cannot be more than the working days available",
        ),
        (
            {"fte_in_post": "10", "starters_fte": "0", "leavers_fte": "11"},
            "leavers_fte",
            "The leavers FTE cannot be more than the FTE in post plus the starters FTE",
        ),
        (
            {"fte_in_post": "12.125"},
            "fte_in_post",
            "Enter the FTE of qualified social workers in post as a number with no more than 2 "
            "decimal places",
        ),
        ({"agency_fte": "-1"}, "agency_fte", "The agency FTE cannot be negative"),
    ],
)
def test_a_bad_staffing_figure_is_shown_at_its_field_and_nothing_is_saved(
    client, team_manager, feb_return, measure, typed, field, message
):
    client.force_login(team_manager)
    version = feb_return.version
    response = post(client, feb_return, measure, numerator="9", denominator="10", staffing=typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_staffing-{field}">Staffing: {message}</a>' in html
    assert (
        f'<p class="govuk-error-message" id="id_staffing-{field}-error"><span '
        f'class="govuk-visually-hidden">Error:</span> Staffing: {message}</p>'
    ) in html
    assert f'govuk-input--error" id="id_staffing-{field}"' in html
    assert f'value="{typed[field]}"' in html  # what was typed is shown back
    # Nothing half-saved: neither the figures nor the staffing.
    assert saved(feb_return) == (None, (None, None))
    assert MonthlyReturn.objects.get(pk=feb_return.pk).version == version


@pytest.mark.parametrize("typed", ["12,5", "1,2,3", "1e3", "1_000", "١٢", "１２", "0e-1000000"])
def test_a_staffing_figure_that_cannot_be_read_exactly_is_refused_and_nothing_is_saved(
    client, team_manager, feb_return, measure, typed
):
    """Issue 12, point 5: read by the same parser as the figures, so refused the same."""
    client.force_login(team_manager)
    version = feb_return.version
    response = post(
        client,
        feb_return,
        measure,
        numerator="9",
        denominator="10",
        staffing={**COMPLETE, "fte_in_post": typed},
    )
    assert response.status_code == 400
    assert (
        "Staffing: Enter the FTE of qualified social workers in post as a number, like 12 or 12.5"
    ) in response.content.decode()
    assert saved(feb_return) == (None, (None, None))
    assert MonthlyReturn.objects.get(pk=feb_return.pk).version == version


def test_a_bad_figure_elsewhere_saves_no_staffing_either(client, team_manager, feb_return, measure):
    client.force_login(team_manager)
    response = post(client, feb_return, measure, numerator="eleven", staffing=COMPLETE)
    assert response.status_code == 400
    assert saved(feb_return) == (None, (None, None))


def test_a_section_that_fails_while_saving_rolls_back_the_figures(
    feb_return, team_manager, measure
):
    from scorecard import validation

    entry = validation.Entry(
        measure=validation.MeasureRules(
            title="x",
            entry="ratio",
            unit="percent",
            decimal_places=1,
            polarity="none",
            tolerance=D(5),
            tolerance_kind="points",
            change_threshold_percent=D(25),
        ),
        numerator="9",
        denominator="10",
    )
    assert validation.check(entry, submitting=False) == []
    value = ReturnValue.objects.get(monthly_return=feb_return)

    def failing_section(monthly_return):
        Staffing.objects.create(monthly_return=monthly_return, fte_in_post=5)
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        services.save_return(
            user=team_manager,
            monthly_return=feb_return,
            lines=[services.LineInput(value.pk, entry)],
            expected_version=feb_return.version,
            submit=False,
            sections=[failing_section],
        )
    assert saved(feb_return) == (None, (None, None))


def test_submitting_needs_every_staffing_figure(client, team_manager, feb_return, measure):
    client.force_login(team_manager)
    response = post(
        client,
        feb_return,
        measure,
        submit=True,
        numerator="9",
        denominator="10",
        staffing=dict(COMPLETE, open_cases=""),
    )
    assert response.status_code == 400
    assert (
        "Staffing: Enter the number of open cases before you submit (0 if there are none)"
        in response.content.decode()
    )
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "draft"
    draft = post(client, feb_return, measure, numerator="9", staffing={"fte_in_post": "20"})
    assert draft.status_code == 302  # a draft may be incomplete
    assert saved(feb_return)[0].fte_in_post == 20


def test_the_approval_covers_the_staffing_and_locks_it(
    client, team_manager, officer, feb_return, measure
):
    client.force_login(team_manager)
    post(
        client, feb_return, measure, submit=True, numerator="9", denominator="10", staffing=COMPLETE
    )
    client.force_login(officer)
    review = client.get(reverse("return-detail", args=[feb_return.pk])).content.decode()
    assert "Staffing: the team's qualified social workers" in review
    assert (
        '<th scope="row" class="govuk-table__header">Agency qualified social workers (FTE)'
        '</th>\n    <td class="govuk-table__cell govuk-table__cell--numeric">3.5</td>' in review
    )
    assert 'name="staffing-' not in review  # read only
    client.post(
        reverse("return-transition", args=[feb_return.pk]),
        {"action": "approve", "version": MonthlyReturn.objects.get(pk=feb_return.pk).version},
    )
    assert MonthlyReturn.objects.get(pk=feb_return.pk).status == "approved"
    client.force_login(team_manager)
    locked = post(client, feb_return, measure, staffing=dict(COMPLETE, fte_in_post="1"))
    assert locked.status_code == 403
    assert saved(feb_return)[0].fte_in_post == 20


def test_another_areas_team_manager_cannot_see_or_change_the_staffing(
    client, other_team_manager, feb_return, measure
):
    client.force_login(other_team_manager)
    assert client.get(reverse("return-detail", args=[feb_return.pk])).status_code == 404
    assert post(client, feb_return, measure, staffing=COMPLETE).status_code == 404
    assert saved(feb_return)[0] is None


def test_directors_cannot_enter_staffing(client, director, feb_return, measure):
    client.force_login(director)
    assert post(client, feb_return, measure, staffing=COMPLETE).status_code == 403
    assert saved(feb_return)[0] is None


def test_the_authoritys_return_has_no_staffing_section(client, officer, workforce_measures):
    authority_return = factories.monthly_return(factories.authority(), FEB)
    client.force_login(officer)
    html = client.get(reverse("return-detail", args=[authority_return.pk])).content.decode()
    assert "staffing-" not in html


def test_a_team_reports_staffing_only_while_there_are_workforce_measures(
    client, team_manager, area, measure
):
    monthly_return = factories.monthly_return(area, FEB)
    client.force_login(team_manager)
    html = client.get(reverse("return-detail", args=[monthly_return.pk])).content.decode()
    assert "staffing-" not in html


def test_staffing_changes_are_in_the_same_audit_trail(client, team_manager, feb_return, measure):
    client.force_login(team_manager)
    post(client, feb_return, measure, staffing={"fte_in_post": "20"})
    post(client, feb_return, measure, staffing={"fte_in_post": "21.5"})
    events = list(
        Staffing.pgh_event_model.objects.filter(monthly_return_id=feb_return.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    assert [(e.pgh_label, e.fte_in_post) for e in events] == [("insert", 20), ("update", D("21.5"))]
    assert events[-1].pgh_context.metadata["user"] == team_manager.pk
    assert events[-1].pgh_context.metadata["action"] == "save draft"
