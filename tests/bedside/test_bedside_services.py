"""Recording vital signs, neurological checks and treatments at the bedside: graded from what
was observed, validated with errors that name the field and range, never half-saved, never
edited in place."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.builders import DAY0, NORMAL, CourseWalker, ice_with, infuse, vitals
from tests.conftest import make_course, make_patient
from tracker.bedside import services as bedside_services
from tracker.core.clock import local_moment
from tracker.models import Intervention, NeuroAssessment, ThresholdEvent, ToxicityEpisode, VitalSigns


def at(day: int, hour: int = 8, minute: int = 0):
    return local_moment(DAY0 + timedelta(days=day), hour, minute)


@pytest.fixture
def course(walker, frozen_now):
    return infuse(walker)


def test_fever_with_hypotension_is_crs_grade_2_stored_with_its_inputs_and_reasons(course, nurse):
    recorded = vitals(course, nurse, at(1), temperature_value="38.6", systolic_bp=84, diastolic_bp=50)
    obs = VitalSigns.objects.get()
    assert obs == recorded.observation
    assert obs.grade == 2
    assert obs.hypotension and obs.hypotension_basis == "systolic 84 mmHg < 90 mmHg for age 55"
    assert obs.rule_version == "ASTCT-2019/1"
    assert obs.grading_inputs["temperature_c"] == "38.6" and obs.grading_inputs["hypotension"] is True
    assert "grade 2" in obs.grade_reasons[0] and "hypotension" in obs.grade_reasons[0]


@pytest.mark.parametrize(
    ("fahrenheit", "celsius", "grade"), [("100.4", Decimal("38.00"), 1), ("100.3", Decimal("37.94"), 0)]
)
def test_fahrenheit_is_converted_exactly(course, nurse, fahrenheit, celsius, grade):
    obs = vitals(course, nurse, at(1), temperature_value=fahrenheit, temperature_unit="F").observation
    assert (obs.temperature_c, obs.grade, obs.temperature_value) == (celsius, grade, Decimal(fahrenheit))
    assert obs.grading_inputs["temperature_f"] == fahrenheit  # the reading as taken, to re-derive the grade


@pytest.mark.parametrize("site", [choice.value for choice in VitalSigns.TemperatureSite])
def test_decision_11_6_every_measurement_site_is_graded_alike(course, nurse, site):
    # The site is recorded with the reading; no offset is added (axillary readings are not
    # raised to "core"), so 37.9 °C is not fever and 38.0 °C is at every site
    # (docs/clinical-rules.md §3.2).
    below = vitals(course, nurse, at(1), temperature_value="37.9", temperature_site=site).observation
    at_threshold = vitals(course, nurse, at(1, 9), temperature_value="38.0", temperature_site=site).observation
    assert (below.temperature_site, below.grade, at_threshold.grade) == (site, 0, 1)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"temperature_value": "51"}, "temperature_value", "between 25 and 45 °C"),
        ({"temperature_value": "38.0", "temperature_unit": "F"}, "temperature_value", "between 77 and 113 °F"),
        ({"temperature_value": "38.25"}, "temperature_value", "at most one decimal place; got 38.25"),
        ({"heart_rate": 300}, "heart_rate", "between 20 and 250 beats/min"),
        ({"systolic_bp": 30}, "systolic_bp", "between 40 and 300 mmHg"),
        ({"diastolic_bp": 130}, "diastolic_bp", "must be lower than systolic"),
        ({"respiratory_rate": 2}, "respiratory_rate", "between 4 and 80"),
        ({"spo2": 104}, "spo2", "between 50 and 100 %"),
        ({"oxygen_device": "nasal_cannula", "oxygen_flow_l_min": "90"}, "oxygen_flow_l_min", "between 0 and 80 L/min"),
        ({"oxygen_device": "nasal_cannula"}, "oxygen_flow_l_min", "required with nasal_cannula"),
        ({"oxygen_flow_l_min": "4"}, "oxygen_flow_l_min", "when oxygen_device is none"),
        ({"vasopressors": ["dobutamine"]}, "vasopressors", "choose from norepinephrine"),
        ({"fever_other_cause": True}, "attribution_note", "which other cause"),
        ({"spo2": None}, "spo2", "required"),
    ],
)
def test_bad_input_names_the_field_and_the_range_and_saves_nothing(course, nurse, changes, field, words):
    with pytest.raises(ValidationError) as error:
        vitals(course, nurse, at(1), **changes)
    assert field in error.value.message_dict
    assert words in " ".join(error.value.message_dict[field])
    assert not VitalSigns.objects.exists() and not ThresholdEvent.objects.exists()


def test_vital_signs_before_infusion_are_refused(centre, staff, nurse, frozen_now):
    not_infused = make_course(make_patient(centre, staff.coordinator, mrn="PRE-1"), staff)
    with pytest.raises(ValidationError, match="from infusion on; this course is in Referral"):
        vitals(not_infused, nurse, at(1))


def test_observation_time_before_day_0_is_refused(course, nurse):
    with pytest.raises(ValidationError) as error:
        vitals(course, nurse, at(-1))
    assert "before the infusion" in error.value.message_dict["observed_at"][0]


def test_only_clinical_staff_record_vital_signs(course, coordinator):
    with pytest.raises(PermissionDenied):
        vitals(course, coordinator, at(1))


# --- Fever masking derived from recorded treatment ------------------------------------------------


def test_fever_after_tocilizumab_during_crs_counts_as_masked(course, nurse, physician):
    vitals(course, nurse, at(1, 8), temperature_value="39.1")
    bedside_services.record_intervention(
        course=course,
        by=physician,
        given_at=at(1, 9),
        kind="tocilizumab",
        dose_value="8",
        dose_unit="mg_per_kg",
        indication="crs",
    )
    obs = vitals(course, nurse, at(1, 20), temperature_value="37.2", systolic_bp=84, diastolic_bp=50).observation
    assert obs.fever_masked and obs.grading_inputs["fever_masked_by_treatment"] is True
    assert obs.grade == 2  # hypotension without fever, because fever may be masked


def test_without_masking_treatment_hypotension_alone_is_not_crs(course, nurse):
    vitals(course, nurse, at(1, 8), temperature_value="39.1")
    obs = vitals(course, nurse, at(1, 20), temperature_value="37.2", systolic_bp=84, diastolic_bp=50).observation
    assert not obs.fever_masked and obs.grade == 0


def test_premedication_before_any_crs_does_not_mask_fever(course, nurse):
    bedside_services.record_intervention(
        course=course,
        by=nurse,
        given_at=at(0, 11),
        kind="antipyretic",
        agent="acetaminophen",
        dose_value="1",
        dose_unit="g",
        indication="prophylaxis",
    )
    obs = vitals(course, nurse, at(0, 14), temperature_value="37.0", systolic_bp=84, diastolic_bp=50).observation
    assert not obs.fever_masked and obs.grade == 0


# --- Amendments ---------------------------------------------------------------------------------


def test_an_amendment_keeps_the_original_and_regrades(course, nurse):
    original = vitals(course, nurse, at(1), temperature_value="38.6").observation
    corrected = bedside_services.amend_vital_signs(
        original=original, by=nurse, reason="Typed 38.6 for 36.8", **{**NORMAL, "temperature_value": "36.8"}
    ).observation
    original.refresh_from_db()
    assert original.superseded and original.grade == 1 and original.temperature_value == Decimal("38.6")
    assert corrected.amends == original and corrected.grade == 0 and corrected.amendment_reason == "Typed 38.6 for 36.8"
    assert list(VitalSigns.objects.current()) == [corrected]
    assert not ToxicityEpisode.objects.filter(course=course).exists()


def test_an_amendment_needs_a_reason(course, nurse):
    original = vitals(course, nurse, at(1)).observation
    with pytest.raises(ValidationError) as error:
        bedside_services.amend_vital_signs(original=original, by=nurse, reason=" ", **NORMAL)
    assert "reason" in error.value.message_dict


def test_a_superseded_record_cannot_be_amended_again(course, nurse):
    original = vitals(course, nurse, at(1)).observation
    bedside_services.amend_vital_signs(original=original, by=nurse, reason="Wrong patient arm", **NORMAL)
    with pytest.raises(ValidationError, match="already been corrected"):
        bedside_services.amend_vital_signs(original=original, by=nurse, reason="Again", **NORMAL)


def test_a_recorded_assessment_is_audited_with_its_author(course, nurse):
    obs = vitals(course, nurse, at(1)).observation
    entry = obs.history.get()
    assert entry.history_user == nurse and entry.history_change_reason == "recorded"


# --- Threshold events and episodes ----------------------------------------------------------------


def test_threshold_events_are_stored_on_the_course(course, nurse):
    first = vitals(course, nurse, at(1, 8), temperature_value="38.2")
    assert [e.kind for e in first.events] == ["first_fever"]
    vitals(course, nurse, at(1, 12), temperature_value="38.4")  # still grade 1: nothing new
    worse = vitals(course, nurse, at(1, 16), temperature_value="38.9", systolic_bp=82, diastolic_bp=48)
    assert [e.kind for e in worse.events] == ["crs_grade_2_or_more"]
    worst = vitals(course, nurse, at(1, 20), temperature_value="39.0", vasopressors=["norepinephrine"])
    assert [(e.kind, e.previous_grade, e.grade) for e in worst.events] == [("grade_rise", 2, 3)]
    assert course.threshold_events.count() == 3


def test_crs_episode_has_onset_day_maximum_grade_and_resolution(course, nurse):
    vitals(course, nurse, at(2, 8), temperature_value="38.3")
    vitals(course, nurse, at(2, 14), temperature_value="38.9", systolic_bp=84, diastolic_bp=50)
    vitals(course, nurse, at(4, 8))
    (episode,) = ToxicityEpisode.objects.filter(course=course, syndrome="crs")
    assert (episode.onset_day, episode.max_grade, episode.resolved_at) == (2, 2, at(4, 8))
    assert episode.duration == timedelta(days=2)


def test_nurse_judgement_that_differs_flags_the_assessment_for_a_physician(course, nurse, physician):
    obs = vitals(course, nurse, at(1), temperature_value="38.6", nurse_judged_grade=2).observation
    assert obs.needs_review and obs.review_reasons == ["Nurse judged CRS grade 2; computed grade 1."]
    with pytest.raises(PermissionDenied):
        bedside_services.review_assessment(observation=obs, by=nurse)
    bedside_services.review_assessment(observation=obs, by=physician, note="Agree with computed grade")
    obs.refresh_from_db()
    assert obs.reviewed_by == physician and not obs.awaiting_review


def test_matching_nurse_judgement_is_not_flagged(course, nurse):
    assert not vitals(course, nurse, at(1), temperature_value="38.6", nurse_judged_grade=1).observation.needs_review


# --- Neurological assessments -------------------------------------------------------------------


def neuro(course, by, when, **values):
    return bedside_services.record_neuro_assessment(course=course, by=by, observed_at=when, **values)


@pytest.mark.parametrize(("correct", "grade"), [(10, 0), (9, 1), (7, 1), (6, 2), (3, 2), (2, 3), (0, 3)])
def test_ice_items_one_by_one_give_the_score_and_the_grade(course, nurse, correct, grade):
    obs = neuro(course, nurse, at(3), **ice_with(correct)).observation
    assert (obs.tool, obs.ice_score, obs.grade) == ("ice", correct, grade)


def test_partial_ice_names_the_missing_items(course, nurse):
    items = ice_with(10)
    del items["ice_writing"], items["ice_attention"]
    with pytest.raises(ValidationError) as error:
        neuro(course, nurse, at(3), **items)
    assert "missing: ice_writing, ice_attention" in str(error.value)
    assert not NeuroAssessment.objects.exists()


def test_ice_not_assessable_is_flagged_not_scored_zero(course, nurse):
    obs = neuro(
        course, nurse, at(3), not_assessable_reason="intubated_sedated", level_of_consciousness="alert"
    ).observation
    assert obs.ice_score is None and obs.grade == 0
    assert obs.needs_review and "not assessable (Intubated and sedated)" in obs.review_reasons[0]


def test_unarousable_patient_is_icans_grade_4(course, nurse):
    obs = neuro(
        course, nurse, at(3), not_assessable_reason="unarousable", level_of_consciousness="unarousable"
    ).observation
    assert obs.grade == 4


@pytest.mark.parametrize(
    ("seizure", "grade"),
    [
        ({"seizure_kind": "focal", "seizure_duration_min": "1"}, 3),
        ({"seizure_kind": "generalized", "seizure_duration_min": "5"}, 3),  # exactly 5 min is not "> 5 min"
        ({"seizure_kind": "generalized", "seizure_duration_min": "5.5"}, 4),
        ({"seizure_kind": "eeg_only", "seizure_duration_min": "2"}, 3),
        (
            {
                "seizure_kind": "focal",
                "seizure_duration_min": "2",
                "seizure_repeated": True,
                "seizure_returned_to_baseline": False,
            },
            4,
        ),
        (
            {
                "seizure_kind": "focal",
                "seizure_duration_min": "2",
                "seizure_repeated": True,
                "seizure_returned_to_baseline": True,
            },
            3,
        ),
    ],
)
def test_seizures_are_classified_from_what_was_recorded(course, nurse, seizure, grade):
    obs = neuro(course, nurse, at(3), seizure_occurred=True, **ice_with(10), **seizure).observation
    assert obs.grade == grade


def test_a_seizure_needs_its_kind_and_duration(course, nurse):
    with pytest.raises(ValidationError) as error:
        neuro(course, nurse, at(3), seizure_occurred=True, **ice_with(10))
    assert {"seizure_kind", "seizure_duration_min"} <= set(error.value.message_dict)


def test_icans_onset_and_rise_raise_events_and_an_episode(course, nurse):
    first = neuro(course, nurse, at(5, 8), **ice_with(8))
    assert [e.kind for e in first.events] == ["icans_any_grade"]
    worse = neuro(course, nurse, at(5, 16), **ice_with(5))
    assert [(e.kind, e.grade) for e in worse.events] == [("grade_rise", 2)]
    (episode,) = ToxicityEpisode.objects.filter(course=course, syndrome="icans")
    assert (episode.onset_day, episode.max_grade) == (5, 2)


@pytest.fixture
def child_course(centre, staff, frozen_now):
    child = make_patient(centre, staff.coordinator, mrn="CH-1", given="Mia", family="Young", born=date(2014, 6, 1))
    return infuse(CourseWalker(make_course(child, staff, product="tisa_cel", diagnosis="b_all"), staff))


def test_a_child_under_12_is_assessed_with_capd(child_course, nurse):
    scores = dict.fromkeys(["capd_eye_contact", "capd_purposeful", "capd_aware", "capd_communicates"], 2)
    scores |= dict.fromkeys(["capd_restless", "capd_inconsolable", "capd_underactive", "capd_slow_response"], 0)
    obs = neuro(child_course, nurse, at(3), **scores).observation
    assert (obs.age_years, obs.tool, obs.capd_score, obs.grade) == (11, "capd", 8, 1)


def test_ice_is_refused_under_12(child_course, nurse):
    with pytest.raises(ValidationError) as error:
        neuro(child_course, nurse, at(3), tool="ice", **ice_with(10))
    assert "ICE applies from age 12" in error.value.message_dict["tool"][0]


# --- Interventions -------------------------------------------------------------------------------


def test_tocilizumab_over_the_limits_is_recorded_with_warnings(course, physician):
    for hour in (1, 9, 17):
        bedside_services.record_intervention(
            course=course,
            by=physician,
            given_at=at(2, hour),
            kind="tocilizumab",
            dose_value="544",
            dose_unit="mg",
            indication="crs",
        )
    fourth = bedside_services.record_intervention(
        course=course,
        by=physician,
        given_at=at(2, 23),
        kind="tocilizumab",
        dose_value="900",
        dose_unit="mg",
        indication="crs",
    )
    assert any("800 mg maximum" in w for w in fourth.warnings)
    assert any("Dose 4 within 24 hours" in w for w in fourth.warnings)
    assert Intervention.objects.count() == 4


def test_icu_transfer_needs_no_dose_but_tocilizumab_does(course, physician):
    bedside_services.record_intervention(
        course=course, by=physician, given_at=at(2), kind="icu_transfer", indication="crs"
    )
    with pytest.raises(ValidationError) as error:
        bedside_services.record_intervention(
            course=course, by=physician, given_at=at(2), kind="tocilizumab", indication="crs"
        )
    assert "dose_value" in error.value.message_dict
