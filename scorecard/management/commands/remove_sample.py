from django.core.management.base import BaseCommand, CommandError

from scorecard.sample import SampleKept, remove_sample


class Command(BaseCommand):
    help = (
        "Remove the sample (Buckinghamshire, January 2015): its areas, returns, measures, "
        "results and demo accounts. Refuses, removing nothing, if anything not from the "
        "sample would go with it."
    )

    def handle(self, *args, **options):
        try:
            removed = remove_sample()
        except SampleKept as kept:
            raise CommandError(
                "Nothing was removed:\n" + "\n".join(f"  {p}" for p in kept.problems)
            ) from None
        counts = ", ".join(f"{count} {what}" for what, count in removed.items())
        self.stdout.write(self.style.SUCCESS(f"Sample removed: {counts}."))
