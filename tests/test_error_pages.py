"""The 404 and 500 pages are the service's own, with DEBUG off (test settings)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_debug_is_off_so_these_are_the_pages_users_see():
    assert settings.DEBUG is False


def test_a_page_that_does_not_exist_is_the_services_not_found_page(client, sample):
    client.force_login(get_user_model().objects.get(username="director"))
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "govuk-service-navigation" in html
    assert settings.SERVICE_NAME.replace("'", "&#x27;") in html
    assert "<title>Page not found – " in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "check it is correct" in html
    assert "Sign out" in html  # the signed-in header, as on every other page


def test_a_row_outside_the_users_scope_shows_the_same_not_found_page(client, sample):
    client.force_login(get_user_model().objects.get(username="director"))
    html = client.get("/scorecard/measures/no-such-measure/").content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    return Client(raise_request_exception=False)


def test_a_failure_shows_the_services_error_page_without_touching_the_database(
    failing_site, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = failing_site.get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "govuk-service-navigation" in html
    assert settings.SERVICE_NAME.replace("'", "&#x27;") in html
    assert "Sorry, there is a problem with the service" in html
    assert "check whether your changes were saved" in html
    assert "a failure the page must not show" not in html
    assert "Traceback" not in html


def test_a_refused_page_is_the_services_own_page(client, sample):
    client.force_login(get_user_model().objects.get(username="director"))
    response = client.get("/approvals/")  # a performance officer's page
    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>You cannot do this – " in html
    assert "govuk-service-navigation" in html and "Sign out" in html
