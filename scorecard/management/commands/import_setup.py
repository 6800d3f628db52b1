from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scorecard import reference_data, roles
from scorecard.importing import read_path


class Command(BaseCommand):
    help = (
        "Upload a set-up workbook (as `export_setup` or the Set-up page writes it): print "
        "what it would create, change and remove, sheet by sheet, then write it, all or "
        "nothing, audited as the performance officer named by --user. Exits non-zero on "
        "errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook to upload")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the plan and write nothing"
        )
        parser.add_argument(
            "--user", help="the username of the performance officer uploading it (required)"
        )

    def handle(self, *args, file, dry_run=False, user=None, **options):
        uploader = self._user(user)
        path = Path(file)
        try:
            content = read_path(path)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            plan = reference_data.plan_upload(content, path.name)
        except reference_data.FileRefused as refusal:
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
            self.stdout.write("Nothing to write: the set-up already matches the file.")
            return
        try:
            reference_data.apply_upload(
                content=content,
                filename=path.name,
                user=uploader,
                sha256=plan.sha256,
                fingerprint=plan.fingerprint,
            )
        except reference_data.SetupRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            self.style.SUCCESS(
                f"Uploaded {path.name}: {plan.creates} created, {plan.changed} changed, "
                f"{plan.removes} removed. The scorecards are being recalculated."
            )
        )

    def _user(self, username):
        if not username:
            raise CommandError("Say who is uploading with --user USERNAME.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        if not user.has_perms(roles.SET_UP_PERMISSIONS):
            raise CommandError(f"{username} may not change the set-up (a performance officer can).")
        return user
