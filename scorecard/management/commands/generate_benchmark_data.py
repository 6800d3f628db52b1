from django.core.management.base import BaseCommand, CommandError

from scorecard import benchmark_data


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set for measuring the product at scale (PostgreSQL only): "
        "an authority and its areas, measures, targets, benchmarks, populations and approved "
        "monthly returns with staffing figures, all named as synthetic. Refuses, writing "
        "nothing, when the database holds any area, measure or return that is not synthetic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--areas", type=int, default=40, help="service areas (default 40)")
        parser.add_argument("--measures", type=int, default=120, help="measures (default 120)")
        parser.add_argument(
            "--years",
            type=int,
            default=5,
            help="financial years of monthly returns, and the April after them (default 5)",
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same figures")
        parser.add_argument(
            "--replace", action="store_true", help="remove an earlier synthetic set first"
        )

    def handle(self, *args, **options):
        try:
            size = benchmark_data.Size(options["areas"], options["measures"], options["years"])
            counts = benchmark_data.generate(size, seed=options["seed"], replace=options["replace"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        except benchmark_data.Refused as refusal:
            raise CommandError(
                "Nothing was written:\n" + "\n".join(f"  {p}" for p in refusal.problems)
            ) from None
        written = ", ".join(f"{count:,} {what}" for what, count in counts.items())
        months = size.months
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic data written ({months[0]:%B %Y} to {months[-1]:%B %Y}, "
                f"{len(months)} months): {written}. A full recalculation makes "
                f"{size.cells:,} results: manage.py recalculate_scorecards."
            )
        )
