from django.core.management.base import BaseCommand, CommandError

from scorecard import reports
from scorecard.exports import export_table
from scorecard.models import ServiceArea
from scorecard.months import parse_month
from scorecard.tables import ScorecardTable


class Command(BaseCommand):
    help = "Write the scorecard for a month as CSV to standard output."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the newest calculated month)")
        parser.add_argument("--area", help="service area slug (default: the authority)")

    def handle(self, *args, month=None, area=None, **options):
        try:
            month = (
                parse_month(month)
                if month
                else reports.default_month(reports.months_with_results())
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if month is None:
            raise CommandError("Nothing has been calculated yet: run recalculate_scorecards.")
        try:
            area = ServiceArea.objects.get(slug=area) if area else ServiceArea.objects.authority()
        except ServiceArea.DoesNotExist as error:
            raise CommandError(f"No service area {area!r}") from error
        scorecard = reports.build_scorecard(area=area, month=month)
        if scorecard.run:
            provisional = "; provisional" if scorecard.provisional else ""
            self.stderr.write(
                f"Calculated {scorecard.run.finished_at:%Y-%m-%d %H:%M %Z} from "
                f"approved returns{provisional}."
            )
        self.stdout.write(export_table(ScorecardTable(scorecard), "csv"), ending="")
