from django.core.management.base import BaseCommand

from demo.cohort import DEMO_PASSWORD, DEMO_PATIENT_USERNAME, DEMO_STAFF, build_demo_cohort
from tracker.core.audit import DEMO_SEED, acting_as_system


class Command(BaseCommand):
    help = "Build the demo cohort (about 60 patients over every stage) and one login per role. Safe to run twice."

    def handle(self, *args, **options):
        with acting_as_system(DEMO_SEED):
            created, existing = build_demo_cohort(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo cohort: {created} patients created, {existing} already present."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_STAFF:
            self.stdout.write(
                f"  {login.username:<12} {login.role:<12} {login.first_name} {login.last_name}, {login.job_title}"
            )
        self.stdout.write(f"  {DEMO_PATIENT_USERNAME:<12} {'patient':<12} sees their own timeline only")
        self.stdout.write(f"  {'admin':<12} {'superuser':<12} Django admin at /admin/")
