"""Registry export (issue 12 item 7): per course, the fields the CIBMTR cellular-therapy forms
4000, 4006 and 4100 and the EBMT cellular-therapy day-100 form ask for, as CSV, each column
named with the form and field it answers (`COLUMNS`; docs/clinical-rules.md §11.1, §10.9).

The values come from the same outcome rows as the outcomes page (`selectors.course_facts`), plus
the product lot, lymphodepletion and bridging records; a value the tracker does not hold is left
empty (never guessed). Dates are ISO; yes/no answers are "yes" or "no".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import QuerySet

from tracker.models import BridgingTherapy, ImportedHistory, Lymphodepletion, ManufacturingRun, TreatmentCourse
from tracker.outcomes.definitions import (
    CourseFacts,
    counts_as_complete_response,
    counts_as_response,
    last_known_alive_on,
)
from tracker.outcomes.selectors import course_facts

# (column, form, field): the form and the question of that form each column answers.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("course_id", "all", "Centre's identifier of the cellular therapy (tracker course)"),
    ("mrn", "all", "Recipient identifier at the centre (MRN)"),
    ("birth_date", "CIBMTR 4000", "Recipient date of birth"),
    ("sex", "CIBMTR 4000", "Recipient sex"),
    ("diagnosis", "CIBMTR 4000", "Primary disease for which the cellular therapy was given"),
    ("target_antigens", "CIBMTR 4003", "Target antigen(s) of the genetically modified product"),
    ("product", "CIBMTR 4003", "Product name / manufacturer"),
    ("leukapheresis_date", "CIBMTR 4003", "Date of collection of the cells"),
    ("bridging_therapy", "CIBMTR 4000", "Was holding/bridging therapy given?"),
    ("lymphodepleting_regimen", "CIBMTR 4000", "Lymphodepleting therapy given (drugs)"),
    ("lymphodepletion_start_date", "CIBMTR 4000", "Lymphodepleting therapy start date"),
    ("infusion_date", "CIBMTR 4006", "Date of the (first) infusion of this cellular therapy"),
    ("product_lot", "CIBMTR 4006", "Product identifier (lot / batch)"),
    ("cell_dose_per_kg", "CIBMTR 4006", "CAR-positive viable cells infused per kg"),
    ("crs", "CIBMTR 4100", "Did cytokine release syndrome develop?"),
    ("crs_date", "CIBMTR 4100", "Date of CRS diagnosis"),
    ("crs_max_grade", "CIBMTR 4100", "Maximum grade of CRS (ASTCT)"),
    ("crs_tocilizumab", "CIBMTR 4100", "Therapy given for CRS: tocilizumab"),
    ("crs_corticosteroids", "CIBMTR 4100", "Therapy given for CRS or ICANS: corticosteroids"),
    ("icans", "CIBMTR 4100", "Did ICANS develop?"),
    ("icans_date", "CIBMTR 4100", "Date of ICANS diagnosis"),
    ("icans_max_grade", "CIBMTR 4100", "Maximum grade of ICANS (ASTCT)"),
    ("best_response", "CIBMTR 4100", "Best response to the cellular therapy"),
    ("best_response_date", "CIBMTR 4100", "Date the best response was first established"),
    ("relapse", "CIBMTR 4100", "Did the recipient relapse or progress after the cellular therapy?"),
    ("relapse_date", "CIBMTR 4100", "Date of relapse or progression"),
    ("subsequent_transplant_date", "CIBMTR 4100", "Subsequent HCT: date"),
    ("new_therapy_date", "CIBMTR 4100", "Subsequent therapy given: date"),
    ("survival_status", "CIBMTR 4100", "Survival status (alive / dead)"),
    ("last_contact_date", "CIBMTR 4100", "Date of actual contact (last known alive)"),
    ("death_date", "CIBMTR 4100", "Date of death"),
    ("death_cause", "CIBMTR 4100", "Primary cause of death"),
    ("day100_crs_max_grade", "EBMT day 100", "CRS maximum grade by day 100"),
    ("day100_icans_max_grade", "EBMT day 100", "ICANS maximum grade by day 100"),
    ("day100_best_response", "EBMT day 100", "Best response by day 100"),
    ("day100_complete_remission", "EBMT day 100", "Complete remission achieved by day 100"),
    ("day100_relapse", "EBMT day 100", "Relapse or progression by day 100"),
    ("day100_survival_status", "EBMT day 100", "Survival status at day 100 (alive / dead / not yet day 100)"),
)
DAY_100 = 100


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _grade_date(facts: CourseFacts, onset_day: int | None) -> str:
    if facts.infused_on is None or onset_day is None:
        return ""
    return _iso(facts.infused_on + timedelta(days=onset_day))


def _day100_status(facts: CourseFacts, today: date) -> str:
    if facts.infused_on is None:
        return ""
    day_100 = facts.infused_on + timedelta(days=DAY_100)
    if facts.death_on is not None and facts.death_on <= day_100:
        return "dead"
    return "alive" if today >= day_100 else "not yet day 100"


def registry_rows(courses: QuerySet[TreatmentCourse], *, today: date) -> list[dict[str, str]]:
    """One row per course of `courses`, keyed by `COLUMNS`' names, in a fixed number of queries."""
    pairs = course_facts(courses)
    chosen = courses.values("pk")
    lots = {}
    for run in ManufacturingRun.objects.filter(course__in=chosen).order_by("created_at", "pk"):
        lots[run.course_id] = run.lot_number  # the newest run is the infused product
    regimens = {}
    for ld in Lymphodepletion.objects.filter(course__in=chosen).order_by("started_on", "pk"):
        regimens.setdefault(ld.course_id, ld)
    imported_ids = set(ImportedHistory.objects.filter(course__in=chosen).values_list("course_id", flat=True))
    bridged = set(BridgingTherapy.objects.filter(course__in=chosen).values_list("course_id", flat=True))
    rows = []
    for course, facts in pairs:
        group = facts.diagnosis_group
        responded = group is not None and counts_as_response(group, facts.best_category)
        within_100 = facts.infused_on + timedelta(days=DAY_100) if facts.infused_on else None
        relapsed_by_100 = bool(facts.relapse_on and within_100 and facts.relapse_on <= within_100)
        imported = course.pk in imported_ids
        ld = regimens.get(course.pk)
        rows.append(
            {
                "course_id": str(course.public_id),
                "mrn": course.patient.mrn,
                "birth_date": _iso(course.patient.born_on),
                "sex": course.patient.sex,
                "diagnosis": course.diagnosis,
                "target_antigens": ";".join(facts.target_antigens),
                "product": course.product_label,
                "leukapheresis_date": _iso(facts.apheresed_on),
                "bridging_therapy": "" if imported else _yes_no(course.pk in bridged),
                "lymphodepleting_regimen": ld.get_regimen_display() if ld else "",
                "lymphodepletion_start_date": _iso(ld.started_on) if ld else "",
                "infusion_date": _iso(facts.infused_on),
                "product_lot": lots.get(course.pk, ""),
                "cell_dose_per_kg": "" if facts.cell_dose_per_kg is None else f"{facts.cell_dose_per_kg:.0f}",
                "crs": "" if facts.crs_max_grade is None else _yes_no(facts.crs_max_grade > 0),
                "crs_date": _grade_date(facts, facts.crs_onset_day),
                "crs_max_grade": "" if facts.crs_max_grade is None else str(facts.crs_max_grade),
                "crs_tocilizumab": _yes_no(facts.tocilizumab) if facts.infused_on else "",
                "crs_corticosteroids": _yes_no(facts.steroids) if facts.infused_on else "",
                "icans": "" if facts.icans_max_grade is None else _yes_no(facts.icans_max_grade > 0),
                "icans_date": _grade_date(facts, facts.icans_onset_day),
                "icans_max_grade": "" if facts.icans_max_grade is None else str(facts.icans_max_grade),
                "best_response": facts.best_category or "",
                "best_response_date": _iso(facts.responded_on),
                "relapse": _yes_no(facts.relapse_on is not None) if facts.infused_on else "",
                "relapse_date": _iso(facts.relapse_on),
                "subsequent_transplant_date": _iso(facts.transplant_on),
                "new_therapy_date": _iso(facts.new_therapy_on),
                "survival_status": "dead" if facts.death_on else "alive",
                "last_contact_date": _iso(facts.death_on or last_known_alive_on(facts)),
                "death_date": _iso(facts.death_on),
                "death_cause": facts.death_cause,
                # Grades are recorded in the acute period (before day +28), so the maxima are day-100 maxima.
                "day100_crs_max_grade": "" if facts.crs_max_grade is None else str(facts.crs_max_grade),
                "day100_icans_max_grade": "" if facts.icans_max_grade is None else str(facts.icans_max_grade),
                "day100_best_response": facts.day28_category or "",
                "day100_complete_remission": (
                    _yes_no(counts_as_complete_response(group, facts.day28_category))
                    if group and facts.day28_category
                    else ""
                ),
                "day100_relapse": _yes_no(relapsed_by_100) if facts.infused_on and responded else "",
                "day100_survival_status": _day100_status(facts, today),
            }
        )
    return rows


def registry_csv(rows: Iterable[dict[str, str]]) -> str:
    """The rows as CSV: the column names, then one row naming each column's form, one its field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _, _ in COLUMNS])
    writer.writerow([form for _, form, _ in COLUMNS])
    writer.writerow([field for _, _, field in COLUMNS])
    for row in rows:
        writer.writerow([row[name] for name, _, _ in COLUMNS])
    return buffer.getvalue()
