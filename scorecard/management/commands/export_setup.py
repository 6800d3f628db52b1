from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scorecard import reference_data


class Command(BaseCommand):
    help = (
        "Write the whole set-up (areas, measure groups, measures, targets, baselines, "
        "benchmarks, populations, team managers and their areas; never a password) to FILE "
        "as one .xlsx workbook, as the Set-up page's download does."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the workbook to write, e.g. setup.xlsx")

    def handle(self, *args, file, **options):
        try:
            Path(file).write_bytes(reference_data.export_workbook())
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"The set-up is in {file}."))
