"""The durable schedule, the dispatcher and escalation, with the clock moved by hand.

Every step is called directly (``run_sweep(now)``), as Celery beat would call it each minute.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.builders import NORMAL, T0, CourseWalker, ice_with, walk_and_infuse
from tests.conftest import make_course, make_patient
from tracker.accounts.services import create_staff_user
from tracker.bedside import services as bedside_services
from tracker.clinical.stages import Stage
from tracker.journey import services as journey_services
from tracker.models import Alert, CheckIn, Notification, OnCallShift, ToxicityEpisode
from tracker.schedule.services import alerts, completion, delivery, dispatch, planning
from tracker.schedule.sms import SmsBackend, TransientDeliveryError

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def charge_nurse(centre, course, coordinator):
    user = create_staff_user(
        username="charge",
        role="nurse",
        centre=centre,
        password="pw",
        first_name="Grace",
        last_name="Charge",
        email="charge@example.org",
    )
    journey_services.add_care_team_member(course=course, user=user, role="charge_nurse", by=coordinator)
    return user


@pytest.fixture
def on_call(centre):
    user = create_staff_user(
        username="oncall",
        role="physician",
        centre=centre,
        password="pw",
        first_name="Owen",
        last_name="Call",
        email="oncall@example.org",
    )
    OnCallShift.objects.create(
        centre=centre, user=user, starts_at=T0 - timedelta(days=30), ends_at=T0 + timedelta(days=30)
    )
    return user


@pytest.fixture
def infused(walker, time_machine, charge_nurse, on_call):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    return walk_and_infuse(walker)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def first(course, kind="vital_signs") -> CheckIn:
    return course.check_ins.filter(kind=kind, status__in=["scheduled", "due"]).order_by("due_at").first()


def recipients(alert, round_=None):
    rows = alert.notifications.all() if round_ is None else alert.notifications.filter(round=round_)
    return sorted({(n.recipient.username, n.channel) for n in rows})


# --- Planning --------------------------------------------------------------------------------


def test_infusion_materializes_milestones_in_full_and_frequent_check_ins_to_the_horizon(infused):
    rows = infused.check_ins.all()
    by_kind = {kind: rows.filter(kind=kind).count() for kind in rows.values_list("kind", flat=True).distinct()}
    # 48 h horizon from 10:30: vital signs at 14, 18, 22, 02, 06, 10 (×2), ICE at 20, 08 (×2),
    # labs at 06 on the next two days, the daily review at 09:00 on the next two days.
    assert by_kind["vital_signs"] == 12 and by_kind["ice_capd"] == 4
    assert by_kind["labs"] == 2 and by_kind["crs_review"] == 2
    assert by_kind["remission_scan"] == 4 and by_kind["igg_level"] == 5 and by_kind["ltfu_contact"] == 10
    assert all(r.status == "scheduled" for r in rows)
    last = rows.order_by("-due_at").first()
    assert last.label == "Year 15: Long-term follow-up contact (FDA) and CIBMTR F4100 (15-year track)"
    assert last.due_at == datetime(2041, 3, 16, 9, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("diagnosis", "product", "scan"),
    [
        ("b_all", "tisa_cel", "Bone marrow and MRD"),
        ("lbcl", "axi_cel", "PET-CT (Lugano)"),
        ("follicular", "liso_cel", "PET-CT (Lugano)"),
        ("mantle_cell", "brexu_cel", "PET-CT (Lugano)"),
        ("multiple_myeloma", "cilta_cel", "Myeloma response: M-protein, FLC, marrow (IMWG)"),
        ("cll", "liso_cel", "PET-CT (Lugano)"),
        ("other", "investigational", "PET-CT (Lugano)"),
    ],
)
def test_a_15_year_schedule_for_each_diagnosis(centre, staff, time_machine, diagnosis, product, scan):
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    extra = {"antigens": ("CD19", "CD22")} if product == "investigational" else {}
    patient = make_patient(centre, staff.coordinator, mrn=f"D-{diagnosis}")
    if product == "investigational":
        course = journey_services.open_course(
            patient=patient,
            by=staff.coordinator,
            diagnosis=diagnosis,
            product=product,
            target_antigens=["CD19", "CD22"],
            antigen_construct="bicistronic",
            investigational_product_name="Trial CAR-T",
            referred_on=date(2025, 12, 1),
            treating_physician=staff.physician,
            coordinator=staff.coordinator,
        )
    else:
        course = make_course(
            patient,
            staff,
            product=product,
            diagnosis=diagnosis,
            antigens=("BCMA",) if diagnosis == "multiple_myeloma" else ("CD19",),
            **extra,
        )
    course = walk_and_infuse(CourseWalker(course, staff))
    milestones = list(
        course.check_ins.exclude(kind__in=["vital_signs", "ice_capd", "labs", "crs_review"]).order_by("due_at")
    )
    labels = [m.label for m in milestones]
    assert f"Day +28: {scan}" in labels and f"Month 12: {scan}" in labels
    assert labels.count("Year 5: Response assessment") == 1
    # Every product here is genetically modified: CIBMTR's 15-year track, a yearly F4100 to year 15.
    assert [m.label for m in milestones if m.kind == "ltfu_contact"] == [
        f"Year {n}: Long-term follow-up contact (FDA) and CIBMTR F4100 (15-year track)" for n in range(6, 16)
    ]
    day_28 = next(m for m in milestones if m.label.startswith("Day +28: Response"))
    assert day_28.due_at == datetime(2026, 4, 13, 9, 0, tzinfo=LONDON)  # across the spring clock change
    assert milestones[-1].due_at.date() == date(2041, 3, 16)


def test_planning_twice_changes_nothing(infused):
    before = list(infused.check_ins.values_list("plan_key", "due_at", "status"))
    assert planning.plan_course(infused) == planning.PlanResult(created=0, moved=0, cancelled=0)
    assert list(infused.check_ins.values_list("plan_key", "due_at", "status")) == before


def test_correcting_the_infusion_time_moves_what_is_scheduled_and_keeps_what_is_done(infused, nurse, time_machine):
    vitals_at_14 = first(infused)
    time_machine.move_to(at(4) + timedelta(minutes=5), tick=False)
    bedside_services.record_vital_signs(course=infused, by=nurse, observed_at=at(4), **NORMAL)
    vitals_at_14.refresh_from_db()
    assert vitals_at_14.status == "completed"
    infusion = infused.infusions.get()
    result = journey_services.correct_infusion_time(
        infusion=infusion, by=nurse, infused_at=T0 - timedelta(days=1), reason="Entered on the wrong day"
    )
    assert result.moved > 0
    done = CheckIn.objects.get(pk=vitals_at_14.pk)
    assert (done.status, done.due_at) == ("completed", vitals_at_14.due_at)
    day_28 = infused.check_ins.get(plan_key="response_assessment:Day +28")
    assert day_28.due_at == datetime(2026, 4, 12, 9, 0, tzinfo=LONDON)  # one day earlier than before
    assert infusion.history.order_by("-history_id").first().history_change_reason.startswith("infusion time corrected")


def test_a_per_course_override_changes_the_interval(infused, coordinator):
    rule = infused.schedule.protocol.rules.get(kind="vital_signs", cadence="normal", every_hours=4)
    planning.override_rule(course=infused, rule=rule, by=coordinator, reason="Outpatient: twice daily", every_hours=12)
    hours = {c.due_at.astimezone(LONDON).hour for c in infused.check_ins.filter(kind="vital_signs", status="scheduled")}
    assert hours == {2, 14}


# --- Due, missed, escalation --------------------------------------------------------------------


def test_a_check_in_falls_due_when_its_window_opens_and_its_assignees_are_told(infused, time_machine):
    check_in = first(infused)  # vital signs at 14:00, window 13:30–15:00
    counts = dispatch.run_sweep(at(3.49))
    check_in.refresh_from_db()
    assert check_in.status == "scheduled" and counts["due"] == 0
    dispatch.run_sweep(at(3.5))
    check_in.refresh_from_db()
    assert check_in.status == "due"
    alert = check_in.alerts.get()
    assert (alert.kind, alert.escalates) == ("check_in_due", False)
    assert recipients(alert) == [("nurse", "in_app"), ("nurse2", "in_app")]


def test_a_missed_check_in_climbs_the_ladder_until_acknowledged(infused, nurse, time_machine):
    check_in = first(infused)
    dispatch.run_sweep(at(3.5))
    dispatch.run_sweep(at(5.01))  # window closed at 15:00
    check_in.refresh_from_db()
    assert check_in.status == "missed"
    assert check_in.alerts.get(kind="check_in_due").status == "resolved"
    missed = check_in.alerts.get(kind="check_in_missed")
    assert recipients(missed, 0) == [("nurse", "email"), ("nurse", "in_app"), ("nurse2", "email"), ("nurse2", "in_app")]
    dispatch.run_sweep(at(5.01) + timedelta(minutes=14))
    assert missed.notifications.filter(round=1).count() == 0  # not yet: 15 minutes per step
    dispatch.run_sweep(at(5.01) + timedelta(minutes=15))
    assert recipients(missed, 1) == [("charge", "email"), ("charge", "in_app")]
    dispatch.run_sweep(at(5.01) + timedelta(minutes=30))
    assert recipients(missed, 2) == [("oncall", "email"), ("oncall", "in_app")]
    dispatch.run_sweep(at(5.01) + timedelta(minutes=45))
    assert recipients(missed, 3) == [("oncall", "email"), ("oncall", "in_app")]  # the last step repeats
    time_machine.move_to(at(5.01) + timedelta(minutes=50), tick=False)
    alerts.acknowledge_alert(alert=missed, by=nurse, note="Patient was in radiology")
    dispatch.run_sweep(at(8))
    missed.refresh_from_db()
    assert missed.status == "acknowledged" and missed.round == 3
    assert missed.history.order_by("-history_id").first().history_user == nurse


def test_running_the_sweep_twice_notifies_once(infused):
    dispatch.run_sweep(at(5.01))
    before = Notification.objects.count()
    assert before > 0
    assert all(v == 0 for v in dispatch.run_sweep(at(5.01)).values())
    assert Notification.objects.count() == before


def test_snooze_pauses_the_ladder_with_a_reason_then_it_resumes(infused, nurse, time_machine):
    dispatch.run_sweep(at(5.01))
    missed = Alert.objects.get(kind="check_in_missed")
    time_machine.move_to(at(5.05), tick=False)
    with pytest.raises(ValidationError):
        alerts.snooze_alert(alert=missed, by=nurse, until=at(6), reason="")
    alerts.snooze_alert(alert=missed, by=nurse, until=at(6), reason="Patient asleep after a bad night")
    dispatch.run_sweep(at(5.9))
    assert missed.notifications.filter(round=1).count() == 0
    dispatch.run_sweep(at(6))
    missed.refresh_from_db()
    assert missed.status == "open" and missed.notifications.filter(round=1).exists()


def test_a_missed_milestone_goes_to_the_coordinator_then_the_physician_daily(infused, time_machine):
    scan = infused.check_ins.get(plan_key="remission_scan:Day +28")
    late = scan.window_closes_at + timedelta(minutes=1)
    dispatch.run_sweep(late)
    alert = scan.alerts.get(kind="check_in_missed")
    assert recipients(alert, 0) == [("coord", "email"), ("coord", "in_app")]
    dispatch.run_sweep(late + timedelta(hours=23))
    assert not alert.notifications.filter(round=1).exists()
    dispatch.run_sweep(late + timedelta(hours=24))
    assert recipients(alert, 1) == [("doc", "email"), ("doc", "in_app")]


# --- Threshold events and cadence ---------------------------------------------------------------


def test_fever_with_hypotension_alerts_the_physician_within_one_sweep_and_tightens_the_schedule(
    infused, nurse, time_machine
):
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(
        course=infused,
        by=nurse,
        observed_at=at(6),
        **{**NORMAL, "temperature_value": "38.9", "systolic_bp": 84, "diastolic_bp": 50},
    )
    dispatch.run_sweep(at(6))
    alert = Alert.objects.get(kind="threshold", threshold_event__kind="crs_grade_2_or_more")
    assert alert.urgency == "urgent"
    assert ("doc", "in_app") in recipients(alert) and ("doc", "sms") in recipients(alert)
    infused.schedule.refresh_from_db()
    assert infused.schedule.cadence == "tightened"
    upcoming = infused.check_ins.filter(status__in=["scheduled", "due"], due_at__lt=at(12)).order_by("due_at")
    vitals = upcoming.filter(kind="vital_signs")
    assert [c.due_at.astimezone(LONDON).hour for c in vitals] == [16, 18, 20]  # every 2 hours now
    assert {c.cadence for c in vitals} == {"tightened"}
    ice = upcoming.filter(kind="ice_capd")
    assert [c.due_at.astimezone(LONDON).hour for c in ice] == [16, 20]  # every 4 hours


def test_the_schedule_relaxes_after_24_hours_below_the_thresholds(infused, nurse, time_machine):
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(
        course=infused,
        by=nurse,
        observed_at=at(6),
        **{**NORMAL, "temperature_value": "38.9", "systolic_bp": 84, "diastolic_bp": 50},
    )
    dispatch.run_sweep(at(6))
    time_machine.move_to(at(8), tick=False)
    bedside_services.record_vital_signs(course=infused, by=nurse, observed_at=at(8), **NORMAL)
    bedside_services.record_neuro_assessment(course=infused, by=nurse, observed_at=at(8), **ice_with(10))
    time_machine.move_to(at(31.9), tick=False)
    dispatch.run_sweep(at(31.9))
    infused.schedule.refresh_from_db()
    assert infused.schedule.cadence == "tightened"  # 23.9 h below threshold
    time_machine.move_to(at(32), tick=False)
    dispatch.run_sweep(at(32))
    infused.schedule.refresh_from_db()
    assert infused.schedule.cadence == "normal"
    upcoming = infused.check_ins.filter(kind="vital_signs", status="scheduled").order_by("due_at")[:3]
    assert [c.due_at.astimezone(LONDON).hour for c in upcoming] == [22, 2, 6]


def test_a_threshold_event_is_processed_once_whether_by_task_or_sweep(
    infused, nurse, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(6), tick=False)
    with django_capture_on_commit_callbacks() as callbacks:
        recorded = bedside_services.record_vital_signs(
            course=infused, by=nurse, observed_at=at(6), **{**NORMAL, "temperature_value": "38.4"}
        )
    assert len(callbacks) == 1  # raise_threshold_alert enqueued after commit
    event = recorded.events[0]
    dispatch.raise_threshold_alerts(at(6), event_id=event.id)
    dispatch.run_sweep(at(6))
    assert Alert.objects.filter(threshold_event=event).count() == 1


# --- Completing check-ins -------------------------------------------------------------------------


def test_recording_vital_signs_in_the_window_completes_the_check_in(infused, nurse, time_machine):
    check_in = first(infused)
    dispatch.run_sweep(at(3.5))
    time_machine.move_to(at(4.1), tick=False)
    obs = bedside_services.record_vital_signs(course=infused, by=nurse, observed_at=at(4.1), **NORMAL).observation
    check_in.refresh_from_db()
    assert (check_in.status, check_in.vital_signs) == ("completed", obs)
    assert check_in.alerts.get().status == "resolved"


def test_vital_signs_after_the_window_complete_a_missed_check_in_late_and_stop_its_ladder(infused, nurse, time_machine):
    check_in = first(infused)
    dispatch.run_sweep(at(5.01))
    time_machine.move_to(at(5.3), tick=False)
    bedside_services.record_vital_signs(course=infused, by=nurse, observed_at=at(5.3), **NORMAL)
    check_in.refresh_from_db()
    assert check_in.status == "completed_late"
    assert check_in.alerts.get(kind="check_in_missed").status == "resolved"
    dispatch.run_sweep(at(6))
    assert not Notification.objects.filter(round=1).exists()


def test_a_check_in_can_be_completed_explicitly_with_a_note(infused, physician, time_machine):
    review = first(infused, "crs_review")
    time_machine.move_to(review.due_at, tick=False)
    with pytest.raises(ValidationError):
        completion.complete_check_in(check_in=review, by=physician, note=" ")
    done = completion.complete_check_in(check_in=review, by=physician, note="Reviewed: no CRS")
    assert (done.status, done.completed_by, done.completion_note) == ("completed", physician, "Reviewed: no CRS")


def test_closing_a_course_cancels_its_check_ins_and_alerts(infused, physician, time_machine):
    dispatch.run_sweep(at(5.01))
    time_machine.move_to(at(6), tick=False)
    journey_services.transition_course(
        course=infused, to=Stage.DIED, by=physician, note="Cardiac arrest", occurred_at=at(6)
    )
    assert not infused.check_ins.filter(status__in=["scheduled", "due"]).exists()
    assert not Alert.objects.filter(course=infused).unresolved().exists()
    assert dispatch.run_sweep(at(7))["escalated"] == 0


# --- Notifications ----------------------------------------------------------------------------------


def test_email_is_sent_through_django_and_marked_sent(infused, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dispatch.run_sweep(at(5.01))
    email = Notification.objects.filter(channel="email").first()
    delivery.deliver(email.id)
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1
    message = mail.outbox[0]
    assert message.subject == "[CAR-T] Check-in missed"
    assert "Vital signs was due at Mon 16 Mar 14:00" in message.body
    assert f"/courses/{infused.public_id}/" in message.body
    # Nothing identifying leaves the app by email or SMS: the link, behind sign-in, says who.
    assert "Lovelace" not in message.subject + message.body and "MRN001" not in message.body


class FlakySms(SmsBackend):
    def send(self, *, to, body):
        raise TransientDeliveryError("gateway timeout")


def test_a_transient_failure_is_kept_and_retried_then_the_final_failure_escalates_at_once(
    infused, nurse, settings, time_machine
):
    settings.SMS_BACKEND = "tests.schedule.test_scheduling.FlakySms"
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(
        course=infused,
        by=nurse,
        observed_at=at(6),
        **{**NORMAL, "temperature_value": "38.9", "systolic_bp": 84, "diastolic_bp": 50},
    )
    dispatch.run_sweep(at(6))
    sms = Notification.objects.filter(channel="sms", recipient__username="doc").first()
    with pytest.raises(TransientDeliveryError):
        delivery.deliver(sms.id)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("pending", 1, "gateway timeout")
    for other in sms.alert.notifications.filter(round=0).exclude(channel="in_app"):
        delivery.record_final_failure(other.id, TransientDeliveryError("gateway timeout"))
    sms.refresh_from_db()
    assert sms.status == "failed" and sms.failed_at is not None
    sms.alert.refresh_from_db()
    assert sms.alert.next_escalation_at == at(6)  # nobody reachable at this step: climb now


def test_a_recipient_without_a_phone_number_is_a_permanent_failure(infused, nurse, time_machine):
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(
        course=infused, by=nurse, observed_at=at(6), **{**NORMAL, "temperature_value": "38.4"}
    )
    dispatch.run_sweep(at(6))
    sms = Notification.objects.filter(channel="sms", recipient=nurse).get()
    delivery.deliver(sms.id)
    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == ("failed", "no mobile number on file")


def test_episodes_still_follow_recordings(infused, nurse, time_machine):
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(
        course=infused, by=nurse, observed_at=at(6), **{**NORMAL, "temperature_value": "38.4"}
    )
    assert ToxicityEpisode.objects.filter(course=infused).count() == 1


def test_a_threshold_event_older_than_the_relaxing_period_alerts_but_does_not_tighten(infused, nurse, time_machine):
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(
        course=infused,
        by=nurse,
        observed_at=at(6),
        **{**NORMAL, "temperature_value": "38.9", "systolic_bp": 84, "diastolic_bp": 50},
    )
    dispatch.run_sweep(at(6) + timedelta(hours=25))  # the dispatcher was down for a day
    assert Alert.objects.filter(kind="threshold").count() == 2
    infused.schedule.refresh_from_db()
    assert infused.schedule.cadence == "normal"


def test_planned_rounds_keep_their_local_clock_times_across_the_spring_change(walker, time_machine):
    # Infused on Friday 27 March 2026; the clocks go forward early on Sunday 29 March.
    infused_at = datetime(2026, 3, 27, 11, 0, tzinfo=LONDON)
    time_machine.move_to(infused_at + timedelta(minutes=10), tick=False)
    course = walk_and_infuse(walker, at=infused_at)
    time_machine.move_to(datetime(2026, 3, 28, 23, 0, tzinfo=LONDON), tick=False)
    planning.plan_course(course)
    vitals = course.check_ins.filter(kind="vital_signs", due_at__date__gte=date(2026, 3, 29)).order_by("due_at")[:6]
    assert [timezone_hours(c.due_at) for c in vitals] == [
        "02:00 BST",
        "06:00 BST",
        "10:00 BST",
        "14:00 BST",
        "18:00 BST",
        "22:00 BST",
    ]
    sunday_02 = vitals[0].due_at
    assert sunday_02.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def timezone_hours(moment):
    return moment.astimezone(LONDON).strftime("%H:%M %Z")


def test_changing_a_course_to_another_protocol_version_replans_it(infused, coordinator):
    from tracker.models import MonitoringProtocol, ProtocolRule

    old = infused.schedule.protocol
    new = MonitoringProtocol.objects.create(name=old.name, version=2, effective_from=date(2026, 3, 1), is_active=False)
    for rule in old.rules.all():
        rule.pk, rule.protocol = None, new
        if rule.kind == "vital_signs" and rule.every_hours == 4:
            rule.every_hours, rule.first_hour = 6, 0
        rule.save()
    result = planning.assign_protocol(course=infused, protocol=new, by=coordinator, reason="Site moved to q6h")
    assert result.cancelled > 0 and result.created > 0
    hours = {c.due_at.astimezone(LONDON).hour for c in infused.check_ins.filter(kind="vital_signs", status="scheduled")}
    assert hours == {0, 6, 12, 18}
    assert planning.plan_course(infused) == planning.PlanResult()  # and idempotent again
    assert ProtocolRule.objects.filter(protocol=new).count() == old.rules.count()


def test_an_email_queued_for_an_alert_acknowledged_meanwhile_is_not_sent(infused, nurse, settings, time_machine):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dispatch.run_sweep(at(5.01))
    missed = Alert.objects.get(kind="check_in_missed")
    time_machine.move_to(at(5.02), tick=False)
    alerts.acknowledge_alert(alert=missed, by=nurse)
    email = missed.notifications.filter(channel="email").first()
    delivery.deliver(email.id)
    email.refresh_from_db()
    assert email.status == "cancelled" and not mail.outbox


def test_in_app_notifications_are_delivered_when_written(infused):
    dispatch.run_sweep(at(5.01))
    assert set(Notification.objects.filter(channel="in_app").values_list("status", flat=True)) == {"sent"}
    assert set(Notification.objects.exclude(channel="in_app").values_list("status", flat=True)) == {"pending"}


def test_sweeps_have_their_own_queue_so_deliveries_cannot_starve_them():
    from tracker.celery import app

    assert app.amqp.router.route({}, "tracker.tasks.sweep")["queue"].name == "dispatch"
    assert app.amqp.router.route({}, "tracker.tasks.deliver_notification")["queue"].name == "celery"
    assert {q.name for q in app.conf.task_queues} == {"dispatch", "celery"}


def test_a_step_that_reaches_nobody_climbs_at_once(infused, coordinator, time_machine):
    from tracker.models import CareTeamMember

    CareTeamMember.objects.filter(course=infused, role="nurse").delete()  # no bedside nurse on the team
    dispatch.run_sweep(at(5.01))
    missed = Alert.objects.get(kind="check_in_missed")
    assert missed.level == 1 and recipients(missed, 0) == [("charge", "email"), ("charge", "in_app")]


def test_an_empty_ladder_falls_back_to_the_coordinator_and_physician(infused, on_call, charge_nurse):
    from tracker.models import CareTeamMember

    CareTeamMember.objects.filter(course=infused).delete()
    OnCallShift.objects.all().delete()
    for user in (on_call, charge_nurse):
        user.is_active = False
        user.save()
    infused.treating_physician.is_active = False
    infused.treating_physician.save()
    dispatch.run_sweep(at(5.01))
    missed = Alert.objects.get(kind="check_in_missed")
    assert {name for name, _ in recipients(missed, 0)} == {"coord"}


def test_a_failing_step_does_not_stop_the_others(infused, monkeypatch):
    def broken(now):
        raise RuntimeError("boom")

    monkeypatch.setattr(dispatch, "STEPS", [("broken", broken), *dispatch.STEPS[1:]])
    counts = dispatch.run_sweep(at(5.01))
    assert counts["broken"] is None and counts["missed"] == 1


def test_a_delivery_whose_worker_died_mid_send_is_handed_over_again(
    infused, time_machine, django_capture_on_commit_callbacks
):
    dispatch.run_sweep(at(5.01))
    email = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=email.pk).update(status="sending")  # the worker was killed while sending
    with django_capture_on_commit_callbacks() as callbacks:
        counts = dispatch.run_sweep(at(5.01) + dispatch.REDELIVER_AFTER + timedelta(minutes=1))
    email.refresh_from_db()
    assert counts["redelivered"] >= 1 and email.status == "pending" and callbacks


def test_the_infusion_time_is_corrected_through_the_page_with_a_reason(client, infused, nurse):
    client.force_login(nurse)
    url = reverse("correct_infusion_time", args=[infused.public_id])
    response = client.post(url, {"infused_at": "2026-03-15T10:00", "reason": "Wrong day entered"}, follow=True)
    assert "Infusion time corrected" in response.content.decode()
    assert infused.infusions.get().infused_at == datetime(2026, 3, 15, 10, 0, tzinfo=LONDON)


def test_the_infusion_time_cannot_move_after_recorded_observations(infused, nurse, time_machine):
    time_machine.move_to(at(6), tick=False)
    bedside_services.record_vital_signs(course=infused, by=nurse, observed_at=at(6), **NORMAL)
    time_machine.move_to(at(30), tick=False)
    with pytest.raises(ValidationError, match="1 bedside record"):
        journey_services.correct_infusion_time(
            infusion=infused.infusions.get(),
            by=nurse,
            infused_at=at(2) + timedelta(days=1) - timedelta(hours=12),
            reason="x",
        )
