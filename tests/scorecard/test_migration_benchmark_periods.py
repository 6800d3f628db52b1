"""Migration 0008: a benchmark's bare year becomes the calendar year it was
compared as (every month from that January), its audit trail's rows too."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scorecard", "0007_outbox_heartbeats_account_audit")]
AFTER = [("scorecard", "0008_reporting_frequency")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_benchmark_year_becomes_that_calendar_year_with_its_history():
    # every app's latest: going back unapplies the other apps' migrations that
    # depend on later scorecard ones (workforce's), and they must come back too
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        measure = old.get_model("scorecard", "Measure").objects.create(
            code="seen",
            title="% seen",
            group="assessment",
            unit="percent",
            polarity="higher",
            entry="ratio",
        )
        benchmark = old.get_model("scorecard", "Benchmark").objects.create(
            measure=measure, comparator="england", year=2014, value=82
        )
        new = migrate(AFTER)
        migrated = new.get_model("scorecard", "Benchmark").objects.get(pk=benchmark.pk)
        assert (migrated.period_kind, migrated.period_start) == ("calendar_year", date(2014, 1, 1))
        (event,) = new.get_model("scorecard", "BenchmarkEvent").objects.filter(
            pgh_obj_id=benchmark.pk
        )
        assert (event.period_kind, event.period_start) == ("calendar_year", date(2014, 1, 1))
    finally:
        migrate(latest)
