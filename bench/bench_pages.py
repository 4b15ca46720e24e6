"""Pages and API endpoints against a large cohort: queries per request, median and p95 time.

    .venv/bin/python bench/bench_pages.py --patients 200 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cart_tracker_bench \\
        .venv/bin/python bench/bench_pages.py --patients 200 2000

For each cohort size the cohort is built (bench/build_cohort.py; ``--reuse`` keeps one already
built), then for the coordinator, a nurse and a physician, each signed in with Django's test
``Client.force_login``, every page is requested ``--warmup`` times, once more under
``CaptureQueriesContext`` to count its queries, then ``--repeat`` times with
``time.perf_counter`` around ``client.get``. With several sizes, each size runs in a child
process (one database at a time) and a last table compares the query counts: the project rule
is that they do not grow with the data.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter

import _env
import build_cohort

ROLES = ["coordinator", "nurse", "physician"]


def pages(long_course: str) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/dashboard/"),
        ("dashboard, acute stage", "/dashboard/?stage=acute_monitoring"),
        ("course page (long history)", f"/courses/{long_course}/"),
        ("ward", "/ward/"),
        ("work list", "/work/"),
        ("alerts", "/alerts/"),
        ("API courses", "/api/courses/"),
        ("API vital signs (long history)", f"/api/courses/{long_course}/vital-signs/"),
    ]


_LITERALS = [
    (re.compile(r"'(?:[^']|'')*'"), "?"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "?"),
    (re.compile(r"\((\s*(%s|\?)\s*,)+\s*(%s|\?)\s*\)"), "(?, ...)"),
]


def shape(sql: str) -> str:
    """A query with its literal values taken out, so repeats of one query look alike."""
    for pattern, replacement in _LITERALS:
        sql = pattern.sub(replacement, sql)
    return sql


class SqlTimer:
    """Time spent in the database driver (execute and fetch of each statement)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def leave_unattended(hours: int) -> None:
    """Run the dispatcher every 15 minutes of simulated time for ``hours`` hours in which nobody
    records, completes or acknowledges anything: open alerts climb their ladders round after round.
    The cohort is marked, so that ``--reuse`` will not take it for a fresh one."""
    from datetime import timedelta

    from django.utils import timezone

    from tracker.models import Centre, Notification
    from tracker.schedule.services.dispatch import run_sweep

    Centre.objects.filter(code=build_cohort.CENTRE_CODE).update(name=f"Benchmark programme, {hours} h unattended")
    before, now = Notification.objects.count(), timezone.now()
    for step in range(1, hours * 4 + 1):
        run_sweep(now + timedelta(minutes=15 * step))
    after = Notification.objects.count()
    print(f"  {hours} h unattended: {hours * 4} sweeps, notifications {before} → {after}", file=sys.stderr, flush=True)


def measure(patients: int, *, repeat: int, warmup: int, reuse: bool, walk: int, unattended: int = 0) -> dict:
    build_cohort.prepare(patients, walk=walk, reuse=reuse, out=sys.stderr)
    if unattended:
        leave_unattended(unattended)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracker.models import CheckIn, Patient, VitalSigns

    # As in production: Django keeps no log of every query (counting uses its own capture).
    settings.DEBUG = False
    long_course = build_cohort.find_long_course()
    results = []
    for username in ROLES:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        for name, url in pages(long_course):
            for _ in range(warmup):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{username} GET {url}: HTTP {response.status_code}")
            timer = SqlTimer()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
                response = client.get(url)
            queries = list(captured.captured_queries)  # a view on the connection's log: copy it now
            shapes = Counter(shape(q["sql"]) for q in queries)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            results.append(
                {
                    "page": name,
                    "url": url.replace(str(long_course), "<long course>"),
                    "role": username,
                    "queries": len(queries),
                    "sql_ms": timer.seconds * 1000,
                    "median_ms": _env.median(times),
                    "p95_ms": _env.percentile(times, 95),
                    "kb": len(response.content) / 1024,
                    "shapes": dict(shapes),
                }
            )
            print(f"  {username:12} {name:32} {results[-1]['queries']:3} queries", file=sys.stderr, flush=True)
    return {
        "patients": patients,
        "engine": connection.vendor,
        "repeat": repeat,
        "unattended": unattended,
        "rows": {
            "patients": Patient.objects.count(),
            "check_ins": CheckIn.objects.count(),
            "vital_signs": VitalSigns.objects.count(),
            "long_course_vital_signs": VitalSigns.objects.filter(course__public_id=long_course).count(),
        },
        "results": results,
    }


def print_size(report: dict) -> None:
    rows = report["rows"]
    unattended = f", after {report['unattended']} h unattended" if report.get("unattended") else ""
    print(
        f"\n### {report['patients']} patients on {report['engine']}{unattended} "
        f"({rows['check_ins']} check-ins, {rows['vital_signs']} vital-signs sets, "
        f"{rows['long_course_vital_signs']} on the long course; {report['repeat']} requests each)\n"
    )
    print(
        _env.table(
            ["page", "role", "queries", "median ms", "p95 ms", "SQL ms", "KB"],
            [
                [
                    r["page"],
                    r["role"],
                    r["queries"],
                    f"{r['median_ms']:.1f}",
                    f"{r['p95_ms']:.1f}",
                    f"{r['sql_ms']:.1f}",
                    f"{r['kb']:.0f}",
                ]
                for r in report["results"]
            ],
            align="llrrrrr",
        )
    )


def verdict(first: dict, last: dict) -> str:
    """'yes' when a page ran the same queries at both sizes; 'grows' when a query ran more than
    once at the larger size and more often than at the smaller one (a query per row); otherwise
    'differs' (a list was empty at one size, so its prefetch or update was skipped)."""
    if first == last:
        return "yes"
    if any(n > 1 and n > first.get(sql, 0) for sql, n in last.items()):
        return "**grows**"
    return "differs"


def compare(reports: list[dict]) -> int:
    """The query counts of every size side by side; returns how many page/role pairs grew."""
    sizes = [r["patients"] for r in reports]
    keyed = [{(x["page"], x["role"]): x for x in r["results"]} for r in reports]
    rows, changed = [], []
    for key in keyed[0]:
        counts = [k[key]["queries"] for k in keyed]
        medians = [f"{k[key]['median_ms']:.1f}" for k in keyed]
        found = verdict(keyed[0][key]["shapes"], keyed[-1][key]["shapes"])
        rows.append([key[0], key[1], *counts, *medians, found])
        if found != "yes":
            changed.append((key, found))
    print(f"\n### Query counts by cohort size ({reports[0]['engine']})\n")
    print(
        _env.table(
            ["page", "role", *[f"queries @{n}" for n in sizes], *[f"median ms @{n}" for n in sizes], "constant"],
            rows,
            align="ll" + "r" * (2 * len(sizes)) + "l",
        )
    )
    for key, found in changed:
        first, last = keyed[0][key]["shapes"], keyed[-1][key]["shapes"]
        print(f"\n{key[0]} as {key[1]} ({found}): queries run a different number of times at {sizes[0]} and "
              f"{sizes[-1]} patients:")  # fmt: skip
        for sql in sorted(set(first) | set(last), key=lambda s: -(last.get(s, 0) - first.get(s, 0))):
            if first.get(sql, 0) != last.get(sql, 0):
                print(f"  {first.get(sql, 0)} → {last.get(sql, 0)}: {sql[:400]}")
    return sum(1 for _, found in changed if found != "differs")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page and role")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--walk", type=int, default=100, help="courses walked through the services")
    parser.add_argument("--reuse", action="store_true", help="keep cohorts already built (same size)")
    parser.add_argument(
        "--unattended-hours", type=int, default=0, help="first run the dispatcher every 15 min for this many hours"
    )
    parser.add_argument("--json", help="write the results here (used for several sizes)")
    args = parser.parse_args(argv)
    common = ["--repeat", str(args.repeat), "--warmup", str(args.warmup), "--walk", str(args.walk)]
    common += ["--unattended-hours", str(args.unattended_hours)]
    if len(args.patients) == 1:
        report = measure(
            args.patients[0],
            repeat=args.repeat,
            warmup=args.warmup,
            reuse=args.reuse,
            walk=args.walk,
            unattended=args.unattended_hours,
        )
        _env.cleanup()
        if args.json:
            with open(args.json, "w") as out:
                json.dump(report, out)
        print_size(report)
        return 0
    reports = []
    for patients in args.patients:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            path = tmp.name
        command = [sys.executable, os.path.abspath(__file__), "--patients", str(patients), "--json", path, *common]
        subprocess.run(command + (["--reuse"] if args.reuse else []), check=True, stdout=subprocess.DEVNULL)
        with open(path) as result:
            reports.append(json.load(result))
        os.unlink(path)
    for report in reports:
        print_size(report)
    grew = compare(reports)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(reports, out)
    return 1 if grew else 0


if __name__ == "__main__":
    sys.exit(main())
