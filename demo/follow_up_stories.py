"""What happened after day +28 in the demo cohort, recorded through the follow-up services:
response assessments at the milestones (classified from findings, like any other), a relapse
or progression for some, new therapy after it, consolidative transplants for some B-ALL
responders, IgG and blood counts, infections, deaths with their cause, and last contacts.

Deterministic: each course's story follows from its number, so the cohort is the same on
every run."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tracker.clinical import response
from tracker.follow_up import services
from tracker.models import TreatmentCourse

MILESTONE_DAYS = [28, 90, 180, 365, 730, 1095, 1460, 1825]


@dataclass(frozen=True)
class Story:
    responder: bool
    relapse_day: int | None
    death_day: int | None
    death_cause: str
    transplant_day: int | None


def story_for(number: int, disease: response.Disease | None, *, days_so_far: int, death_day: int | None) -> Story:
    """A course's story from its number: about 4 in 5 respond; some relapse; deaths follow
    relapse (disease) or come from an infection when there was none."""
    responder = number % 5 != 0
    relapse_day = None
    end = death_day if death_day is not None else days_so_far
    if death_day is not None and death_day > 60:
        relapse_day = max(45, death_day - 40)
    elif responder and number % 3 == 0 and end > 150:
        relapse_day = 120 + (number * 37) % max(1, min(end - 130, 600))
    elif not responder and end > 60:
        relapse_day = 50 + number % 20
    transplant_day = None
    no_early_relapse = relapse_day is None or relapse_day > 100
    if disease == response.Disease.B_ALL and responder and number % 2 == 0 and end > 90 and no_early_relapse:
        transplant_day = 75
    cause = "disease" if relapse_day is not None else "infection"
    return Story(responder, relapse_day, death_day, cause, transplant_day)


def findings(disease: response.Disease, course: TreatmentCourse, *, good: bool, progressed: bool, n: int) -> dict:
    if disease == response.Disease.B_ALL:
        blasts = "38.0" if progressed else ("1.5" if good else "12.0")
        return {
            "marrow_blasts_percent": blasts,
            "circulating_blasts": progressed,
            "extramedullary_disease": False,
            "anc_10e9_per_l": "1.6" if n % 4 else "0.7",
            "platelets_10e9_per_l": "128" if n % 4 else "64",
            "transfusion_independent": bool(n % 4),
            "mrd_percent": "0.002" if good and not progressed else None,
            "mrd_sensitivity_percent": "0.001" if good and not progressed else None,
        }
    if disease == response.Disease.LYMPHOMA:
        if progressed:
            return {"deauville_score": 5, "change_from_baseline": "increased", "new_lesions": True, "marrow": "clear"}
        if good:
            return {
                "deauville_score": 2 + n % 2,
                "change_from_baseline": "reduced",
                "new_lesions": False,
                "marrow": "clear",
            }
        return {"deauville_score": 4, "change_from_baseline": "unchanged", "new_lesions": False, "marrow": "clear"}
    baseline = Decimal(course.baseline_m_protein_g_dl or "2.5")
    urine_baseline = "0" if baseline >= 1 else "420"
    if progressed:
        serum, urine, ife = baseline * Decimal("0.9"), urine_baseline, False
    elif good:
        serum, urine, ife = Decimal("0"), "0", True
    else:
        serum, urine, ife = (baseline * Decimal("0.4")).quantize(Decimal("0.01")), "0", False
    return {
        "baseline_serum_m_protein_g_dl": str(baseline),
        "serum_m_protein_g_dl": str(serum.quantize(Decimal("0.01"))),
        "baseline_urine_m_protein_mg_24h": urine_baseline,
        "urine_m_protein_mg_24h": urine,
        "serum_immunofixation_negative": ife,
        "urine_immunofixation_negative": ife,
        "marrow_plasma_cells_percent": "2" if good and not progressed else "12",
        "flc_ratio_normal": good and not progressed and n % 2 == 0,
        "clonal_plasma_cells_in_marrow": not (good and not progressed and n % 2 == 0),
        "plasmacytomas_present": False,
        "new_bone_lesions_or_plasmacytomas": progressed,
    }


METHODS = {
    response.Disease.B_ALL: ["marrow_morphology", "flow_mrd"],
    response.Disease.LYMPHOMA: ["pet_ct"],
    response.Disease.MYELOMA: ["electrophoresis", "flc"],
}


def record_demo_follow_up(course: TreatmentCourse, staff, number: int, *, today: date, death_day: int | None = None):
    """Record the follow-up of an infused course up to today (or its death on ``death_day``)."""
    day_zero = course.day_zero
    days_so_far = (today - day_zero).days
    disease = response.disease_for_diagnosis(course.diagnosis)
    story = story_for(number, disease, days_so_far=days_so_far, death_day=death_day)
    end = death_day if death_day is not None else days_so_far
    physician, nurse = staff.physician, staff.nurse

    def on(day: int) -> date:
        return day_zero + timedelta(days=day)

    for day in (30, 60, 90):
        if day < end:
            igg = 380 + (number * 53 + day) % 420
            services.record_lab_result(
                course=course,
                by=nurse,
                collected_on=on(day),
                igg_mg_dl=str(igg),
                cd19_cells_per_ul="0" if day < 90 or number % 3 else "45",
                anc_10e9_per_l="0.4" if day == 30 and number % 6 == 0 else "1.9",
                immunoglobulin_replacement="ivig" if igg < 400 else "",
            )
    if number % 4 == 1 and end > 50:
        services.record_infection(
            course=course,
            by=nurse,
            onset_on=on(41 + number % 7),
            organism_type="viral" if number % 2 else "bacterial",
            organism="CMV reactivation" if number % 2 else "Escherichia coli",
            site="blood",
            severity="moderate",
        )
    if disease is not None:
        for day in MILESTONE_DAYS:
            if day >= end or (story.relapse_day is not None and day >= story.relapse_day):
                break
            assessment = services.record_response_assessment(
                course=course,
                by=physician,
                assessed_on=on(day),
                findings=findings(disease, course, good=story.responder, progressed=False, n=number),
                methods=METHODS[disease],
                report_reference=f"RPT-{course.patient.mrn}-{day:04d}",
            )
            if day == 28:
                services.release_response(assessment=assessment, by=physician)
    if story.transplant_day is not None and story.transplant_day < end:
        services.record_event(
            course=course,
            by=physician,
            kind="transplant",
            occurred_on=on(story.transplant_day),
            donor_type="matched_sibling",
        )
    if story.relapse_day is not None and story.relapse_day < end:
        if disease is not None:
            services.record_response_assessment(
                course=course,
                by=physician,
                assessed_on=on(story.relapse_day),
                findings=findings(disease, course, good=story.responder, progressed=True, n=number),
                methods=METHODS[disease],
            )
        services.record_event(
            course=course,
            by=physician,
            kind="relapse",
            occurred_on=on(story.relapse_day),
            sites=["marrow"] if disease == response.Disease.B_ALL else ["nodal"],
            antigen_negative=number % 2 == 0 if disease == response.Disease.B_ALL else None,
        )
        if story.relapse_day + 14 < end:
            services.record_event(
                course=course,
                by=physician,
                kind="new_therapy",
                occurred_on=on(story.relapse_day + 14),
                therapy="Blinatumomab" if disease == response.Disease.B_ALL else "Glofitamab",
            )
    if death_day is not None:
        services.record_event(
            course=course, by=physician, kind="death", occurred_on=on(death_day), death_cause=story.death_cause
        )
    elif days_so_far > 28:
        services.record_event(
            course=course, by=staff.coordinator, kind="last_contact", occurred_on=on(days_so_far - number % 5)
        )
