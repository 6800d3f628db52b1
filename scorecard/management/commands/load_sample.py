from django.core.management.base import BaseCommand

from scorecard import engine
from scorecard.sample import load_sample


class Command(BaseCommand):
    help = "Load the reference scorecard (January 2015) as sample data. Safe to run again."

    def handle(self, *args, **options):
        logins = load_sample()
        engine.recalculate(trigger="load_sample")
        self.stdout.write(self.style.SUCCESS("Sample scorecard loaded."))
        self.stdout.write("Demo logins (all share one password):")
        for login in logins:
            self.stdout.write(f"  {login['username']:<10} {login['password']}  {login['label']}")
