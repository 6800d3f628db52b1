import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from scorecard import installation
from scorecard.models import Region

PASSWORD_VARIABLE = "AUTHORITY_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = (
        "Start a real installation: the authority's name and region and its first "
        "administrator, nothing else (no sample). Asks for what the options do not give; "
        f"the password comes from ${PASSWORD_VARIABLE} or is asked for without echo. "
        "Refuses, writing nothing, when an authority exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", help="The authority, e.g. 'Anyshire Children's Services'.")
        parser.add_argument("--region", help=f"One of: {', '.join(Region.values)}.")
        parser.add_argument("--admin-username")
        parser.add_argument("--admin-email")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"Ask nothing: every option and ${PASSWORD_VARIABLE} must be given.",
        )

    def handle(self, *args, **options):
        interactive = not options["no_input"]
        answers = {
            "name": self.answer(options, "name", "The authority's name", interactive),
            "region": self.region(options["region"], interactive),
            "admin_username": self.answer(
                options, "admin_username", "The first administrator's username", interactive
            ),
            "admin_email": self.answer(
                options, "admin_email", "The first administrator's email", interactive
            ),
            "admin_password": self.password(interactive),
        }
        try:
            started = installation.start_authority(**answers)
        except installation.Refused as refused:
            raise CommandError(
                "Nothing was written:\n" + "\n".join(f"  {p}" for p in refused.problems)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{started.authority} ({started.authority.region}) started, with the "
                f"administrator {started.administrator}. Nothing else was loaded: next, the "
                "service areas and people (the admin, or a set-up workbook: import_setup), "
                "then the measures (Set-up pages). The README's 'Adopting it' lists every step."
            )
        )

    def answer(self, options, key, question, interactive) -> str:
        if options[key]:
            return options[key]
        if not interactive:
            raise CommandError(f"--{key.replace('_', '-')} is needed with --no-input.")
        return input(f"{question}: ").strip()

    def region(self, given, interactive) -> str:
        if given or not interactive:
            if not given:
                raise CommandError("--region is needed with --no-input.")
            return given
        for number, name in enumerate(Region.values, start=1):
            self.stdout.write(f"  {number}. {name}")
        text = input("The authority's region (its number or name): ").strip()
        if text.isdigit() and 1 <= int(text) <= len(Region.values):
            return Region.values[int(text) - 1]
        return text

    def password(self, interactive) -> str:
        if os.environ.get(PASSWORD_VARIABLE):
            return os.environ[PASSWORD_VARIABLE]
        if not interactive:
            raise CommandError(f"${PASSWORD_VARIABLE} is needed with --no-input.")
        first = getpass.getpass("The administrator's password: ")
        if getpass.getpass("The password again: ") != first:
            raise CommandError("The two passwords differ. Nothing was written.")
        return first
