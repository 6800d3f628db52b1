from django.core.management.base import BaseCommand, CommandError

from scorecard import exports, reports
from scorecard.models import ServiceArea
from scorecard.months import parse_month


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
        sheet = exports.scorecard_sheet(
            area=area, month=month, visible_areas=ServiceArea.objects.all()
        )
        for line in sheet.title[1:]:
            self.stderr.write(line)
        self.stdout.write(exports.csv_text(sheet, bom=False), ending="")
