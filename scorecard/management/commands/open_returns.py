from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scorecard import months, opening


class Command(BaseCommand):
    help = (
        "Open a month's returns: a draft return, with a blank row per measure, for every "
        "active service area that has none. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", help="YYYY-MM (default: the month just ended, by the London date)"
        )

    def handle(self, *args, month=None, **options):
        if month is None:
            chosen = months.month_just_ended(timezone.localdate())
        else:
            try:
                chosen = months.parse_month(month)
            except ValueError as error:
                raise CommandError(f"--month: {error}") from error
        opened = opening.open_returns(chosen)
        noun = "return" if opened == 1 else "returns"
        self.stdout.write(f"Opened {opened} {noun} for {chosen:%B %Y}.")
