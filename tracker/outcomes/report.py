"""The outcomes report: every figure the outcomes page, its CSV tables and `/api/v1/outcomes/` show.

Built from `CourseFacts` by `tracker.outcomes.statistics` (docs/clinical-rules.md §10); the page
draws the same numbers the API returns, so the two can never disagree. `tables()` flattens the
report into named tables (header row, then rows) for the page's tables and the CSV export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tracker.outcomes.definitions import CourseFacts, Endpoint, Origin, SubgroupDimension, time_to_event_rows
from tracker.outcomes.statistics import (
    DEFAULT_LANDMARK_DAY,
    RISK_TABLE_MONTHS,
    crs_drivers,
    kaplan_meier,
    landmark_transplant_comparison,
    naive_transplant_comparison,
    subgroups,
    summary,
    time_varying_transplant_comparison,
    toxicity_and_logistics,
)

CURVE_ENDPOINTS = (Endpoint.EFS, Endpoint.OS, Endpoint.PFS, Endpoint.DOR)
SUBGROUP_LABELS = {
    SubgroupDimension.DIAGNOSIS: "Diagnosis",
    SubgroupDimension.PRODUCT: "Product",
    SubgroupDimension.TARGET_ANTIGEN: "Target antigen",
    SubgroupDimension.AGE_GROUP: "Age group",
    SubgroupDimension.INFUSION_PERIOD: "Year of infusion",
    SubgroupDimension.ISOLATED_EXTRAMEDULLARY_RELAPSE: "Isolated extramedullary relapse",
}


def build_report(
    facts: Sequence[CourseFacts],
    *,
    origin: Origin | str = Origin.INFUSION,
    landmark_day: int = DEFAULT_LANDMARK_DAY,
    generated_on: date | None = None,
) -> dict[str, object]:
    """The whole report as JSON-ready values (fractions 0-1, months = days / 30.4375)."""
    facts = tuple(facts)
    origin = Origin(origin)
    curves = {
        endpoint.value: kaplan_meier(
            time_to_event_rows(facts, endpoint, origin=origin), endpoint=endpoint.value, origin=origin.value
        ).as_dict()
        for endpoint in CURVE_ENDPOINTS
    }
    transplant = {}
    for endpoint in (Endpoint.EFS, Endpoint.OS):
        transplant[endpoint.value] = {
            "landmark": landmark_transplant_comparison(
                facts, endpoint, landmark_day=landmark_day, origin=origin
            ).as_dict(),
            "time_varying": time_varying_transplant_comparison(facts, endpoint, origin=origin).as_dict(),
            "naive_biased": naive_transplant_comparison(facts, endpoint, origin=origin).as_dict(),
        }
    tables = [table.as_dict() for table in subgroups(facts, endpoint=Endpoint.EFS, origin=origin)]
    for table in tables:
        table["label"] = SUBGROUP_LABELS[SubgroupDimension(table["dimension"])]
    unassessed = sum(1 for c in facts if c.infused_on is not None and c.best_category is None)
    return {
        "origin": origin.value,
        "infused_without_assessment": unassessed,
        "generated_on": generated_on.isoformat() if generated_on else None,
        "summary": summary(facts, origin=origin),
        "curves": curves,
        "risk_table_months": list(RISK_TABLE_MONTHS),
        "toxicity": toxicity_and_logistics(facts).as_dict(),
        "transplant": transplant,
        "landmark_day": landmark_day,
        "crs_drivers": crs_drivers(facts).as_dict(),
        "subgroups": tables,
    }


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def tables(report: dict) -> dict[str, list[list[str]]]:
    """The report's tables by name, each a header row then data rows, for the page and CSV."""
    s = report["summary"]
    d = s["denominators"]
    tox = report["toxicity"]
    result: dict[str, list[list[str]]] = {}
    result["denominators"] = [
        ["Set", "Courses"],
        ["Apheresed (intention to treat)", str(d["apheresed"])],
        ["Infused", str(d["infused"])],
        ["Evaluable at day +28", str(d["evaluable_day28"])],
        ["Infused, no response recorded (counted as no response)", str(report["infused_without_assessment"])],
    ]
    rate_header = ["Measure", "n", "of", "%", "95% CI low %", "95% CI high %"]

    def rate_row(label: str, rate: dict) -> list[str]:
        return [label, str(rate["n"]), str(rate["of"]), _pct(rate["rate"]), _pct(rate["ci_low"]), _pct(rate["ci_high"])]

    result["response"] = [
        rate_header,
        rate_row("Complete remission at day +28 (of evaluable)", s["day28_remission"]),
        rate_row("Best overall response (of infused)", s["best_overall_response"]),
    ]
    result["toxicity"] = [
        rate_header,
        rate_row("CRS any grade", tox["crs"]["any"]),
        rate_row("CRS grade 3 or more", tox["crs"]["grade_3_or_more"]),
        rate_row("ICANS any grade", tox["icans"]["any"]),
        rate_row("ICANS grade 3 or more", tox["icans"]["grade_3_or_more"]),
        rate_row("Tocilizumab", tox["tocilizumab"]),
        rate_row("Corticosteroids", tox["steroids"]),
    ]
    grades = [["Maximum grade", "CRS courses", "CRS %", "ICANS courses", "ICANS %"]]
    crs_of, icans_of = tox["crs"]["any"]["of"], tox["icans"]["any"]["of"]
    for grade in ("0", "1", "2", "3", "4"):
        crs_n, icans_n = tox["crs"]["by_max_grade"][grade], tox["icans"]["by_max_grade"][grade]
        grades.append(
            [
                grade,
                str(crs_n),
                _pct(crs_n / crs_of if crs_of else None),
                str(icans_n),
                _pct(icans_n / icans_of if icans_of else None),
            ]
        )
    result["grades"] = grades
    timing = [["Measure", "n", "median", "Q1", "Q3", "min", "max"]]
    for label, spread in (
        ("CRS onset (day)", tox["crs"]["onset_day"]),
        ("CRS duration (days)", tox["crs"]["duration_days"]),
        ("ICANS onset (day)", tox["icans"]["onset_day"]),
        ("ICANS duration (days)", tox["icans"]["duration_days"]),
        ("Vein-to-vein (days)", tox["vein_to_vein_days"]),
    ):
        timing.append(
            [label, str(spread["n"])]
            + [_num(spread[key], 1) for key in ("median", "q1", "q3")]
            + ["" if spread[key] is None else str(spread[key]) for key in ("min", "max")]
        )
    result["timing"] = timing
    survival = [
        [
            "End point",
            "Courses",
            "Events",
            "Median months",
            "Median 95% CI low",
            "Median 95% CI high",
            "6 months %",
            "6 months CI low %",
            "6 months CI high %",
            "12 months %",
            "12 months CI low %",
            "12 months CI high %",
        ]
    ]
    for name, curve in report["curves"].items():
        survival.append(
            [
                name.upper(),
                str(curve["n"]),
                str(curve["events"]),
                _num(curve["median_months"], 1),
                _num(curve["median_ci_low"], 1),
                _num(curve["median_ci_high"], 1),
                *(_pct(curve["at_6_months"][k]) for k in ("estimate", "ci_low", "ci_high")),
                *(_pct(curve["at_12_months"][k]) for k in ("estimate", "ci_low", "ci_high")),
            ]
        )
    result["survival"] = survival
    at_risk = [["End point", *(f"{m:g} mo" for m in report["risk_table_months"])]]
    for name, curve in report["curves"].items():
        at_risk.append([name.upper(), *(str(point["n"]) for point in curve["at_risk"])])
    result["at_risk"] = at_risk
    comparisons = [["End point", "Method", "Group n/events", "Reference n/events", "HR", "95% CI", "p", "Conclusion"]]
    for endpoint, methods in report["transplant"].items():
        for comparison in methods.values():
            comparisons.append(_comparison_row(endpoint.upper(), comparison["method"], comparison))
    result["transplant"] = comparisons
    forest = [["Subgroup", "Level", "Courses", "Events", "ORR %", "EFS HR vs rest", "95% CI", "p", "Conclusion"]]
    for table in report["subgroups"]:
        for position, row in enumerate(table["rows"]):
            comparison = row["hazard_ratio_vs_rest"]
            forest.append(
                [
                    table["label"] if position == 0 else "",
                    row["level"],
                    str(row["n"]),
                    str(row["events"]),
                    _pct(row["best_overall_response"]["rate"]),
                    _num(comparison["hazard_ratio"]),
                    _interval(comparison),
                    "" if comparison["p_value"] is None else f"{comparison['p_value']:.3g}",
                    "too small to conclude" if row["too_small"] else comparison["sentence"].split(".")[0],
                ]
            )
    result["subgroups"] = forest
    drivers = report["crs_drivers"]
    crs = [["Variable", "Third", "Range", "Grade >= 3 n", "of", "%", "95% CI low %", "95% CI high %"]]
    for key in ("burden_tertiles", "dose_tertiles"):
        for third in drivers[key]:
            rate = third["grade_3_or_more"]
            crs.append(
                [
                    third["variable"],
                    third["tertile"],
                    f"{third['lowest']:.4g}-{third['highest']:.4g}",
                    str(rate["n"]),
                    str(rate["of"]),
                    _pct(rate["rate"]),
                    _pct(rate["ci_low"]),
                    _pct(rate["ci_high"]),
                ]
            )
    result["crs_drivers"] = crs
    return result


def _interval(comparison: dict) -> str:
    if comparison["ci_low"] is None:
        return ""
    return f"{comparison['ci_low']:.2f}-{comparison['ci_high']:.2f}"


def _comparison_row(endpoint: str, method: str, comparison: dict) -> list[str]:
    group, reference = comparison["group"], comparison["reference"]
    return [
        endpoint,
        method,
        f"{group['n']}/{group['events']}",
        f"{reference['n']}/{reference['events']}",
        _num(comparison["hazard_ratio"]),
        _interval(comparison),
        "" if comparison["p_value"] is None else f"{comparison['p_value']:.3g}",
        comparison["sentence"],
    ]
