from django.core.management.base import BaseCommand, CommandError

from scorecard import engine
from scorecard.months import parse_month


class Command(BaseCommand):
    help = "Recalculate the stored scorecards now (the nightly task's work, synchronously)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM: only this month (default: every month)")

    def handle(self, *args, month=None, **options):
        try:
            months = [parse_month(month)] if month else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            run = engine.recalculate(months=months, trigger="command")
        except Exception as error:
            raise CommandError(
                f"The calculation failed and the previous results stand: {error}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Run {run.pk}: {run.rows_written} rows written in "
                f"{run.duration.total_seconds():.2f} s."
            )
        )
