"""Small builders for test data: each makes the least a test needs."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from scorecard.models import (
    Measure,
    MeasureGroup,
    MonthlyReturn,
    ReturnValue,
    ServiceArea,
    TeamMembership,
)

PASSWORD = "a-long-test-password-1"


def authority():
    return ServiceArea.objects.get_or_create(
        slug="authority", defaults={"name": "The Authority", "parent": None}
    )[0]


def area(name, parent=None):
    from django.utils.text import slugify

    return ServiceArea.objects.get_or_create(
        slug=slugify(name), defaults={"name": name, "parent": parent or authority()}
    )[0]


def user(username, group=None, areas=(), **fields):
    fields.setdefault("first_name", username.title())
    person = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **fields
    )
    if group:
        person.groups.add(Group.objects.get(name=group))
    for service_area in areas:
        TeamMembership.objects.create(user=person, area=service_area)
    return person


_counter = iter(range(1, 10**6))


def group(code="assessment"):
    """A measure group, as the migration makes them (a flushed database has none)."""
    return MeasureGroup.objects.get_or_create(
        code=code, defaults={"name": code.replace("_", " ").capitalize()}
    )[0]


def measure(**fields):
    n = next(_counter)
    group(fields.get("group_id", "assessment"))
    values = {
        "code": f"measure-{n}",
        "title": f"% measure {n}",
        "group_id": "assessment",
        "unit": Measure.Unit.PERCENT,
        "polarity": Measure.Polarity.HIGHER,
        "entry": Measure.Entry.RATIO,
        "decimal_places": 1,
        "order": n,
    }
    values.update(fields)
    return Measure.objects.create(**values)


def monthly_return(service_area, month=date(2015, 2, 1), **fields):
    return MonthlyReturn.objects.create(area=service_area, month=month, **fields)


def value(monthly_return, measure, numerator=None, denominator=None, value=None, **fields):
    as_decimal = lambda x: None if x is None else Decimal(str(x))  # noqa: E731
    return ReturnValue.objects.create(
        monthly_return=monthly_return,
        measure=measure,
        numerator=as_decimal(numerator),
        denominator=as_decimal(denominator),
        value=as_decimal(value),
        **fields,
    )


def three_in_four_seen(month=date(2015, 1, 1)):
    """One area's approved return for `month`: 3 of 4 children seen, so the
    authority's calculated figure is 75%. The measure."""
    seen = measure(title="% seen")
    approved = monthly_return(
        area("First Response"),
        month=month,
        status=MonthlyReturn.Status.APPROVED,
        approved_at="2015-02-10T12:00Z",
    )
    ReturnValue.objects.create(monthly_return=approved, measure=seen, numerator=3, denominator=4)
    return seen


def approved_returns(measures, area_count, months, name):
    """`area_count` areas' approved returns of `months` months from January 2014,
    for `measures` percentage measures with a target and an England benchmark."""
    from scorecard import aggregation, periods
    from scorecard.models import Benchmark, ReturnValue, Target

    areas = [area(f"{name} {i}") for i in range(area_count)]
    all_measures = []
    for _ in range(measures):
        new = measure()
        Target.objects.create(
            measure=new, kind=Target.Kind.IN_YEAR, value=80, starts=date(2010, 4, 1)
        )
        Benchmark.objects.create(
            measure=new,
            comparator="england",
            period_kind=periods.CALENDAR_YEAR,
            period_start=date(2014, 1, 1),
            value=80,
        )
        all_measures.append(new)
    for i in range(months):
        month = aggregation.add_months(date(2014, 1, 1), i)
        for team in areas:
            approved = MonthlyReturn.objects.create(
                area=team,
                month=month,
                status=MonthlyReturn.Status.APPROVED,
                approved_at="2016-01-01T00:00Z",
            )
            ReturnValue.objects.bulk_create(
                ReturnValue(
                    monthly_return=approved, measure=m, numerator=(i + j) % 9 + 1, denominator=10
                )
                for j, m in enumerate(all_measures)
            )


def monthly_counts(measure, service_area, counts, first=date(2014, 1, 1)):
    """The area's approved returns of one month each from `first`, `measure`'s
    figure the count given (None: no return that month)."""
    from scorecard import aggregation

    for i, count in enumerate(counts):
        if count is None:
            continue
        approved = monthly_return(
            service_area,
            month=aggregation.add_months(first, i),
            status=MonthlyReturn.Status.APPROVED,
            approved_at="2016-01-01T00:00Z",
        )
        value(approved, measure, numerator=count)
