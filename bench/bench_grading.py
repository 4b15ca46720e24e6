"""Grading throughput: tracker.grading.grade_crs and grade_icans over thousands of varied findings.

    .venv/bin/python bench/bench_grading.py --findings 5000 --repeat 20

The grader is pure (no Django, no database), so this needs no database. ``--findings`` CRS and
as many ICANS findings are drawn with a fixed seed over every domain the grader looks at (fever,
masking, hypotension, each vasopressor, every oxygen device and flow, attribution; ICE and CAPD
by age, consciousness, seizures, motor findings, raised intracranial pressure). Building a
``CrsFindings``/``IcansFindings`` validates it, so construction and grading are timed apart and
together. Each batch runs ``--repeat`` times; the table gives the median and p95 of a batch.
"""

import argparse
import random
import statistics
import time
from collections import Counter
from decimal import Decimal

import _env  # noqa: F401  (puts the project on sys.path)

from tracker.clinical import grading

SEED = 20261122


def crs_inputs(n: int, rng: random.Random) -> list[dict]:
    devices = list(grading.OxygenDevice)
    pressors = list(grading.Vasopressor)
    found = []
    while len(found) < n:
        masked = rng.random() < 0.2
        device = rng.choice(devices) if rng.random() < 0.3 else grading.OxygenDevice.NONE
        flow = None
        if device == grading.OxygenDevice.NASAL_CANNULA or (device != grading.OxygenDevice.NONE and rng.random() < 0.5):
            flow = rng.choice([1, 2, 4, 6, Decimal("6.01"), 8, 15.5])
        temperature = (
            None
            if masked and rng.random() < 0.3
            else rng.choice(
                [Decimal("36.4"), Decimal("37.2"), Decimal("37.95"), Decimal("38.0"), 38.6, Decimal("39.4"), 40.1]
            )
        )
        found.append(
            {
                "temperature_c": temperature,
                "fever_attributable_to_other_cause": rng.random() < 0.05,
                "fever_masked_by_treatment": masked,
                "hypotension": rng.random() < 0.25,
                "vasopressors": rng.sample(pressors, k=rng.choice([0] * 8 + [1, 1, 2, 3])),
                "hypotension_attributable_to_other_cause": rng.random() < 0.05,
                "oxygen_device": device.value if rng.random() < 0.5 else device,
                "oxygen_flow_l_min": flow,
                "hypoxia_attributable_to_other_cause": rng.random() < 0.05,
            }
        )
    return found


def icans_inputs(n: int, rng: random.Random) -> list[dict]:
    found = []
    while len(found) < n:
        age = rng.choice([2, 5, 9, 11, 12, 16, 34, 58, 71, 83])
        ice = capd = None
        if rng.random() < 0.9:  # otherwise not assessable: the grader flags it for review
            if age >= grading.ICE_MIN_AGE_YEARS and rng.random() < 0.95:
                ice = rng.randint(0, 10)
            else:
                capd = rng.randint(0, 32)
        found.append(
            {
                "age_years": age,
                "ice_score": ice,
                "capd_score": capd,
                "level_of_consciousness": rng.choice(list(grading.LevelOfConsciousness))
                if rng.random() < 0.25
                else grading.LevelOfConsciousness.ALERT,
                "consciousness_attributable_to_other_cause": rng.random() < 0.05,
                "seizure": rng.choice(list(grading.Seizure)) if rng.random() < 0.1 else grading.Seizure.NONE,
                "motor_finding": rng.choice(list(grading.MotorFinding)) if rng.random() < 0.1 else "none",
                "raised_icp_findings": rng.sample(list(grading.RaisedIcpFinding), k=rng.choice([0] * 12 + [1, 2])),
            }
        )
    return found


def timed(batch, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        batch()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=5000, help="CRS findings, and as many ICANS findings")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    crs_raw, icans_raw = crs_inputs(args.findings, rng), icans_inputs(args.findings, rng)
    crs = [grading.CrsFindings(**kw) for kw in crs_raw]
    icans = [grading.IcansFindings(**kw) for kw in icans_raw]
    n = args.findings
    cases = [
        ("CrsFindings(...) (validation)", lambda: [grading.CrsFindings(**kw) for kw in crs_raw]),
        ("grade_crs", lambda: [grading.grade_crs(f) for f in crs]),
        ("CrsFindings + grade_crs", lambda: [grading.grade_crs(grading.CrsFindings(**kw)) for kw in crs_raw]),
        ("IcansFindings(...) (validation)", lambda: [grading.IcansFindings(**kw) for kw in icans_raw]),
        ("grade_icans", lambda: [grading.grade_icans(f) for f in icans]),
        ("IcansFindings + grade_icans", lambda: [grading.grade_icans(grading.IcansFindings(**kw)) for kw in icans_raw]),
    ]
    rows = []
    for name, batch in cases:
        batch()  # warm up
        times = timed(batch, args.repeat)
        median = statistics.median(times)
        rows.append(
            [name, n, f"{median:.1f}", f"{_env.percentile(times, 95):.1f}", f"{median * 1000 / n:.1f}",
             f"{n / median * 1000:,.0f}"]
        )  # fmt: skip
    crs_grades = Counter(grading.grade_crs(f).grade for f in crs)
    icans_grades = Counter(grading.grade_icans(f).grade for f in icans)
    review = sum(grading.grade_icans(f).needs_review for f in icans)
    print(f"\n### Grading ({n} CRS and {n} ICANS findings, {args.repeat} batches each)\n")
    print(_env.table(["what", "findings", "median ms / batch", "p95 ms", "µs per finding", "findings / s"], rows))
    print(f"\nCRS grades drawn: {dict(sorted(crs_grades.items()))}")
    print(f"ICANS grades drawn: {dict(sorted(icans_grades.items()))} ({review} need review: ICE/CAPD not done)")


if __name__ == "__main__":
    main()
