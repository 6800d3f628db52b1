from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scorecard import change_sets, importing


class Command(BaseCommand):
    help = (
        "Import a scorecard spreadsheet (tab-separated text, CSV or XLSX, in the reference "
        "layout or this product's export): print what it would create and change, then "
        "write it, all or nothing; monthly figures wait for a second performance officer "
        "to approve them on the Import page (maker-checker). Exits non-zero on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the spreadsheet to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the plan and write nothing"
        )
        parser.add_argument(
            "--user",
            help="the username of the performance officer importing (needed unless --dry-run)",
        )

    def handle(self, *args, file, dry_run=False, user=None, **options):
        path = Path(file)
        importer_user = None if dry_run else self._user(user)
        try:
            content = importing.read_path(path)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            plan = importing.plan_import(content, path.name)
        except importing.FileRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        for line in plan.describe():
            self.stdout.write(line)
        if plan.errors:
            raise CommandError(
                f"{len(plan.errors)} error{'s' if len(plan.errors) > 1 else ''}: nothing written."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
            return
        if plan.is_empty:
            self.stdout.write("Nothing to import: the stored figures already match the file.")
            return
        if change_sets.needs_second_officer(plan):
            change_set = change_sets.propose(user=importer_user, plan=plan, content=content)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path.name} is waiting for a second performance officer: nothing is written "
                    f"until they approve it at /import/changes/{change_set.pk}/."
                )
            )
            return
        try:
            result = importing.apply_plan(plan=plan, user=importer_user)
        except importing.ImportRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name}: {result.created} created, {result.changed} changed. "
                "The scorecards are being recalculated."
            )
        )

    def _user(self, username):
        if not username:
            raise CommandError("Say who is importing with --user USERNAME (or use --dry-run).")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        if not user.has_perm("scorecard.import_scorecard"):
            raise CommandError(f"{username} may not import scorecards (a performance officer can).")
        return user
