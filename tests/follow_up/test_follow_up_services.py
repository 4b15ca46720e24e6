"""Response assessments, events and late effects through the services: categories computed
from findings, milestones completed, relapse after remission, death closing the course, ICAHT
from the blood counts, and nothing half-saved or edited in place."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.builders import DAY0, CourseWalker, infuse, vitals
from tests.conftest import make_course, make_patient
from tracker.clinical.stages import Stage
from tracker.core.clock import local_moment
from tracker.follow_up import selectors, services
from tracker.models import CheckIn, CourseEvent, LabResult, ResponseAssessment

PET_CMR = {"deauville_score": 2, "change_from_baseline": "reduced", "new_lesions": False, "marrow": "clear"}
MARROW_CR = {
    "marrow_blasts_percent": "0.5",
    "circulating_blasts": False,
    "extramedullary_disease": False,
    "anc_10e9_per_l": "1.8",
    "platelets_10e9_per_l": "140",
    "transfusion_independent": True,
    "mrd_percent": "0.001",
    "mrd_sensitivity_percent": "0.001",
}
MARROW_RELAPSE = {**MARROW_CR, "marrow_blasts_percent": "32", "mrd_percent": None, "mrd_sensitivity_percent": None}


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def go_to(time_machine, n: int, hour: int = 14):
    time_machine.move_to(local_moment(day(n), hour), tick=False)


@pytest.fixture
def lymphoma(walker, time_machine):
    go_to(time_machine, 0, 11)
    return infuse(walker)


@pytest.fixture
def leukaemia(centre, staff, coordinator, time_machine):
    patient = make_patient(centre, coordinator, mrn="MRN-ALL", given="Ben", family="Marrow", born=date(2012, 4, 2))
    course = make_course(patient, staff, product="tisa_cel", diagnosis="b_all")
    go_to(time_machine, 0, 11)
    return infuse(CourseWalker(course, staff))


def test_a_pet_ct_with_deauville_2_is_a_complete_metabolic_response_with_its_reason(lymphoma, physician, time_machine):
    go_to(time_machine, 29)
    assessment = services.record_response_assessment(
        course=lymphoma, by=physician, assessed_on=day(28), findings=PET_CMR, methods=["pet_ct"]
    )
    assert (assessment.category, assessment.day, assessment.rule_version) == ("CMR", 28, "LUGANO-2014/1")
    assert "Deauville 2" in assessment.reasons[0]
    follow_up = selectors.course_follow_up(lymphoma)
    assert follow_up.latest.label == "Complete metabolic response"
    assert follow_up.best == "CMR"


def test_recording_the_day_28_scan_completes_its_milestones(lymphoma, physician, time_machine):
    go_to(time_machine, 29)
    assessment = services.record_response_assessment(
        course=lymphoma, by=physician, assessed_on=day(28), findings=PET_CMR, methods=["pet_ct"]
    )
    done = CheckIn.objects.filter(response_assessment=assessment)
    assert {c.kind for c in done} == {"response_assessment", "remission_scan"}
    assert all(c.status == CheckIn.Status.COMPLETED and "Day +28" in c.label for c in done)
    month_3 = lymphoma.check_ins.filter(kind="remission_scan", label__contains="Month 3").get()
    assert month_3.status == CheckIn.Status.SCHEDULED


def test_a_marrow_relapse_after_complete_remission_is_a_relapse(leukaemia, physician, time_machine):
    go_to(time_machine, 29)
    first = services.record_response_assessment(
        course=leukaemia,
        by=physician,
        assessed_on=day(28),
        findings=MARROW_CR,
        methods=["marrow_morphology", "flow_mrd"],
    )
    assert (first.category, first.mrd) == ("CR", "negative")
    go_to(time_machine, 95)
    second = services.record_response_assessment(
        course=leukaemia, by=physician, assessed_on=day(92), findings=MARROW_RELAPSE, methods=["marrow_morphology"]
    )
    assert second.category == "relapse"
    assert second.findings["previously_in_remission"] is True
    assert selectors.course_follow_up(leukaemia).best == "CR"


def test_the_same_marrow_without_an_earlier_remission_is_no_remission(leukaemia, physician, time_machine):
    go_to(time_machine, 29)
    row = services.record_response_assessment(
        course=leukaemia, by=physician, assessed_on=day(28), findings=MARROW_RELAPSE, methods=["marrow_morphology"]
    )
    assert row.category == "NR"


@pytest.mark.parametrize(
    ("findings", "field", "words"),
    [
        ({**PET_CMR, "deauville_score": 7}, "deauville_score", "1"),
        ({k: v for k, v in PET_CMR.items() if k != "marrow"}, "marrow", "required"),
        ({**PET_CMR, "blasts": 3}, "blasts", "not a lymphoma finding"),
    ],
)
def test_bad_findings_are_refused_naming_the_field_and_nothing_is_saved(
    lymphoma, physician, time_machine, findings, field, words
):
    go_to(time_machine, 29)
    with pytest.raises(ValidationError) as error:
        services.record_response_assessment(
            course=lymphoma, by=physician, assessed_on=day(28), findings=findings, methods=["pet_ct"]
        )
    assert words in str(error.value.message_dict[field])
    assert not ResponseAssessment.objects.exists()


def test_a_response_cannot_be_dated_before_infusion_or_in_the_future(lymphoma, physician, time_machine):
    go_to(time_machine, 29)
    for when, words in [(day(-1), "before the infusion"), (day(31), "in the future")]:
        with pytest.raises(ValidationError) as error:
            services.record_response_assessment(
                course=lymphoma, by=physician, assessed_on=when, findings=PET_CMR, methods=["pet_ct"]
            )
        assert words in str(error.value.message_dict["assessed_on"])


def test_a_nurse_cannot_record_a_response(lymphoma, nurse, time_machine):
    go_to(time_machine, 29)
    with pytest.raises(PermissionDenied):
        services.record_response_assessment(
            course=lymphoma, by=nurse, assessed_on=day(28), findings=PET_CMR, methods=["pet_ct"]
        )


def test_an_amendment_reclassifies_and_keeps_the_original(lymphoma, physician, time_machine):
    go_to(time_machine, 29)
    original = services.record_response_assessment(
        course=lymphoma, by=physician, assessed_on=day(28), findings=PET_CMR, methods=["pet_ct"]
    )
    corrected = services.amend_response_assessment(
        original=original,
        by=physician,
        reason="Deauville re-read as 4 at the tumour board",
        findings={**PET_CMR, "deauville_score": 4},
    )
    original.refresh_from_db()
    assert original.superseded and original.category == "CMR"
    assert corrected.category == "PMR" and corrected.amends == original
    row = selectors.course_follow_up(lymphoma).latest
    assert row.assessment == corrected and row.pending_month_3


def test_the_patient_sees_a_response_only_once_a_physician_releases_it(lymphoma, physician, coordinator, time_machine):
    go_to(time_machine, 29)
    assessment = services.record_response_assessment(
        course=lymphoma, by=physician, assessed_on=day(28), findings=PET_CMR, methods=["pet_ct"]
    )
    assert selectors.released_response(lymphoma) is None
    with pytest.raises(PermissionDenied):
        services.release_response(assessment=assessment, by=coordinator)
    services.release_response(assessment=assessment, by=physician)
    _, words = selectors.released_response(lymphoma)
    assert words == "Your day +28 PET-CT scan showed no sign of active lymphoma."


# --- Events ----------------------------------------------------------------------------------


def test_a_death_closes_the_course_and_cancels_its_open_check_ins(lymphoma, physician, time_machine):
    go_to(time_machine, 40)
    open_before = lymphoma.check_ins.filter(status__in=["scheduled", "due"]).count()
    assert open_before > 0
    services.record_event(course=lymphoma, by=physician, kind="death", occurred_on=day(39), death_cause="infection")
    lymphoma.refresh_from_db()
    assert lymphoma.stage == Stage.DIED
    assert lymphoma.patient.died_on == day(39)
    assert not lymphoma.check_ins.filter(status__in=["scheduled", "due"]).exists()
    cancelled = lymphoma.check_ins.filter(status="cancelled").first()
    assert "died" in cancelled.cancel_reason


def test_a_death_dated_before_recorded_observations_is_refused_naming_them(lymphoma, physician, nurse, time_machine):
    go_to(time_machine, 5)
    vitals(lymphoma, nurse, local_moment(day(5), 8))
    with pytest.raises(ValidationError) as error:
        services.record_event(course=lymphoma, by=physician, kind="death", occurred_on=day(3), death_cause="crs")
    assert "Vital signs are recorded after" in str(error.value.message_dict["occurred_on"])
    assert not CourseEvent.objects.exists()
    lymphoma.refresh_from_db()
    assert lymphoma.stage == Stage.ACUTE_MONITORING


def test_nothing_can_be_recorded_after_the_date_of_death(lymphoma, physician, time_machine):
    go_to(time_machine, 40)
    services.record_event(course=lymphoma, by=physician, kind="death", occurred_on=day(39), death_cause="disease")
    with pytest.raises(ValidationError) as error:
        services.record_event(course=lymphoma, by=physician, kind="last_contact", occurred_on=day(40))
    assert "after the patient's death" in str(error.value.message_dict["occurred_on"])


def test_relapse_needs_its_site_and_keeps_the_course_in_follow_up(leukaemia, physician, time_machine):
    go_to(time_machine, 95)
    with pytest.raises(ValidationError) as error:
        services.record_event(course=leukaemia, by=physician, kind="relapse", occurred_on=day(92))
    assert "sites" in error.value.message_dict
    event = services.record_event(
        course=leukaemia,
        by=physician,
        kind="relapse",
        occurred_on=day(92),
        sites=["marrow", "cns"],
        antigen_negative=True,
    )
    leukaemia.refresh_from_db()
    assert event.cns and event.antigen_negative and event.day == 92
    assert leukaemia.stage == Stage.ACUTE_MONITORING


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        ("transplant", {}, "donor_type"),
        ("new_therapy", {}, "therapy"),
        ("death", {"death_cause": "boredom"}, "death_cause"),
        ("last_contact", {"sites": ["marrow"]}, "sites"),
    ],
)
def test_each_event_kind_checks_its_details(lymphoma, physician, time_machine, kind, details, field):
    go_to(time_machine, 60)
    with pytest.raises(ValidationError) as error:
        services.record_event(course=lymphoma, by=physician, kind=kind, occurred_on=day(59), **details)
    assert field in error.value.message_dict


# --- Late effects ----------------------------------------------------------------------------


def test_an_igg_result_completes_the_igg_milestone_and_says_what_it_means(lymphoma, nurse, time_machine):
    go_to(time_machine, 31)
    milestone = lymphoma.check_ins.filter(kind="igg_level").order_by("due_at").first()
    result = services.record_lab_result(course=lymphoma, by=nurse, collected_on=day(30), igg_mg_dl="350")
    milestone.refresh_from_db()
    assert milestone.status == CheckIn.Status.COMPLETED and milestone.lab_result == result
    assert "IgG replacement may be considered" in result.interpretation[0]


def test_a_count_out_of_range_is_refused_with_the_range_and_the_usual_slip(lymphoma, nurse, time_machine):
    go_to(time_machine, 31)
    with pytest.raises(ValidationError) as error:
        services.record_lab_result(course=lymphoma, by=nurse, collected_on=day(30), anc_10e9_per_l="500")
    assert "500/µL is 0.5 ×10⁹/L" in str(error.value.message_dict["anc_10e9_per_l"])
    assert not LabResult.objects.exists()


def test_icaht_is_graded_from_the_recorded_neutrophil_counts(lymphoma, nurse, time_machine):
    # ANC ≤ 0.5 from day 0 to day 9 (10 days), above it from day 10: early ICAHT grade 2.
    go_to(time_machine, 31)
    for n in range(0, 31):
        services.record_lab_result(
            course=lymphoma, by=nurse, collected_on=day(n), anc_10e9_per_l="0.3" if n < 10 else "2.0"
        )
    follow_up = selectors.course_follow_up(lymphoma)
    assert follow_up.icaht.early_grade == 2
    assert follow_up.icaht.days_at_or_below_500 == 10
    assert follow_up.recovery.recovered_on_day == 10


def test_a_second_malignancy_is_flagged_until_the_manufacturer_is_told(lymphoma, physician, nurse, time_machine):
    go_to(time_machine, 200)
    with pytest.raises(PermissionDenied):
        services.record_late_diagnosis(
            course=lymphoma, by=nurse, diagnosed_on=day(199), kind="second_malignancy", description="T-cell lymphoma"
        )
    diagnosis = services.record_late_diagnosis(
        course=lymphoma, by=physician, diagnosed_on=day(199), kind="second_malignancy", description="T-cell lymphoma"
    )
    assert "tell the manufacturer" in selectors.course_follow_up(lymphoma).alerts[0]
    services.amend_late_diagnosis(
        original=diagnosis, by=physician, reason="Manufacturer told by phone", manufacturer_notified_on=day(200)
    )
    assert selectors.course_follow_up(lymphoma).alerts == []


def test_an_infection_is_recorded_with_its_site_and_severity(lymphoma, nurse, time_machine):
    go_to(time_machine, 45)
    infection = services.record_infection(
        course=lymphoma,
        by=nurse,
        onset_on=day(44),
        organism_type="viral",
        organism="CMV",
        site="blood",
        severity="moderate",
    )
    assert infection.day == 44
    with pytest.raises(ValidationError) as error:
        services.record_infection(
            course=lymphoma, by=nurse, onset_on=day(44), organism_type="viral", site="toe", severity="moderate"
        )
    assert "site" in error.value.message_dict


def test_the_course_page_reads_a_fixed_number_of_queries(
    lymphoma, physician, nurse, time_machine, django_assert_max_num_queries
):
    go_to(time_machine, 100)
    for n in (28, 90):
        services.record_response_assessment(
            course=lymphoma, by=physician, assessed_on=day(n), findings=PET_CMR, methods=["pet_ct"]
        )
    for n in range(0, 40, 3):
        services.record_lab_result(
            course=lymphoma, by=nurse, collected_on=day(n), anc_10e9_per_l="1.2", igg_mg_dl="500"
        )
    lymphoma.refresh_from_db()
    with django_assert_max_num_queries(8):
        selectors.course_follow_up(lymphoma)
