"""Exactly one authority: the one service area with no parent. The database
refuses a second one and a third tier (an area under a service area), the
admin says why beside the field, and no page can meet two authorities."""

import pytest
from django.db import IntegrityError, transaction

from scorecard.models import ServiceArea
from tests import factories

pytestmark = pytest.mark.django_db


def refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_the_database_refuses_a_second_area_without_a_parent():
    factories.authority()
    refused(lambda: ServiceArea.objects.create(name="Another council", slug="another"))
    assert ServiceArea.objects.filter(parent__isnull=True).count() == 1


def test_the_database_refuses_an_area_under_a_service_area(area):
    refused(lambda: ServiceArea.objects.create(name="Duty team", slug="duty", parent=area))


def test_the_database_refuses_a_parent_for_an_area_that_has_children(area, other_area):
    """Moving a service area (with teams of its own) under another would make a
    third tier too: refused the same way."""
    authority = area.parent
    refused(lambda: ServiceArea.objects.filter(pk=authority.pk).update(parent=area))


def test_service_areas_under_the_authority_are_many(area, other_area):
    assert area.parent == other_area.parent == ServiceArea.objects.authority()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


ADD_URL = "/admin/scorecard/servicearea/add/"


def add(admin_client, **fields):
    data = {"name": "Another council", "slug": "another", "active": "on", "order": "0"}
    data.update(fields)
    return admin_client.post(ADD_URL, data)


def test_the_admin_refuses_a_second_authority_with_a_message(admin_client):
    authority = factories.authority()
    response = add(admin_client, parent="")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"There is already an authority, {authority.name}" in page
    assert not ServiceArea.objects.filter(slug="another").exists()


def test_the_admin_refuses_an_area_under_a_service_area_with_a_message(admin_client, area):
    response = add(admin_client, name="Duty team", slug="duty", parent=str(area.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "must be under the authority" in page
    assert not ServiceArea.objects.filter(slug="duty").exists()


def test_the_admin_adds_a_service_area_under_the_authority(admin_client):
    authority = factories.authority()
    response = add(admin_client, name="Duty team", slug="duty", parent=str(authority.pk))
    assert response.status_code == 302
    assert ServiceArea.objects.get(slug="duty").parent == authority


def test_the_admin_says_what_an_empty_parent_means(admin_client):
    factories.authority()
    page = admin_client.get(ADD_URL).content.decode()
    assert "Leave empty only for the authority" in page


@pytest.mark.parametrize(
    "url", ["/summary/", "/scorecard/", "/scorecard/measures/repeat-referrals/"]
)
def test_the_directors_pages_answer_with_one_authority(client, sample, django_user_model, url):
    """With the second authority refused, the pages that look for the authority
    find exactly one (before, `/summary/` and a measure page answered 500)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceArea.objects.create(name="Another council", slug="another")
    client.force_login(django_user_model.objects.get(username="director"))
    assert client.get(url).status_code == 200
