"""What a course's schedule gets besides the protocol's own numbers: no gap longer than the
interval across a clock change (docs/clinical-rules.md §6.2), the baseline IgG before
lymphodepletion (§9.1), the F4100 of the course's CIBMTR track (§11.1), and bedside monitoring
as long as the label in force on day 0 asks (§6.1, §6.6).

The journey is walked with the clock: each step happens on its day, as a coordinator meets it."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.builders import CourseWalker
from tests.conftest import make_course, make_patient
from tracker.clinical import products
from tracker.core.clock import local_moment
from tracker.journey import services as journey_services
from tracker.models import Alert, CheckIn
from tracker.schedule.services import completion, dispatch, planning

LONDON = ZoneInfo("Europe/London")
BASELINE_KEY = "igg_level:Baseline, before lymphodepletion"


def on(day: date, time_machine, hour: int = 23):
    """Move the clock to late on ``day``, so that a step dated that day is not in the future."""
    time_machine.move_to(local_moment(day, hour), tick=False)


def walk_to_manufacturing(walker: CourseWalker, sent_on: date, time_machine):
    for step, day in [
        (walker.start_eligibility, sent_on - timedelta(days=15)),
        (walker.confirm_eligible, sent_on - timedelta(days=11)),
        (walker.collect_and_ship, sent_on),
    ]:
        on(day, time_machine)
        step(day)


def walk_to_infusion(walker: CourseWalker, infused_at: datetime, time_machine):
    """Eligibility 60 days before infusion, cells sent 45 days before, released 20 and received
    18 days before, lymphodepletion on days −5 to −3, each on its own day."""
    day_zero = infused_at.astimezone(LONDON).date()
    walk_to_manufacturing(walker, day_zero - timedelta(days=45), time_machine)
    on(day_zero - timedelta(days=18), time_machine)
    walker.release_and_receive(day_zero - timedelta(days=20), day_zero - timedelta(days=18))
    on(day_zero - timedelta(days=5), time_machine, hour=8)
    walker.lymphodeplete(day_zero - timedelta(days=5), day_zero - timedelta(days=3))
    time_machine.move_to(infused_at + timedelta(minutes=10), tick=False)
    walker.infuse(infused_at)
    return walker.course


def plan_through(course, start: datetime, hours: int, every: int = 6):
    """Re-plan every few hours, as the dispatcher extends the horizon."""
    for hour in range(0, hours + 1, every):
        planning.plan_course(course, now=start + timedelta(hours=hour))


def due_times(course, **filters) -> list[datetime]:
    return [c.due_at.astimezone(UTC) for c in course.check_ins.filter(**filters).order_by("due_at")]


def local(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%d %b %H:%M %Z")


# --- Clock changes (item 1) -----------------------------------------------------------------------


def test_a_course_infused_on_20_october_in_london_has_no_vital_signs_gap_over_4_hours(walker, time_machine):
    # The clocks go back on Sunday 25 October 2026 (day +5): 02:00 BST becomes 01:00 GMT.
    infused_at = datetime(2026, 10, 20, 10, 0, tzinfo=LONDON)
    course = walk_to_infusion(walker, infused_at, time_machine)
    plan_through(course, infused_at, hours=10 * 24, every=24)  # a 48-hour horizon each time
    four_hourly = due_times(course, kind="vital_signs", cadence="normal", rule__every_hours=4)
    assert local(four_hourly[-1]) == "29 Oct 22:00 GMT"  # day +9, the rule's last day
    elapsed = [b - a for a, b in zip([infused_at.astimezone(UTC), *four_hourly], four_hourly, strict=False)]
    assert max(elapsed) <= timedelta(hours=4)
    night = [local(t) for t in four_hourly if date(2026, 10, 24) <= t.date() <= date(2026, 10, 25)][5:9]
    assert night == ["24 Oct 22:00 BST", "25 Oct 01:00 GMT", "25 Oct 02:00 GMT", "25 Oct 06:00 GMT"]
    assert len(four_hourly) == len(set(four_hourly))


def test_tightened_vital_signs_have_no_gap_over_2_hours_across_the_autumn_change(walker, time_machine):
    infused_at = datetime(2026, 10, 20, 10, 0, tzinfo=LONDON)
    course = walk_to_infusion(walker, infused_at, time_machine)
    evening = datetime(2026, 10, 24, 18, 0, tzinfo=LONDON)
    planning.tighten(course, reason="CRS grade 2", now=evening)
    plan_through(course, evening, hours=24)
    two_hourly = [
        t
        for t in due_times(course, kind="vital_signs", cadence="tightened")
        if datetime(2026, 10, 24, 20, tzinfo=LONDON) <= t <= datetime(2026, 10, 25, 8, tzinfo=LONDON)
    ]
    hours = [(b - a) / timedelta(hours=1) for a, b in zip(two_hourly, two_hourly[1:], strict=False)]
    assert hours == [2, 2, 2, 1, 2, 2, 2]  # 20:00, 22:00, 00:00 BST, 01:00, 02:00, 04:00 ... GMT
    assert "25 Oct 01:00 GMT" in [local(t) for t in two_hourly]


# --- The baseline IgG (item 2) --------------------------------------------------------------------


def test_the_baseline_igg_is_planned_when_the_cells_are_sent_and_done_before_lymphodepletion(
    walker, coordinator, time_machine
):
    sent_on = date(2026, 2, 2)
    walk_to_manufacturing(walker, sent_on, time_machine)
    baseline = CheckIn.objects.get(course=walker.course, plan_key=BASELINE_KEY)
    assert baseline.label == "Baseline, before lymphodepletion: Serum IgG"
    assert (local(baseline.window_opens_at), local(baseline.due_at), local(baseline.window_closes_at)) == (
        "02 Feb 09:00 GMT",
        "16 Feb 09:00 GMT",
        "02 Mar 09:00 GMT",
    )
    assert (baseline.status, baseline.assignee_role) == ("scheduled", "coordinator")
    # The course page shows it among the next milestones, before anything else is planned.
    assert walker.course.check_ins.count() == 1
    on(date(2026, 2, 5), time_machine, hour=10)
    dispatch.run_sweep()
    baseline.refresh_from_db()
    assert baseline.status == "due"
    completion.complete_check_in(check_in=baseline, by=coordinator, note="IgG 820 mg/dL, drawn today")
    on(date(2026, 2, 24), time_machine)
    walker.release_and_receive(date(2026, 2, 20), date(2026, 2, 24))
    on(date(2026, 3, 2), time_machine, hour=8)
    walker.lymphodeplete(date(2026, 3, 2), date(2026, 3, 4))
    baseline.refresh_from_db()
    assert baseline.status == "completed"
    time_machine.move_to(datetime(2026, 3, 7, 10, 10, tzinfo=LONDON), tick=False)
    course = walker.course
    walker.infuse(datetime(2026, 3, 7, 10, 0, tzinfo=LONDON))
    baseline.refresh_from_db()
    assert baseline.status == "completed"
    igg = [c.label for c in course.check_ins.filter(kind="igg_level").order_by("due_at")]
    assert igg == ["Baseline, before lymphodepletion: Serum IgG"] + [f"Month {n}: Serum IgG" for n in (1, 2, 3, 6, 12)]


def test_a_baseline_igg_still_open_when_lymphodepletion_starts_is_missed_and_escalates(walker, time_machine):
    sent_on = date(2026, 2, 2)
    walk_to_manufacturing(walker, sent_on, time_machine)
    on(date(2026, 2, 12), time_machine)
    walker.release_and_receive(date(2026, 2, 10), date(2026, 2, 12))
    on(date(2026, 2, 13), time_machine, hour=8)
    walker.lymphodeplete(date(2026, 2, 13), date(2026, 2, 15))  # three days before the baseline's due time
    baseline = CheckIn.objects.get(course=walker.course, plan_key=BASELINE_KEY)
    assert local(baseline.window_closes_at) == local(baseline.due_at) == "13 Feb 00:00 GMT"
    dispatch.run_sweep()
    baseline.refresh_from_db()
    assert baseline.status == "missed"
    alert = Alert.objects.get(check_in=baseline)
    assert alert.title == "Missed: Baseline, before lymphodepletion: Serum IgG for Ada Lovelace"
    assert {n.recipient.username for n in alert.notifications.all()} == {"coord"}


def test_a_course_recorded_after_the_fact_gets_no_baseline_in_the_past(walker, time_machine):
    # The cells were sent two months ago: the baseline's window has closed, so it is not planned
    # (as no milestone is planned in the past).
    time_machine.move_to(datetime(2026, 4, 10, 12, 0, tzinfo=LONDON), tick=False)
    walker.start_eligibility(date(2026, 1, 5))
    walker.confirm_eligible(date(2026, 1, 9))
    walker.collect_and_ship(date(2026, 2, 2))
    assert not CheckIn.objects.filter(course=walker.course).exists()


# --- CIBMTR F4100 by track (item 3) ---------------------------------------------------------------


def test_a_product_not_genetically_modified_follows_the_standard_track(centre, staff, time_machine, monkeypatch):
    monkeypatch.setitem(
        products.PRODUCTS,
        "investigational",
        dataclasses.replace(products.PRODUCTS["investigational"], genetically_modified=False),
    )
    patient = make_patient(centre, staff.coordinator, mrn="STD-1")
    course = journey_services.open_course(
        patient=patient,
        by=staff.coordinator,
        diagnosis="lbcl",
        product="investigational",
        target_antigens=["CD19"],
        investigational_product_name="Non-viral CAR-T (trial)",
        referred_on=date(2025, 10, 1),
        treating_physician=staff.physician,
        coordinator=staff.coordinator,
    )
    course = walk_to_infusion(CourseWalker(course, staff), datetime(2026, 3, 16, 10, 0, tzinfo=LONDON), time_machine)
    yearly = [c.label for c in course.check_ins.filter(kind="ltfu_contact").order_by("due_at")]
    assert yearly == [
        f"Year {n}: Long-term follow-up contact and CIBMTR F4100 (standard track)"
        if n in (6, 8, 10, 12, 14)
        else f"Year {n}: Long-term follow-up contact (no CIBMTR form this year)"
        for n in range(6, 16)
    ]
    f4100 = [c.label for c in course.check_ins.filter(kind="follow_up_visit").order_by("due_at")]
    assert f4100[0] == "Day +100: Follow-up visit (CIBMTR F4100)" and len(f4100) == 7  # day 100 to year 5


def test_a_genetically_modified_product_gets_the_yearly_f4100_to_year_15(walker, time_machine):
    course = walk_to_infusion(walker, datetime(2026, 3, 16, 10, 0, tzinfo=LONDON), time_machine)
    assert products.cibmtr_track(course.product) == products.FIFTEEN_YEAR_TRACK
    yearly = course.check_ins.filter(kind="ltfu_contact").order_by("due_at")
    assert [c.label for c in yearly] == [
        f"Year {n}: Long-term follow-up contact (FDA) and CIBMTR F4100 (15-year track)" for n in range(6, 16)
    ]
    assert yearly.last().due_at == datetime(2041, 3, 16, 9, 0, tzinfo=LONDON)


# --- Monitoring as long as the label asks (item 7) -------------------------------------------------


def acute(course, kind: str, day_zero: date, days: range) -> list[str]:
    rows = course.check_ins.filter(kind=kind, cadence="normal").order_by("due_at")
    return [
        f"+{(c.due_at.astimezone(LONDON).date() - day_zero).days} {c.due_at.astimezone(LONDON):%H:%M}"
        for c in rows
        if (c.due_at.astimezone(LONDON).date() - day_zero).days in days
    ]


def test_a_course_under_the_rems_era_label_gets_28_days_of_bedside_monitoring(patient, staff, time_machine):
    course = make_course(patient, staff, referred_on=date(2025, 1, 6))
    infused_at = datetime(2025, 5, 1, 10, 0, tzinfo=LONDON)  # before 26 June 2025: monitor 4 weeks
    course = walk_to_infusion(CourseWalker(course, staff), infused_at, time_machine)
    plan_through(course, infused_at + timedelta(days=26), hours=48, every=12)
    day_zero = infused_at.date()
    # To day +28, up to the infusion's time of day (28 × 24 hours), and no further.
    assert acute(course, "vital_signs", day_zero, range(27, 30)) == ["+27 08:00", "+27 20:00", "+28 08:00"]
    assert acute(course, "ice_capd", day_zero, range(27, 30)) == ["+27 08:00", "+27 20:00", "+28 08:00"]
    assert acute(course, "crs_review", day_zero, range(27, 30)) == ["+27 09:00", "+28 09:00"]
    assert acute(course, "labs", day_zero, range(14, 30)) == []  # labs keep the protocol's two weeks


def test_a_course_infused_on_the_day_the_labels_changed_gets_two_weeks(patient, staff, time_machine):
    course = make_course(patient, staff, referred_on=date(2025, 3, 3))
    infused_at = datetime(2025, 6, 26, 10, 0, tzinfo=LONDON)
    course = walk_to_infusion(CourseWalker(course, staff), infused_at, time_machine)
    plan_through(course, infused_at + timedelta(days=12), hours=72, every=12)
    day_zero = infused_at.date()
    # Day +13 (the rule's to_day), then day +14 up to 10:00: 14 × 24 hours after infusion.
    assert acute(course, "vital_signs", day_zero, range(13, 17)) == ["+13 08:00", "+13 20:00", "+14 08:00"]
    assert acute(course, "crs_review", day_zero, range(13, 17)) == ["+13 09:00", "+14 09:00"]
    assert planning.label_monitoring_end(course) == infused_at + timedelta(days=14)


def test_a_course_infused_the_evening_before_the_change_keeps_the_rems_era_label(patient, staff, time_machine):
    course = make_course(patient, staff, referred_on=date(2025, 3, 3))
    infused_at = datetime(2025, 6, 25, 22, 30, tzinfo=LONDON)
    course = walk_to_infusion(CourseWalker(course, staff), infused_at, time_machine)
    assert planning.label_monitoring_end(course) == infused_at + timedelta(days=28)


def test_a_per_course_end_day_set_by_a_physician_is_kept(walker, coordinator, time_machine):
    infused_at = datetime(2026, 3, 16, 10, 0, tzinfo=LONDON)
    course = walk_to_infusion(walker, infused_at, time_machine)
    rule = course.schedule.protocol.rules.get(kind="crs_review")
    planning.override_rule(course=course, rule=rule, by=coordinator, reason="Reviewed in clinic from day 10", to_day=9)
    plan_through(course, infused_at + timedelta(days=8), hours=72, every=12)
    assert acute(course, "crs_review", infused_at.date(), range(9, 16)) == ["+9 09:00"]


@pytest.mark.parametrize("product", ["obe_cel", "investigational"])
def test_a_product_without_label_data_is_monitored_as_long_as_the_most_cautious_label(
    centre, staff, time_machine, product
):
    patient = make_patient(centre, staff.coordinator, mrn=f"NL-{product}")
    extra = {"investigational_product_name": "Trial CAR-T"} if product == "investigational" else {}
    course = journey_services.open_course(
        patient=patient,
        by=staff.coordinator,
        diagnosis="b_all",
        product=product,
        target_antigens=["CD19"],
        referred_on=date(2025, 1, 6),
        treating_physician=staff.physician,
        coordinator=staff.coordinator,
        **extra,
    )
    infused_at = datetime(2025, 5, 1, 10, 0, tzinfo=LONDON)  # the REMS-era labels were in force
    course = walk_to_infusion(CourseWalker(course, staff), infused_at, time_machine)
    assert planning.label_monitoring_end(course) == infused_at + timedelta(days=28)
