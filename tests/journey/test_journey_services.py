"""The journey services: each move checked against the rules through the database, one
transaction per write (a refusal leaves nothing behind), every write audited."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_course
from tracker.clinical.stages import RunStatus, Stage
from tracker.core.audit import field_changes
from tracker.core.clock import local_moment
from tracker.journey import services as journey_services
from tracker.models import Infusion, Lymphodepletion, ProductBag, StageEvent, TreatmentCourse
from tracker.models.base import ClinicalRecordDeletionError

REFERRED = date(2025, 12, 1)


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def walk_to_manufacturing(walker):
    walker.start_eligibility(REFERRED + timedelta(days=2))
    walker.confirm_eligible(REFERRED + timedelta(days=7))
    walker.collect_and_ship(REFERRED + timedelta(days=14))


def walk_to_lymphodepletion(walker):
    walk_to_manufacturing(walker)
    walker.release_and_receive(date(2026, 1, 2), date(2026, 1, 5))
    walker.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9))


def stages(course):
    return list(course.stage_events.values_list("to_stage", flat=True))


def test_a_course_walks_the_whole_journey_through_the_services(walker):
    walk_to_lymphodepletion(walker)
    walker.infuse(local_moment(date(2026, 1, 12), 10, 30))
    walker.start_follow_up(date(2026, 2, 9))
    course = walker.course
    assert course.stage == Stage.FOLLOW_UP
    assert stages(course) == [
        "referral",
        "eligibility",
        "collection",
        "manufacturing",
        "lymphodepletion",
        "infusion",
        "acute_monitoring",
        "follow_up",
    ]
    assert course.day_zero == date(2026, 1, 12)
    assert course.day_number(date(2026, 2, 9)) == 28
    v2v = course.vein_to_vein()
    assert v2v.total_days == 28  # collected 15 Dec, infused 12 Jan


def test_follow_up_before_day_28_is_refused(walker):
    walk_to_lymphodepletion(walker)
    walker.infuse(local_moment(date(2026, 1, 12), 10, 30))
    with pytest.raises(ValidationError, match=r"day \+28; this is day \+27"):
        walker.start_follow_up(date(2026, 2, 8))
    walker.course.refresh_from_db()
    assert walker.course.stage == Stage.ACUTE_MONITORING


def test_lymphodepletion_before_release_is_refused_and_saves_nothing(walker):
    walk_to_manufacturing(walker)
    with pytest.raises(ValidationError, match="physician's override"):
        walker.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9))
    assert not Lymphodepletion.objects.exists()
    assert TreatmentCourse.objects.get().stage == Stage.MANUFACTURING


def test_coordinator_cannot_override_the_release_requirement(walker, coordinator):
    walk_to_manufacturing(walker)
    with pytest.raises(ValidationError, match="Only a physician"):
        journey_services.start_lymphodepletion(
            course=walker.course,
            by=coordinator,
            started_on=date(2026, 1, 7),
            ended_on=date(2026, 1, 9),
            regimen="flu_cy",
            override_reason="Rapid progression",
        )
    assert not Lymphodepletion.objects.exists()


def test_physician_override_allows_lymphodepletion_before_release_and_is_recorded(walker, physician):
    walk_to_manufacturing(walker)
    ld = walker.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9), override_reason="Rapidly progressive disease")
    assert ld.started_before_release and ld.override_by == physician
    event = walker.course.stage_events.get(to_stage=Stage.LYMPHODEPLETION)
    assert event.override_reason == "Rapidly progressive disease"


def test_infusion_without_a_released_product_is_refused(walker, staff):
    walk_to_manufacturing(walker)
    walker.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9), override_reason="Rapidly progressive disease")
    with pytest.raises(ValidationError, match="released product"):
        journey_services.record_infusion(
            course=walker.course,
            by=staff.nurse,
            infused_at=local_moment(date(2026, 1, 12), 10),
            dose_value=Decimal("2"),
            dose_unit="cells_e6_per_kg",
            scanned_bags={},
            identity_checked_by=staff.nurse,
            identity_second_check_by=staff.second_nurse,
        )
    assert not Infusion.objects.exists()


def _infuse(course, staff, *, scanned, checker, second):
    bag = ProductBag.objects.get(run__course=course)
    return journey_services.record_infusion(
        course=course,
        by=staff.nurse,
        infused_at=local_moment(date(2026, 1, 12), 10),
        dose_value=Decimal("2"),
        dose_unit="cells_e6_per_kg",
        scanned_bags={bag.bag_identifier: scanned},
        identity_checked_by=checker,
        identity_second_check_by=second,
    )


def test_infusion_with_a_mismatched_chain_of_identity_is_refused_and_nothing_changes(walker, staff):
    walk_to_lymphodepletion(walker)
    with pytest.raises(ValidationError, match="does not match.*Do not infuse"):
        _infuse(walker.course, staff, scanned="COI-SOMEONE-ELSE", checker=staff.nurse, second=staff.second_nurse)
    assert not Infusion.objects.exists()
    assert not ProductBag.objects.filter(infusion__isnull=False).exists()
    assert TreatmentCourse.objects.get().stage == Stage.LYMPHODEPLETION


def test_infusion_checked_twice_by_the_same_person_is_refused(walker, staff):
    walk_to_lymphodepletion(walker)
    coi = walker.run.coi_id
    with pytest.raises(ValidationError, match="two different staff members"):
        _infuse(walker.course, staff, scanned=coi, checker=staff.nurse, second=staff.nurse)
    assert not Infusion.objects.exists()


def test_identity_can_only_be_confirmed_by_clinical_staff(walker, staff, coordinator):
    walk_to_lymphodepletion(walker)
    with pytest.raises(PermissionDenied, match="may not confirm chain of identity"):
        _infuse(walker.course, staff, scanned=walker.run.coi_id, checker=staff.nurse, second=coordinator)


def test_infusion_moves_the_course_to_acute_monitoring_on_day_0(walker, staff):
    walk_to_lymphodepletion(walker)
    infusion = _infuse(
        walker.course, staff, scanned=walker.run.coi_id.lower(), checker=staff.nurse, second=staff.second_nurse
    )
    course = TreatmentCourse.objects.get()
    assert course.stage == Stage.ACUTE_MONITORING
    assert course.day_zero == date(2026, 1, 12)
    bag = ProductBag.objects.get()
    assert bag.infusion == infusion and bag.scanned_coi_id == walker.run.coi_id.lower()


def test_failed_run_allows_a_new_collection_and_a_second_run(walker):
    walk_to_manufacturing(walker)
    walker.fail_run("Insufficient expansion")
    walker.recollect(date(2026, 1, 3))
    walker.collect_and_ship(date(2026, 1, 5))
    assert walker.course.stage == Stage.MANUFACTURING
    assert walker.course.manufacturing_runs.count() == 2
    assert walker.run.status == RunStatus.IN_PRODUCTION


def test_new_collection_is_refused_while_the_run_is_in_production(walker):
    walk_to_manufacturing(walker)
    with pytest.raises(ValidationError, match="only after the manufacturing run failed"):
        walker.recollect(date(2026, 1, 3))


def test_out_of_spec_run_allows_recollection_unless_released_under_exception(walker, staff):
    walk_to_manufacturing(walker)
    journey_services.mark_run_out_of_specification(
        run=walker.run, by=staff.coordinator, finding="Viability 72 %", on=date(2026, 1, 2)
    )
    walker.recollect(date(2026, 1, 3))
    assert walker.course.stage == Stage.COLLECTION


def test_out_of_spec_product_released_under_exception_can_be_infused(walker, staff):
    walk_to_manufacturing(walker)
    walker.release_out_of_spec_under_exception(
        date(2026, 1, 2), date(2026, 1, 5), finding="Viability 72 %", reason="Similar outcomes for viability 61–79 %"
    )
    walker.lymphodeplete(date(2026, 1, 7), date(2026, 1, 9))
    walker.infuse(local_moment(date(2026, 1, 12), 10))
    assert walker.course.stage == Stage.ACUTE_MONITORING


def test_only_a_physician_releases_an_out_of_spec_product(walker, staff):
    walk_to_manufacturing(walker)
    journey_services.mark_run_out_of_specification(
        run=walker.run, by=staff.coordinator, finding="Viability 72 %", on=date(2026, 1, 2)
    )
    with pytest.raises(PermissionDenied):
        journey_services.release_under_exception(run=walker.run, by=staff.coordinator, reason="Because")


def test_manufacturing_failure_closes_the_course(walker):
    walk_to_manufacturing(walker)
    walker.fail_run()
    walker.abandon_after_failure(date(2026, 1, 3), "Patient declined a second collection")
    assert walker.course.stage == Stage.MANUFACTURING_FAILURE
    with pytest.raises(ValidationError, match="closed"):
        walker.recollect(date(2026, 1, 4))


def test_nurse_may_not_move_a_course_between_stages(course, nurse):
    with pytest.raises(PermissionDenied):
        journey_services.transition_course(course=course, to=Stage.ELIGIBILITY, by=nurse)


def test_unknown_stage_name_is_a_clear_error(course, coordinator):
    with pytest.raises(ValidationError, match="'surgery' is not a stage"):
        journey_services.transition_course(course=course, to="surgery", by=coordinator)


def test_a_move_dated_before_the_previous_one_is_refused(walker):
    walker.start_eligibility(date(2025, 12, 10))
    with pytest.raises(ValidationError, match="before the course entered Eligibility"):
        walker.confirm_eligible(date(2025, 12, 9))


def test_a_move_in_the_future_is_refused(course, coordinator, frozen_now):
    with pytest.raises(ValidationError, match="future"):
        journey_services.transition_course(
            course=course, to=Stage.ELIGIBILITY, by=coordinator, occurred_at=frozen_now + timedelta(hours=1)
        )


def test_death_records_the_date_on_the_patient(walker):
    walker.die(date(2025, 12, 20), "Progressive lymphoma")
    assert walker.course.patient.died_on == date(2025, 12, 20)
    assert walker.course.stage_events.last().note == "Progressive lymphoma"


def test_each_move_is_an_event_with_who_when_and_a_note(walker, coordinator):
    walker.start_eligibility(date(2025, 12, 3))
    event = StageEvent.objects.get(to_stage=Stage.ELIGIBILITY)
    assert (event.from_stage, event.by, event.note) == (Stage.REFERRAL, coordinator, "Eligibility work-up started")
    assert event.occurred_at == local_moment(date(2025, 12, 3))
    assert event.recorded_at is not None


def test_stage_changes_are_audited_with_user_and_reason(walker, coordinator):
    walker.start_eligibility(date(2025, 12, 3))
    latest, previous = walker.course.history.order_by("-history_id")[:2]
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "stage: Referral → Eligibility"
    assert {name for name, _, _ in field_changes(latest, previous)} == {"stage", "stage_entered_at"}


def test_clinical_records_are_never_deleted(walker):
    walk_to_manufacturing(walker)
    with pytest.raises(ClinicalRecordDeletionError):
        walker.run.delete()
    with pytest.raises(ClinicalRecordDeletionError):
        TreatmentCourse.objects.all().delete()


def test_a_second_course_gets_the_next_sequence_number(patient, staff, course):
    second = make_course(patient, staff, product="liso_cel", referred_on=date(2026, 2, 1))
    assert (course.sequence, second.sequence) == (1, 2)


def test_combination_constructs_need_two_antigens(patient, staff):
    with pytest.raises(ValidationError, match="two or more antigens"):
        journey_services.open_course(
            patient=patient,
            by=staff.coordinator,
            diagnosis="b_all",
            product="investigational",
            investigational_product_name="CD19/CD22 bicistronic",
            target_antigens=["CD19"],
            antigen_construct="bicistronic",
            referred_on=REFERRED,
            treating_physician=staff.physician,
            coordinator=staff.coordinator,
        )


def test_bicistronic_cd19_cd22_course_keeps_both_antigens(patient, staff):
    course = journey_services.open_course(
        patient=patient,
        by=staff.coordinator,
        diagnosis="b_all",
        product="investigational",
        investigational_product_name="AUTO3",
        target_antigens=["CD19", "CD22"],
        antigen_construct="bicistronic",
        referred_on=REFERRED,
        treating_physician=staff.physician,
        coordinator=staff.coordinator,
    )
    assert sorted(course.target_antigens.values_list("code", flat=True)) == ["CD19", "CD22"]
    assert course.product_label == "AUTO3 (investigational)"


def test_collection_bag_identifiers_must_be_unique(walker, staff):
    walker.start_eligibility(date(2025, 12, 3))
    walker.confirm_eligible(date(2025, 12, 8))
    with pytest.raises(ValidationError, match="different"):
        journey_services.record_collection(
            course=walker.course,
            by=staff.coordinator,
            collected_on=date(2025, 12, 15),
            site="Unit",
            bag_identifiers=["A", "A"],
        )


def test_out_of_range_values_name_the_field(walker, staff):
    walker.start_eligibility(date(2025, 12, 3))
    walker.confirm_eligible(date(2025, 12, 8))
    with pytest.raises(ValidationError) as error:
        journey_services.record_collection(
            course=walker.course,
            by=staff.coordinator,
            collected_on=date(2025, 12, 15),
            site="Unit",
            bag_identifiers=["A"],
            cd3_yield_e9=Decimal("-1"),
        )
    assert "cd3_yield_e9" in error.value.message_dict


def test_bridging_started_the_day_the_course_moved_to_manufacturing_is_accepted(walker):
    walk_to_manufacturing(walker)  # shipped and moved at 16:00 on 15 December
    walker.bridge(REFERRED + timedelta(days=14))
    event = walker.course.stage_events.get(to_stage=Stage.BRIDGING)
    assert event.occurred_at >= walker.course.stage_events.get(to_stage=Stage.MANUFACTURING).occurred_at


def test_out_of_specification_is_dated_separately_from_release(walker, staff):
    walk_to_manufacturing(walker)
    with pytest.raises(ValidationError, match="future"):
        journey_services.mark_run_out_of_specification(
            run=walker.run, by=staff.coordinator, finding="Viability 70 %", on=date(2027, 1, 1)
        )
    journey_services.mark_run_out_of_specification(
        run=walker.run, by=staff.coordinator, finding="Viability 70 %", on=date(2026, 1, 2)
    )
    run = walker.run
    assert (run.oos_reported_on, run.released_on) == (date(2026, 1, 2), None)
    journey_services.release_under_exception(run=run, by=staff.physician, reason="No alternative")
    assert walker.run.released_on == date(2026, 3, 16)  # the day the exception was approved


def test_a_product_cannot_be_received_twice(walker, staff):
    walk_to_lymphodepletion(walker)
    with pytest.raises(ValidationError, match="already received on 05 Jan 2026"):
        journey_services.receive_product(
            run=walker.run, by=staff.coordinator, delivered_on=date(2026, 1, 6), bag_identifiers=["X-1"]
        )


def test_the_lymphodepletion_of_an_earlier_attempt_does_not_count_after_recollection(walker, staff):
    walk_to_manufacturing(walker)
    walker.lymphodeplete(date(2026, 1, 2), date(2026, 1, 4), override_reason="Rapid progression")
    walker.fail_run()
    walker.recollect(date(2026, 1, 5))
    walker.collect_and_ship(date(2026, 1, 6))
    walker.release_and_receive(date(2026, 2, 1), date(2026, 2, 3))
    with pytest.raises(ValidationError, match="Record the lymphodepleting regimen"):
        journey_services.transition_course(course=walker.course, to=Stage.LYMPHODEPLETION, by=staff.coordinator)


@pytest.mark.parametrize(
    ("infused_on", "warning"), [(date(2026, 1, 12), ""), (date(2026, 1, 14), "Infused 5 days after")]
)
def test_an_infusion_outside_the_products_lymphodepletion_window_is_flagged(walker, infused_on, warning):
    walk_to_lymphodepletion(walker)  # axi-cel: LD ends on day −3, so infusion 3 days after
    infusion = walker.infuse(local_moment(infused_on, 10))
    assert infusion.window_warning.startswith(warning)
    if warning:
        assert "window is 3–3 days" in infusion.window_warning
