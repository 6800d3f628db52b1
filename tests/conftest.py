import pytest
from django.contrib.auth.models import Group

from scorecard import roles
from tests import factories, snapshot


@pytest.fixture
def sample(db):
    """The reference scorecard loaded and calculated, as `make run` serves it.

    Loaded once per session and copied into each test that asks for it
    (tests/snapshot.py); the tests without it start from an empty database."""
    snapshot.sample()


@pytest.fixture
def director_client(client, sample, django_user_model):
    """The sample's director, signed in."""
    client.force_login(django_user_model.objects.get(username="director"))
    return client


@pytest.fixture
def area(db):
    return factories.area("First Response")


@pytest.fixture
def other_area(db):
    return factories.area("Children in Need South")


@pytest.fixture
def team_manager(area):
    return factories.user("tm-a", roles.TEAM_MANAGERS, areas=[area])


@pytest.fixture
def other_team_manager(other_area):
    return factories.user("tm-b", roles.TEAM_MANAGERS, areas=[other_area])


@pytest.fixture
def officer(db):
    return factories.user("po-1", roles.PERFORMANCE_OFFICERS, is_staff=True)


@pytest.fixture
def second_officer(db):
    return factories.user("po-2", roles.PERFORMANCE_OFFICERS, is_staff=True)


@pytest.fixture
def director(db):
    return factories.user("dir-1", roles.DIRECTORS)


@pytest.fixture
def administrator(db):
    return factories.user("sysadmin", None, is_staff=True, is_superuser=True)


@pytest.fixture
def groups(db):
    return {group.name: group for group in Group.objects.all()}
