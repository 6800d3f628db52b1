import pytest

from annexa import derivations
from annexa.models import TeamMapping
from scorecard import library, roles
from tests import factories


@pytest.fixture
def annex_a_authority(db):
    """The authority with North and South, every Annex A measure adopted, and the
    lists' teams North and South mapped."""
    authority = factories.authority()
    north, south = factories.area("North"), factories.area("South")
    library.adopt({d.measure: "" for d in derivations.derivations()})
    TeamMapping.objects.create(key="north", label="North", area=north)
    TeamMapping.objects.create(key="south", label="South", area=south)
    return {"authority": authority, "north": north, "south": south}


@pytest.fixture
def north_manager(annex_a_authority):
    return factories.user("tm-north", roles.TEAM_MANAGERS, areas=[annex_a_authority["north"]])
