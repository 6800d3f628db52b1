"""Changing reference data (measures, targets, benchmarks, baselines,
populations, service areas): what figures are rated and compared against, so
every change is followed by a recalculation in the same transaction. (Measure
groups and who manages which area rate nothing: they are saved without one.)
Audited by the models' triggers (who, when, old, new), whether the change
comes from the service's set-up pages or the admin."""

from django.db import transaction

from . import recalculation

TRIGGER = "reference data"


def save(instance) -> None:
    with transaction.atomic():
        instance.save()
        recalculation.request(TRIGGER)


def delete(instance) -> None:
    with transaction.atomic():
        instance.delete()
        recalculation.request(TRIGGER)


def delete_all(queryset) -> None:
    with transaction.atomic():
        queryset.delete()
        recalculation.request(TRIGGER)


def request_recalculation() -> None:
    """After reference data written in bulk (the set-up upload), inside its
    transaction: one recalculation for all of it."""
    recalculation.request(TRIGGER)
