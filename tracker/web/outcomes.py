"""The outcomes page: the programme's results as a report figure, for coordinators and physicians.

Kaplan-Meier curves with bands and numbers at risk, CRS and ICANS grade bars, a forest plot of
subgroup hazard ratios, the honest transplant comparisons and what drives the CRS grade, with
the table beside each chart, CSV export of every table and a print layout. The figures are
`tracker.outcomes.report.build_report` over the courses the user may see; the page runs a fixed
number of queries whatever the cohort size (`tracker.outcomes.selectors.course_facts`).
"""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tracker.clinical.products import PRODUCT_CHOICES
from tracker.core import roles
from tracker.core.errors import Refusal
from tracker.models import TreatmentCourse
from tracker.outcomes.report import build_report, tables
from tracker.outcomes.selectors import AGE_GROUPS, parse_filters, visible_outcome_facts
from tracker.web.access import staff_only
from tracker.web.outcomes_charts import forest_plot, grade_bars, km_chart

OUTCOME_ROLES = (roles.COORDINATOR, roles.PHYSICIAN)
TABLE_TITLES = {
    "denominators": "Denominators",
    "response": "Response",
    "survival": "Survival (Kaplan-Meier)",
    "at_risk": "Numbers at risk",
    "grades": "CRS and ICANS by maximum grade",
    "toxicity": "Toxicity and treatment",
    "timing": "Onset, duration and vein-to-vein",
    "transplant": "Consolidative transplant",
    "subgroups": "Subgroups (EFS)",
    "crs_drivers": "CRS grade >= 3 by third of disease burden and cell dose",
}


def may_see_outcomes(user) -> bool:
    return user.is_superuser or roles.role_of(user) in OUTCOME_ROLES


def _forest_rows(report: dict) -> list[dict]:
    rows = []
    for table in report["subgroups"]:
        if len(table["rows"]) < 2:
            continue  # one level only: nothing to compare it with
        rows.append({"label": table["label"], "heading": True, "too_small": False, "hazard_ratio": None})
        for row in table["rows"]:
            comparison = row["hazard_ratio_vs_rest"]
            rows.append(
                {
                    "label": f"   {row['level']} ({row['n']}, {row['events']})",
                    "hazard_ratio": comparison["hazard_ratio"],
                    "ci_low": comparison["ci_low"],
                    "ci_high": comparison["ci_high"],
                    "too_small": row["too_small"],
                }
            )
    return rows


@staff_only
def outcomes(request):
    """The report; `?export=<table>` downloads that table as CSV."""
    if not may_see_outcomes(request.user):
        raise PermissionDenied("Programme outcomes are for coordinators and physicians.")
    problems = {}
    try:
        filters, origin, landmark_day = parse_filters(request.GET)
    except Refusal as refusal:
        problems = refusal.message_dict
        filters, origin, landmark_day = parse_filters({})
    today = timezone.localdate()
    report = build_report(
        visible_outcome_facts(request.user, filters), origin=origin, landmark_day=landmark_day, generated_on=today
    )
    named = tables(report)
    export = request.GET.get("export")
    if export:
        if export not in named:
            raise Http404("No such table.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="outcomes-{export}-{today.isoformat()}.csv"'
        csv.writer(response).writerows(named[export])
        return response
    curves = report["curves"]
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "report": report,
        "summary": report["summary"],
        "tables": {
            name: {"title": TABLE_TITLES[name], "header": rows[0], "rows": rows[1:]} for name, rows in named.items()
        },
        "km_chart": km_chart(
            [("EFS", curves["efs"]), ("OS", curves["os"])], report["risk_table_months"], title="EFS and OS"
        ),
        "dor_chart": km_chart([("DOR", curves["dor"])], report["risk_table_months"], title="Duration of response"),
        "grade_chart": grade_bars(
            [
                ("CRS", report["summary"]["crs"]["by_max_grade"]),
                ("ICANS", report["summary"]["icans"]["by_max_grade"]),
            ],
            title="CRS and ICANS by maximum grade",
        ),
        "forest_chart": forest_plot(_forest_rows(report), title="EFS hazard ratio of each subgroup against the rest"),
        "problems": problems,
        "filters": filters,
        "origin": origin.value,
        "landmark_day": landmark_day,
        "diagnoses": TreatmentCourse.Diagnosis.choices,
        "products": PRODUCT_CHOICES,
        "age_groups": AGE_GROUPS,
        "query": query.urlencode(),
        "today": today,
    }
    return render(request, "tracker/outcomes.html", context)
