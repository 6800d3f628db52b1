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
    assert groups[roles.PERFORMANCE_OFFICERS].permissions.filter(
        codename="approve_monthlyreturn").exists()


def test_performance_officers_maintain_exactly_the_reference_data_in_the_admin(groups):
    model_permissions = {
        p.codename for p in groups[roles.PERFORMANCE_OFFICERS].permissions.all()
        if p.codename.split("_", 1)[0] in {"add", "change", "delete"}
    }
    assert model_permissions == {
        f"{action}_{model}"
        for model in ["measure", "target", "baseline", "benchmark", "population"]
        for action in ["add", "change", "delete"]
    }


def test_team_managers_and_directors_have_no_admin_access(client, team_manager, director):
    for user in (team_manager, director):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_every_model_is_registered_in_the_admin():
    for model in apps.get_app_config("scorecard").get_models():
        if model._meta.model_name.endswith("event"):
            continue  # audit events: read through the return's timeline
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
    assert "23 by Jan 2016" in html
