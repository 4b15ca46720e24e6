"""`python manage.py import_history FILE.csv [--dry-run]`: import a programme's history (issue 12 item 6).

The columns and the rules are in `tracker.outcomes.history_import`. A bad file is refused whole:
every error is printed as `line N, column C: message` and the command exits with status 1.
Without `--by`, the import is attributed to the "history-import" account (created once, with no
password, as a coordinator of the centre); without `--centre`, the centre is the only one there
is (or a centre "history" is created when there is none yet).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tracker.accounts.services import create_staff_user
from tracker.core import roles
from tracker.models import Centre
from tracker.outcomes.history_import import import_history

IMPORT_ACCOUNT = "history-import"


def resolve_centre(code: str) -> Centre:
    if code:
        centre = Centre.objects.filter(code=code).first()
        if centre is None:
            raise CommandError(f"--centre: no centre with code {code!r}")
        return centre
    centres = list(Centre.objects.all()[:2])
    if len(centres) > 1:
        raise CommandError("there are several centres: choose one with --centre CODE")
    if centres:
        return centres[0]
    return Centre.objects.create(code="history", name="Imported history")


def import_account(username: str, centre: Centre):
    users = get_user_model().objects
    if username:
        user = users.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--by: no active user named {username!r}")
        return user
    user = users.filter(username=IMPORT_ACCOUNT).first()
    if user is None:
        user = create_staff_user(
            username=IMPORT_ACCOUNT,
            role=roles.COORDINATOR,
            centre=centre,
            first_name="History",
            last_name="import",
            job_title="Imported history",
        )
    return user


class Command(BaseCommand):
    help = "Import a programme's history from a CSV file (one row per infused course)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and preview; write nothing")
        parser.add_argument("--centre", default="", help="the centre's code (default: the only centre)")
        parser.add_argument("--by", default="", help=f"the importing user (default: {IMPORT_ACCOUNT})")

    def handle(self, *args, **options):
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {options['file']}: {error}") from None
        centre = resolve_centre(options["centre"])
        by = import_account(options["by"], centre)
        result = import_history(text=text, by=by, centre=centre, dry_run=options["dry_run"])
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s): nothing was imported")
        for row in result.rows:
            self.stdout.write(
                f"line {row.line}: {row.patient['mrn']} infused {row.history['infused_on']}: {row.status}"
            )
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(f"{verb} {result.created} course(s); {result.unchanged} already imported and unchanged")
