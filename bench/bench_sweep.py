"""Dispatcher throughput: N check-ins falling due at once, then missed, then escalated.

    .venv/bin/python bench/bench_sweep.py --check-ins 1000 5000 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cart_tracker_bench \\
        .venv/bin/python bench/bench_sweep.py

On a fresh benchmark cohort (``--patients``, 200 by default), the cohort's own open check-ins
are cancelled and its open alerts resolved (one bulk update each), so that the sweeps act on the
benchmark's check-ins only. Then, for each N:

1. N vital-signs check-ins are inserted over the courses in acute monitoring, all due at T with
   their window open (T − 30 min to T + 60 min);
2. ``run_sweep(T)``: each becomes due, with one in-app notification per nurse of the course;
3. ``run_sweep(T + 61 min)``: each window has closed, so each is missed, its due alert resolved,
   a missed alert opened and the nurses notified in the app and by email (email is handed to
   Celery's in-memory broker after commit);
4. ``run_sweep(T + 76 min)``: no one acknowledged, so each missed alert climbs one step of the
   ladder (the charge nurse, in the app and by email).

Each sweep is timed with ``time.perf_counter`` and its SQL statements counted. After each sweep
the Alert and Notification rows are counted against what exactly-once delivery must give (from
the care teams). With ``--concurrent`` (the default), the same three sweeps are then run on a new
set of N check-ins by two processes at once (``--concurrency threads``: two threads), each with
its own database connection, as two Celery workers would; the counts must be the same.
"""

import argparse
import multiprocessing
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import _env
import build_cohort

PREFIX = "bench-sweep:"
PHASES = [
    ("due", timedelta(0), "due"),
    ("missed", timedelta(minutes=61), "missed"),
    ("escalated", timedelta(minutes=76), "escalated"),
]


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def quiet_cohort(now) -> None:
    """Cancel the cohort's open check-ins, resolve its open alerts and leave its schedules at the
    normal cadence, planned a week ahead, so that each sweep below acts on the benchmark's
    check-ins only (bulk updates: this is a benchmark fixture)."""
    from tracker.models import Alert, CheckIn, CourseSchedule

    CheckIn.objects.open().update(status=CheckIn.Status.CANCELLED, cancelled_at=now, cancel_reason="benchmark")
    Alert.objects.unresolved().update(status=Alert.Status.RESOLVED, resolved_at=now, next_escalation_at=None)
    CourseSchedule.objects.update(cadence="normal", planned_until=now + timedelta(days=7))


def add_check_ins(n: int, run: str, now) -> dict:
    """N vital-signs check-ins due at ``now``, spread over the courses in acute monitoring.
    Returns how many notifications each phase must produce, from the care teams."""
    from tracker.clinical.stages import Stage
    from tracker.models import CareTeamMember, CheckIn, CourseSchedule

    schedules = list(
        CourseSchedule.objects.filter(course__stage=Stage.ACUTE_MONITORING).select_related("protocol").order_by("id")
    )
    rule = next(r for r in schedules[0].protocol.rules.all() if r.kind == "vital_signs" and r.cadence == "normal")
    team = Counter(
        CareTeamMember.objects.filter(course__in=[s.course_id for s in schedules], user__is_active=True).values_list(
            "course_id", "role"
        )
    )
    rows, expected = [], Counter()
    for i in range(n):
        course_id = schedules[i % len(schedules)].course_id
        rows.append(
            CheckIn(
                course_id=course_id,
                rule=rule,
                kind=rule.kind,
                label=rule.title,
                plan_key=f"{PREFIX}{run}:{i}",
                cadence="normal",
                due_at=now,
                window_opens_at=now - timedelta(minutes=30),
                window_closes_at=now + timedelta(minutes=60),
                assignee_role="nurse",
            )
        )
        nurses, charge_nurses = team[(course_id, "nurse")], team[(course_id, "charge_nurse")]
        expected["due"] += nurses  # in app
        expected["missed"] += 2 * nurses  # in app + email
        expected["escalated"] += 2 * charge_nurses  # second step of the missed ladder: in app + email
    CheckIn.objects.bulk_create(rows, batch_size=5000)
    return expected


def delete_check_ins() -> None:
    """Remove the benchmark's check-ins, their alerts and notifications (plain SQL: no audit
    rows for a fixture's clean-up)."""
    from django.db import connection, transaction

    from tracker.models import Alert, CheckIn, Notification

    checkins, alerts, notes = CheckIn._meta.db_table, Alert._meta.db_table, Notification._meta.db_table
    ours = f"SELECT id FROM {checkins} WHERE plan_key LIKE %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {notes} WHERE alert_id IN (SELECT id FROM {alerts} WHERE check_in_id IN ({ours}))",
            [PREFIX + "%"],
        )
        cursor.execute(f"DELETE FROM {alerts} WHERE check_in_id IN ({ours})", [PREFIX + "%"])
        cursor.execute(f"DELETE FROM {checkins} WHERE plan_key LIKE %s", [PREFIX + "%"])


def _one_sweep(at) -> tuple[dict, int, float, float]:
    """run_sweep(at) on this thread's or process's own connection: (counts, queries, start, end)."""
    from django.db import connection

    from tracker.schedule.services.dispatch import run_sweep

    counter = QueryCounter()
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(counter):
            counts = run_sweep(at)
    finally:
        connection.close()
    return counts, counter.count, started, time.perf_counter()


def _process_worker(at, barrier, results) -> None:
    try:
        barrier.wait()
        results.put(_one_sweep(at))
    except Exception as error:  # reported by the parent: a failed sweep is a result
        results.put(error)


def sweep(at, workers: int, mode: str = "processes") -> tuple[float, list[dict], int]:
    """run_sweep(at) in ``workers`` threads or processes started together (a barrier releases
    them at once); returns (wall seconds, counts of each sweep, SQL statements of all)."""
    from django.db import connections

    outcomes, errors = [], []
    if workers == 1:
        outcomes.append(_one_sweep(at))
    elif mode == "processes":
        context = multiprocessing.get_context("fork")
        barrier, results = context.Barrier(workers), context.Queue()
        connections.close_all()  # each child opens its own connection
        children = [context.Process(target=_process_worker, args=(at, barrier, results)) for _ in range(workers)]
        for child in children:
            child.start()
        for _ in children:
            result = results.get()
            (errors if isinstance(result, Exception) else outcomes).append(result)
        for child in children:
            child.join()
    else:
        barrier = threading.Barrier(workers)

        def work():
            try:
                barrier.wait()
                outcomes.append(_one_sweep(at))
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise SystemExit(f"sweep failed: {errors[0]!r}")
    # perf_counter is the system's monotonic clock on Linux, so child processes' readings compare.
    seconds = max(end for *_, end in outcomes) - min(start for *_, start, _ in outcomes)
    return seconds, [counts for counts, *_ in outcomes], sum(queries for _, queries, *_ in outcomes)


def delivered(run: str) -> dict:
    """Alerts and notifications of the benchmark's check-ins, as exactly-once must have them."""
    from django.db.models import Count

    from tracker.models import Alert, Notification

    ours = {"check_in__plan_key__startswith": f"{PREFIX}{run}:"}
    alerts = dict(Alert.objects.filter(**ours).values_list("kind").annotate(n=Count("id")).order_by())
    per_check_in = (
        Alert.objects.filter(**ours).values("check_in_id", "kind").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    notes = Notification.objects.filter(**{f"alert__{k}": v for k, v in ours.items()})
    return {
        "due_alerts": alerts.get("check_in_due", 0),
        "missed_alerts": alerts.get("check_in_missed", 0),
        "due": notes.filter(alert__kind="check_in_due").count(),
        "missed": notes.filter(alert__kind="check_in_missed", round=0).count(),
        "escalated": notes.filter(alert__kind="check_in_missed", round=1).count(),
        "doubled": per_check_in,
    }


def run_round(n: int, run: str, now, workers: int, mode: str) -> list[list]:
    from tracker.models import CheckIn

    delete_check_ins()
    expected = add_check_ins(n, run, now)
    rows = []
    for phase, offset, key in PHASES:
        seconds, counts, queries = sweep(now + offset, workers, mode)
        acted = [c[key] for c in counts]
        found = delivered(run)
        alerts = found["due_alerts"] if phase == "due" else found["missed_alerts"]
        exact = sum(acted) == n and alerts == n and found[key] == expected[key] and found["doubled"] == 0
        rows.append(
            [
                n,
                phase,
                "1 sweep" if workers == 1 else f"{workers} {mode} at once",
                f"{seconds:.2f}",
                f"{n / seconds:,.0f}",
                queries,
                " + ".join(str(a) for a in acted),
                f"{found[key]} / {expected[key]}",
                "yes" if exact else "**NO**",
            ]
        )
        print(f"  {n} {phase:9} {rows[-1][2]:18} {seconds:7.2f} s", file=sys.stderr, flush=True)
        if not exact:
            statuses = Counter(CheckIn.objects.filter(plan_key__startswith=f"{PREFIX}{run}:").values_list("status"))
            print(f"    counts {counts}, found {found}, check-ins {dict(statuses)}", file=sys.stderr)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check-ins", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--patients", type=int, default=200, help="size of the cohort underneath")
    parser.add_argument("--concurrent", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--concurrency", choices=["processes", "threads"], default="processes", help="how the two sweeps run"
    )
    args = parser.parse_args(argv)
    build_cohort.prepare(args.patients, tag="sweep", out=sys.stderr)
    from django.db import connection
    from django.utils import timezone

    from tracker.schedule.services.dispatch import run_sweep

    now = timezone.now()
    quiet_cohort(now)
    run_sweep(now)  # settle anything the cohort left for this minute
    idle, _, idle_queries = sweep(now, 1)
    rows = []
    for n in args.check_ins:
        rows += run_round(n, f"{n}-single", now, 1, args.concurrency)
        if args.concurrent:
            rows += run_round(n, f"{n}-concurrent", now, 2, args.concurrency)
    delete_check_ins()
    print(f"\n### Dispatcher sweep on {connection.vendor} ({args.patients}-patient cohort underneath)\n")
    print(f"An idle sweep (nothing to do): {idle * 1000:.0f} ms, {idle_queries} queries.\n")
    print(
        _env.table(
            ["check-ins", "phase", "run as", "seconds", "check-ins/s", "queries", "acted on", "notifications",
             "exactly once"],
            rows,
            align="rllrrrrrl",
        )
    )  # fmt: skip
    _env.cleanup()


if __name__ == "__main__":
    main()
