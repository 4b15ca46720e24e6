"""Programme outcomes at scale: `manage.py outcomes --format json`, the outcomes page and
`GET /api/v1/outcomes/` on synthetic cohorts (demo.generator), with their query counts.

    .venv/bin/python bench/bench_outcomes.py --patients 1000 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cart_tracker_bench_outcomes \\
        .venv/bin/python bench/bench_outcomes.py --patients 1000 10000

For each size a fresh benchmark database is built with `generate_cohort` (timed: the build
itself is one of the issue's figures), then the command, the page and the API are each run
`--repeat` times (median and maximum time) and once under an execute wrapper to count
queries. A last line says whether the query counts are the same at every size (the rule).
"""

import argparse
import io
import json
import subprocess
import sys
import time

import _env

ITEMS = ["generate_cohort", "outcomes command", "outcomes page", "API outcomes"]


def run_size(patients: int, repeat: int) -> dict:
    url = _env.database_url(f"outcomes-{patients}")
    _env.recreate_database(url)
    _env.setup_django(url)
    _env.migrate()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tracker.accounts.services import create_staff_user
    from tracker.core import roles
    from tracker.models import Centre

    centre = Centre.objects.create(code="bench", name="Bench centre")
    coordinator = create_staff_user(username="bench-coord", role=roles.COORDINATOR, centre=centre)
    started = time.perf_counter()
    call_command(
        "generate_cohort",
        "--profile",
        "peds-ball-cd19cd22",
        "--size",
        str(patients),
        "--seed",
        "1",
        "--truth",
        str(_env.SQLITE_DIR / f"truth-{patients}.json"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    results = {"generate_cohort": {"seconds": [time.perf_counter() - started], "queries": None}}
    client = Client()
    client.force_login(coordinator)

    def command():
        call_command("outcomes", "--format", "json", stdout=io.StringIO())

    def page():
        assert client.get("/outcomes/").status_code == 200

    def api():
        assert client.get("/api/v1/outcomes/").status_code == 200

    for name, action in (("outcomes command", command), ("outcomes page", page), ("API outcomes", api)):
        action()  # warm-up
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        # Counted with an execute wrapper: the test client's request_started resets
        # connection.queries, which CaptureQueriesContext reads.
        with connection.execute_wrapper(count):
            action()
        seconds = []
        for _ in range(repeat):
            start = time.perf_counter()
            action()
            seconds.append(time.perf_counter() - start)
        results[name] = {"seconds": seconds, "queries": len(executed)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_size(options.child, options.repeat)))
        return
    by_size = {}
    for patients in options.patients:
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(patients), "--repeat", str(options.repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        by_size[patients] = json.loads(output.strip().splitlines()[-1])
    rows = []
    for item in ITEMS:
        row = [item]
        for patients in options.patients:
            result = by_size[patients][item]
            queries = "" if result["queries"] is None else result["queries"]
            row.append(f"{_env.median(result['seconds']):.2f} s (max {max(result['seconds']):.2f}), {queries} q")
        rows.append(row)
    print(_env.table(["", *(f"{p} patients" for p in options.patients)], rows))
    counts = {tuple(by_size[p][item]["queries"] for p in options.patients) for item in ITEMS[1:]}
    fixed = all(len(set(c)) == 1 for c in counts)
    print(f"\nQuery counts {'are the same at every size' if fixed else 'GROW with the data'}.")
    _env.cleanup()


if __name__ == "__main__":
    main()
