"""`python manage.py registry_export [--output FILE]`: the CIBMTR 4000/4006/4100 and EBMT day-100
fields per course as CSV (issue 12 item 7). The first row names the columns, the second the form
and the third the field of that form each column answers; then one row per course."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.models import TreatmentCourse
from tracker.outcomes.registry import registry_csv, registry_rows


class Command(BaseCommand):
    help = "Export per-course registry fields (CIBMTR 4000, 4006, 4100; EBMT day 100) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="a file (default: standard output)")
        parser.add_argument("--infused-only", action="store_true", help="only courses with an infusion")

    def handle(self, *args, **options):
        rows = registry_rows(TreatmentCourse.objects.all(), today=timezone.localdate())
        if options["infused_only"]:
            rows = [row for row in rows if row["infusion_date"]]
        text = registry_csv(rows)
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stdout.write(f"{len(rows)} course(s) written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
