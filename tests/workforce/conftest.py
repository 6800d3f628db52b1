from datetime import date
from decimal import Decimal

import pytest

from scorecard.models import Benchmark, Measure, MeasureGroup, MonthlyReturn, Target
from tests import factories
from workforce import measures
from workforce.models import Staffing

APPROVED = MonthlyReturn.Status.APPROVED

MEASURES = {
    measures.SICKNESS: {"title": "Sickness rate", "unit": "percent", "entry": "ratio"},
    measures.TURNOVER: {
        "title": "Turnover of qualified social workers",
        "unit": "percent",
        "entry": "ratio",
    },
    measures.VACANCY: {"title": "Vacancy rate", "unit": "percent", "entry": "ratio"},
    measures.AGENCY: {"title": "Agency rate", "unit": "percent", "entry": "ratio"},
    measures.CASELOAD: {
        "title": "Average caseload per qualified social worker",
        "unit": "count",
        "entry": "value",
    },
}


@pytest.fixture
def workforce_measures(db):
    """The five workforce measures as the sample defines them, with the sickness
    target and the statistical-neighbour turnover benchmark."""
    made = {
        code: factories.measure(
            code=code, group_id=MeasureGroup.WORKFORCE, polarity=Measure.Polarity.LOWER, **spec
        )
        for code, spec in MEASURES.items()
    }
    Target.objects.create(
        measure=made[measures.SICKNESS], kind=Target.Kind.IN_YEAR, value=4, starts=date(2014, 4, 1)
    )
    made[measures.SICKNESS].tolerance = Decimal(1)
    made[measures.SICKNESS].save()
    Benchmark.objects.create(
        measure=made[measures.TURNOVER],
        comparator="stat_neighbours",
        period="2014",
        value=Decimal("16.0"),
    )
    return made


@pytest.fixture
def login(client, sample, django_user_model):
    """Sign in as one of the sample's demo users: login("director")."""

    def as_user(username):
        client.force_login(django_user_model.objects.get(username=username))
        return client

    return as_user


def staffing(area, month, status=APPROVED, **figures):
    """A return for the area and month (approved unless said) with these staffing figures."""
    monthly_return, _ = MonthlyReturn.objects.get_or_create(
        area=area,
        month=month,
        defaults={
            "status": status,
            "approved_at": "2015-03-01T12:00Z" if status == APPROVED else None,
        },
    )
    return Staffing.objects.create(
        monthly_return=monthly_return,
        **{name: Decimal(str(value)) for name, value in figures.items()},
    )
