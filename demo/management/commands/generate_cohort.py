"""`python manage.py generate_cohort --profile peds-ball-cd19cd22 --size 10000 --seed 1`

Builds a synthetic cohort from the documented distributions of `demo.generator` (issue 12
item 8), through the history import's validation and bulk writes, and writes the truth it drew
from beside it (`--truth`, default var/cohort-<profile>-<seed>-truth.json).
`--transplant-hr` sets the effect of consolidative transplant on relapse (1: none).
"""

import csv
import dataclasses
import hashlib
import io
import json
import random
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.generator import PROFILES, draw_course, truth
from tracker.management.commands.import_history import import_account, resolve_centre
from tracker.outcomes.history_import import COLUMNS, bulk_import_rows, parse

CHUNK = 1000


class Command(BaseCommand):
    help = "Generate a synthetic cohort with documented distributions, and the truth it was drawn from."

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), required=True)
        parser.add_argument("--size", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--transplant-hr", type=float, default=None, help="relapse hazard ratio after transplant")
        parser.add_argument("--truth", type=Path, default=None, help="where to write the truth (JSON)")
        parser.add_argument("--centre", default="")

    def handle(self, *args, **options):
        size = options["size"]
        if not 1 <= size <= 200_000:
            raise CommandError("--size must be from 1 to 200000")
        profile = PROFILES[options["profile"]]
        if options["transplant_hr"] is not None:
            if options["transplant_hr"] <= 0:
                raise CommandError("--transplant-hr must be above 0")
            profile = dataclasses.replace(profile, transplant_hazard_ratio=options["transplant_hr"])
        seed = options["seed"]
        rng = random.Random(seed)
        as_of = timezone.localdate()
        centre = resolve_centre(options["centre"])
        by = import_account("", centre)
        written = 0
        digest = hashlib.sha256(f"{profile}-{seed}-{size}".encode()).hexdigest()
        note = f"Synthetic cohort: profile {profile.name}, seed {seed}, transplant HR {profile.transplant_hazard_ratio}"
        for start in range(0, size, CHUNK):
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            for number in range(start, min(size, start + CHUNK)):
                writer.writerow(draw_course(profile, rng, number=number + seed * 1_000_000, as_of=as_of))
            result = parse(buffer.getvalue(), today=as_of)
            if result.errors:
                raise CommandError(f"the generator drew an invalid row: {result.errors[0]}")
            written += bulk_import_rows(rows=result.rows, by=by, centre=centre, digest=digest, note=note)
            self._progress(written, size)
        path = options["truth"] or Path(settings.VAR_DIR) / f"cohort-{profile.name}-{seed}-truth.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**truth(profile, seed=seed), "size": size, "as_of": as_of.isoformat()}, indent=2))
        self.stdout.write(f"\n{written} courses of profile {profile.name}; truth in {path}")

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
