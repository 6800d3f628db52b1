"""What directors were shown, and what changed since: publication and revisions.

A month is published by the first successful calculation in which it is final:
none of its figures provisional, every return behind them approved. Automatic
rather than an officer's "publish" button, because a final month is what the
director's pages open on (`reports.default_month`): the moment it can be shown
as final is the moment it has been shown. The figures of that calculation are
kept (PublishedFigure); a later calculation that gives a different figure, or
a different rating, marks the result as revised, with the published value and
who changed it since, when and why. Called by the engine inside its run's
transaction.
"""

from collections import defaultdict
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from . import rag
from .models import (
    MonthlyReturn,
    Publication,
    PublishedFigure,
    ReturnContribution,
    ScorecardResult,
)


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _changes_since(publications: dict) -> dict:
    """{(area id, month): [change]}: the returns approved after their month was
    published, with who approved, who shaped the figures and why."""
    if not publications:
        return {}
    returns = [
        r
        for r in MonthlyReturn.objects.filter(
            month__in=list(publications),
            status=MonthlyReturn.Status.APPROVED,
        ).select_related("area", "approved_by")
        if r.approved_at and r.approved_at > publications[r.month].published_at
    ]
    shapers = defaultdict(set)
    for contribution in ReturnContribution.objects.filter(
        monthly_return__in=returns
    ).select_related("user"):
        shapers[(contribution.monthly_return_id, contribution.cycle)].add(_name(contribution.user))
    changes = {}
    for r in returns:
        changes[(r.area_id, r.month)] = [
            {
                "area": r.area.name,
                "approved_by": _name(r.approved_by),
                "approved_at": r.approved_at.isoformat(),
                # the round just approved is the one before the return's current round
                "changed_by": sorted(shapers[(r.pk, r.cycle - 1)]),
                "reason": r.reason or (f"Imported from {r.source}" if r.source else ""),
            }
        ]
    return changes


class Published(NamedTuple):
    value: object
    rating: str
    not_applicable: bool


def mark_revisions(rows: list[ScorecardResult], authority_id: int) -> None:
    """Set the revision fields of the rows whose month was published and whose
    figure or rating has changed since."""
    months = {row.month for row in rows}
    publications = {p.month: p for p in Publication.objects.filter(month__in=months)}
    if not publications:
        return
    published = {
        (measure_id, area_id, month): Published(value, rating, not_applicable)
        for measure_id, area_id, month, value, rating, not_applicable in (
            PublishedFigure.objects.filter(publication__in=publications.values()).values_list(
                "measure_id", "area_id", "publication__month", "value", "rating", "not_applicable"
            )
        )
    }
    changes = _changes_since(publications)
    by_month = defaultdict(list)
    for (_, month), found in changes.items():
        by_month[month] += found
    for row in rows:
        before = published.get((row.measure_id, row.area_id, row.month))
        if before is None or row.suppressed:
            continue
        places = row.measure.decimal_places
        if (
            rag.round_to(before.value, places) == rag.round_to(row.value, places)
            and before.rating == row.rating
            and before.not_applicable == row.not_applicable
        ):
            continue
        row.revised = True
        row.published_value = before.value
        row.published_rating = before.rating
        row.revision = {
            "published_at": publications[row.month].published_at.isoformat(),
            "changes": (
                by_month[row.month]
                if row.area_id == authority_id
                else changes.get((row.area_id, row.month), [])
            ),
        }


def publish_final_months(months: list, run) -> list:
    """Publish each of `months` that is final by its stored results and not yet
    published; returns the new publications. Judged from the stored results, not
    a run's rows, since a run for one return's changes writes only some of a
    month's results."""
    results = ScorecardResult.objects.filter(month__in=months)
    final = (
        results.exclude(month__in=Publication.objects.values("month"))
        .values("month")
        .annotate(
            figures=Count("pk", filter=Q(value__isnull=False)),
            provisional_figures=Count("pk", filter=Q(provisional=True)),
        )
        .filter(figures__gt=0, provisional_figures=0)
        .order_by("month")
        .values_list("month", flat=True)
    )
    now = timezone.now()
    created = Publication.objects.bulk_create(
        [Publication(month=month, run=run, published_at=now) for month in final]
    )
    if created:
        _keep_published_figures(created)
    return created


def _keep_published_figures(publications: list) -> None:
    """Copy the publications' months' results into PublishedFigure, in the database."""
    quote = connection.ops.quote_name
    figure = PublishedFigure._meta
    columns = ", ".join(
        quote(figure.get_field(name).column)
        for name in ("publication", "measure", "area", "value", "rating", "not_applicable")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(figure.db_table)} ({columns}) "  # noqa: S608 - model names
            f"SELECT p.id, r.measure_id, r.area_id, r.value, r.rating, r.not_applicable "
            f"FROM {quote(ScorecardResult._meta.db_table)} r "
            f"JOIN {quote(Publication._meta.db_table)} p ON p.month = r.month "
            f"WHERE p.id IN ({', '.join(['%s'] * len(publications))})",
            [publication.pk for publication in publications],
        )
