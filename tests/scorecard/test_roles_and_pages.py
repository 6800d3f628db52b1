import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from scorecard import roles
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_fresh_database_has_the_three_roles(groups):
    assert set(groups) >= {roles.TEAM_MANAGERS, roles.PERFORMANCE_OFFICERS, roles.DIRECTORS}
    assert groups[roles.TEAM_MANAGERS].permissions.filter(codename="submit_monthlyreturn").exists()
    assert (
        groups[roles.PERFORMANCE_OFFICERS]
        .permissions.filter(codename="approve_monthlyreturn")
        .exists()
    )


def test_performance_officers_maintain_exactly_the_reference_data(groups):
    model_permissions = {
        p.codename
        for p in groups[roles.PERFORMANCE_OFFICERS].permissions.all()
        if p.codename.split("_", 1)[0] in {"add", "change", "delete"}
    }
    assert model_permissions == {
        f"{action}_{model}"
        for model in [
            "measure",
            "measuregroup",
            "target",
            "baseline",
            "benchmark",
            "population",
            "teammembership",
        ]
        for action in ["add", "change", "delete"]
    }


def test_team_managers_and_directors_have_no_admin_access(client, team_manager, director):
    for user in (team_manager, director):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_every_model_is_registered_in_the_admin():
    for model in apps.get_app_config("scorecard").get_models():
        if model._meta.model_name.endswith("event") or model._meta.proxy:
            continue  # audit events (read through timelines) and the proxies that audit accounts
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("url", ["/", "/scorecard/", "/admin/"])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response.url


@pytest.mark.parametrize(
    "who, landing",
    [
        ("team_manager", "/returns/"),
        ("officer", "/approvals/"),
        ("director", "/summary/"),
        ("administrator", "/admin/"),
    ],
)
def test_each_role_lands_on_its_home_page_after_login(client, request, who, landing):
    user = request.getfixturevalue(who)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(response.url)
    assert home.status_code == 302 and home.url == landing


def test_the_scorecard_page_shows_the_seed_ratings_as_words(client, sample, django_user_model):
    client.force_login(django_user_model.objects.get(username="director"))
    response = client.get("/scorecard/?month=2015-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "as at January 2015" in html
    assert 'rag rag--red">Red<' in html
    assert 'rag rag--amber">Amber<' in html
    assert 'rag rag--green">Green<' in html
    # the long-term target is one of the columns a reader adds (issue 18)
    assert "23% by Jan 2016" not in html
    html = client.get("/scorecard/?month=2015-01&columns=all").content.decode()
    assert "23% by Jan 2016" in html


def test_the_admin_cannot_bypass_the_workflow(client, sample, django_user_model):
    from scorecard.models import MonthlyReturn

    client.force_login(django_user_model.objects.get(username="admin"))
    approved = MonthlyReturn.objects.get(area__parent__isnull=True, month="2015-01-01")
    page = client.get(f"/admin/scorecard/monthlyreturn/{approved.pk}/change/").content.decode()
    assert 'name="status"' not in page and 'name="approved_by"' not in page
    assert 'name="values-0-value"' not in page  # an approved return's figures are locked
    draft = MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")
    page = client.get(f"/admin/scorecard/monthlyreturn/{draft.pk}/change/").content.decode()
    # figures change only through the services (entry form, import), even while open
    assert 'name="values-0-numerator"' not in page and 'name="area"' not in page


@pytest.mark.django_db(transaction=True)
def test_a_target_changed_in_the_admin_is_audited_and_recalculates(
    client, sample, django_user_model
):
    from scorecard.models import CalculationRun, ScorecardResult, Target

    officer = django_user_model.objects.get(username="officer")
    client.force_login(officer)
    target = Target.objects.get(measure__code="children-seen", kind="in_year")
    url = f"/admin/scorecard/target/{target.pk}/change/"
    response = client.post(
        url,
        {
            "measure": target.measure_id,
            "kind": "in_year",
            "value": "89.0",
            "starts": "2014-04-01",
            "due": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CalculationRun.objects.first().trigger == "reference data"
    seen = ScorecardResult.objects.get(
        measure__code="children-seen", area__parent__isnull=True, month="2015-01-01"
    )
    assert (seen.target, seen.rating) == (89, "green")
    event = Target.pgh_event_model.objects.filter(pgh_obj_id=target.pk).last()
    assert event.value == 89 and event.pgh_context.metadata["user"] == officer.pk
