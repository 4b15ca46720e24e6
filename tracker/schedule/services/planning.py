"""Planning check-ins from the protocol (docs/clinical-rules.md §6.1, §6.2).

The schedule lives in the database: ``plan_course`` turns the course's protocol (its rules,
the per-course overrides, and the current cadence) into ``CheckIn`` rows, each identified by a
``plan_key``. Planning is idempotent: running it twice changes nothing; re-running it after
the infusion time or the protocol changed moves or cancels the rows that are still only
scheduled, and never touches a check-in that is due, missed or done. High-frequency check-ins
are planned on a rolling horizon (the dispatcher extends it); milestones in full, to 15 years.

Three things besides the protocol's own numbers decide what a course gets:

- **What is due before lymphodepletion** (the baseline IgG, §9.1) is planned from the day the
  cells are sent for manufacturing, while the course is in manufacturing or bridging, and closes
  when lymphodepletion starts (``close_before_lymphodepletion``).
- **The label's monitoring period** (§6.6): a rule marked to follow it runs until that period
  ends, counted from the infusion moment, also past its ``to_day`` (28 days under the REMS-era
  labels). A per-course override of the end day is a physician's decision and is kept.
- **The CIBMTR reporting track** (§11.1): rules for one track apply to courses whose product is
  on it (genetically modified products on the 15-year track).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from tracker.clinical import days, labels
from tracker.clinical.products import cibmtr_track
from tracker.clinical.stages import POST_INFUSION_STAGES, Stage
from tracker.core.audit import record_bulk_history, save_audited
from tracker.core.clock import as_utc, centre_tz
from tracker.core.errors import Refusal
from tracker.models import (
    Alert,
    Cadence,
    CheckIn,
    CourseRuleOverride,
    CourseSchedule,
    MonitoringProtocol,
    ProductLabelCondition,
    ProtocolRule,
    TreatmentCourse,
)

# Courses are planned from infusion on (docs/clinical-rules.md §6.1); what is due before
# lymphodepletion, from the day the cells are sent for manufacturing (§9.1).
PLANNED_STAGES = POST_INFUSION_STAGES
BEFORE_LYMPHODEPLETION_STAGES = frozenset({Stage.MANUFACTURING, Stage.BRIDGING})
# A slot at the very moment the label's monitoring period ends still belongs to it.
AT_THE_END = timedelta(seconds=1)


def active_protocol_for(course: TreatmentCourse) -> MonitoringProtocol | None:
    """The newest active protocol for the course's product, else the newest active default."""
    active = MonitoringProtocol.objects.filter(is_active=True).order_by("-effective_from", "-version")
    return active.filter(product=course.product).first() or active.filter(product="").first()


def protocol_for(course: TreatmentCourse) -> MonitoringProtocol:
    protocol = active_protocol_for(course)
    if protocol is None:
        raise Refusal("No active monitoring protocol: add one in the admin.")
    return protocol


@dataclass(frozen=True)
class Slot:
    plan_key: str
    rule: ProtocolRule
    label: str
    due_at: datetime
    window_opens_at: datetime
    window_closes_at: datetime

    def fields(self) -> dict:
        return {
            "rule": self.rule,
            "kind": self.rule.kind,
            "label": self.label,
            "cadence": self.rule.cadence,
            "due_at": self.due_at,
            "window_opens_at": self.window_opens_at,
            "window_closes_at": self.window_closes_at,
            "assignee_role": self.rule.assignee_role,
        }


class RuleInForce(NamedTuple):
    rule: ProtocolRule
    every_hours: int | None
    to_day: int
    to_day_overridden: bool


def _rules_in_force(course: TreatmentCourse, state: CourseSchedule) -> list[RuleInForce]:
    """The course's rules (its diagnosis, its product's CIBMTR track) after per-course
    overrides; tightened rules replace the normal rules of their kind while the cadence is
    tightened."""
    track = cibmtr_track(course.product)
    rules = [r for r in state.protocol.rules.all() if r.applies_to(course.diagnosis, track)]
    if state.cadence == Cadence.TIGHTENED:
        tightened_kinds = {r.kind for r in rules if r.cadence == Cadence.TIGHTENED}
        rules = [r for r in rules if r.cadence == Cadence.TIGHTENED or r.kind not in tightened_kinds]
    else:
        rules = [r for r in rules if r.cadence == Cadence.NORMAL]
    overrides = {o.rule_id: o for o in CourseRuleOverride.objects.filter(course=course)}
    in_force = []
    for rule in rules:
        override = overrides.get(rule.id)
        if override and override.disabled:
            continue
        every = override.every_hours if override and override.every_hours else rule.every_hours
        overridden = bool(override and override.to_day is not None)
        to_day = override.to_day if overridden else rule.to_day
        in_force.append(RuleInForce(rule, every, to_day, overridden))
    return in_force


def label_monitoring_end(course: TreatmentCourse) -> datetime | None:
    """When the label's monitoring period ends for this course: N full days after the first
    infusion, N from the label version in force on day 0 (docs/clinical-rules.md §6.6)."""
    if course.day_zero is None:
        return None
    terms = ProductLabelCondition.terms_for(course.product, course.day_zero)
    return labels.periods(terms, course.first_infusion_at, centre_tz()).monitoring_until if terms else None


def _manufacturing_day(course: TreatmentCourse):
    """The local date the cells were (last) sent for manufacturing: what is due before
    lymphodepletion counts from it. None unless the course is before lymphodepletion now."""
    if course.stage_enum not in BEFORE_LYMPHODEPLETION_STAGES:
        return None
    sent = (
        course.stage_events.filter(to_stage=Stage.MANUFACTURING)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return days.local_date(sent, centre_tz()) if sent else None


def desired_slots(course: TreatmentCourse, state: CourseSchedule, now: datetime) -> list[Slot]:
    """Every check-in the protocol wants whose window has not closed yet: interval slots up to
    the horizon, milestones to the last one."""
    tz, day_zero, infused_at = centre_tz(), course.day_zero, course.first_infusion_at
    horizon_end = now + timedelta(hours=state.protocol.horizon_hours)
    counted_from = {
        ProtocolRule.CountedFrom.INFUSION: day_zero,
        ProtocolRule.CountedFrom.MANUFACTURING: _manufacturing_day(course),
    }
    label_end = label_monitoring_end(course)
    slots = []
    for rule, every, to_day, to_day_overridden in _rules_in_force(course, state):
        before = timedelta(minutes=rule.window_before_minutes)
        grace = timedelta(minutes=rule.window_after_minutes)
        if rule.schedule_type == ProtocolRule.ScheduleType.INTERVAL:
            if day_zero is None:
                continue
            until = horizon_end
            if rule.extends_to_label_monitoring and label_end and not to_day_overridden:
                # The label asks for monitoring to a moment, not to a day: on past to_day to the
                # day that moment falls on, and no later than it (§6.6).
                label_last_day = days.day_number(day_zero, days.local_date(label_end, tz))
                if label_last_day > to_day:
                    to_day, until = label_last_day, min(horizon_end, label_end + AT_THE_END)
            times = days.interval_slots(
                day_zero=day_zero,
                tz=tz,
                every_hours=every,
                first_hour=rule.first_hour,
                from_day=rule.from_day,
                to_day=to_day,
                after=max(infused_at, now - grace),
                until=until,
            )
            for local_due in times:
                # Windows are elapsed time, so they are computed in UTC: 30 minutes before
                # 02:00 BST on the night the clocks go forward is 00:30 GMT, not a wall-clock
                # 01:30 that never happens. Keyed by kind and UTC instant: a slot shared by the
                # normal and the tightened cadence (08:00 in both) is the same check-in.
                due = local_due.astimezone(UTC)
                key = f"{rule.kind}@{due:%Y%m%dT%H%MZ}"
                slots.append(Slot(key, rule, rule.title, due, due - before, due + grace))
        else:
            anchor = counted_from.get(rule.counted_from)
            if anchor is None:
                continue
            for milestone in rule.milestones:
                offsets = {k: milestone[k] for k in ("days", "months", "years") if k in milestone}
                local_due = days.local_moment_on(days.milestone_date(anchor, **offsets), rule.due_time, tz)
                due = local_due.astimezone(UTC)
                if due + grace <= now:
                    continue
                key = f"{rule.kind}:{milestone['label']}"
                slots.append(Slot(key, rule, f"{milestone['label']}: {rule.title}", due, due - before, due + grace))
    return slots


@dataclass
class PlanResult:
    created: int = 0
    moved: int = 0
    cancelled: int = 0


def _schedule_for(course: TreatmentCourse) -> CourseSchedule:
    """The course's schedule state, created with its protocol on first use, locked so that
    one planner at a time works on a course."""
    if not CourseSchedule.objects.filter(course=course).exists():
        CourseSchedule.objects.get_or_create(course=course, defaults={"protocol": protocol_for(course)})
    return CourseSchedule.objects.select_for_update(of=("self",)).select_related("protocol").get(course=course)


@transaction.atomic
def plan_course(course: TreatmentCourse, *, now: datetime | None = None) -> PlanResult:
    """Bring the course's scheduled check-ins in line with its protocol and cadence."""
    now = as_utc(now or timezone.now())
    course = TreatmentCourse.objects.with_journey_dates().get(pk=course.pk)
    state = _schedule_for(course)  # locked: one planner per course at a time
    result = PlanResult()
    if course.day_zero is None and course.stage_enum not in BEFORE_LYMPHODEPLETION_STAGES:
        return result
    if course.stage_enum not in PLANNED_STAGES | BEFORE_LYMPHODEPLETION_STAGES:
        result.cancelled = cancel_open_check_ins(course, reason=f"course {course.stage_enum.label.lower()}", now=now)
        return result
    desired = {slot.plan_key: slot for slot in desired_slots(course, state, now)}
    # Lock the rows this plan may move: a sweep marking one due, or a nurse completing it, must
    # not be overwritten by a re-plan that read it a moment earlier.
    existing = {
        row.plan_key: row for row in course.check_ins.select_for_update(of=("self",)).filter(plan_key__in=desired)
    }
    new_rows, moved_ids = [], []
    for key, slot in desired.items():
        row = existing.get(key)
        if row is None:
            new_rows.append(CheckIn(course=course, plan_key=key, **slot.fields()))
            continue
        if row.status not in (CheckIn.Status.SCHEDULED, CheckIn.Status.CANCELLED):
            continue  # due, missed or done: never touched
        changed = {name: value for name, value in slot.fields().items() if getattr(row, name) != value}
        if changed or row.status == CheckIn.Status.CANCELLED:
            changed |= {"status": CheckIn.Status.SCHEDULED, "cancelled_at": None, "cancel_reason": ""}
            # Conditional: only a row still scheduled or cancelled is moved (compare-and-set).
            moved = CheckIn.objects.filter(
                pk=row.pk, status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.CANCELLED]
            ).update(**changed)
            if moved:
                moved_ids.append(row.pk)
            result.moved += moved
    created = CheckIn.objects.bulk_create(new_rows)
    result.created = len(new_rows)
    # Bulk writes bypass simple-history: their history rows are written here.
    if created and any(row.pk is None for row in created):
        created = list(course.check_ins.filter(plan_key__in=[row.plan_key for row in new_rows]))
    record_bulk_history(CheckIn, created, reason="planned", created=True)
    if moved_ids:
        record_bulk_history(CheckIn, CheckIn.objects.filter(pk__in=moved_ids), reason="re-planned: moved")
    # Scheduled check-ins the plan no longer wants (a moved infusion, a relaxed cadence).
    stale = course.check_ins.filter(status=CheckIn.Status.SCHEDULED, window_closes_at__gt=now).exclude(
        plan_key__in=desired
    )
    stale_ids = list(stale.values_list("pk", flat=True))
    result.cancelled = CheckIn.objects.filter(pk__in=stale_ids, status=CheckIn.Status.SCHEDULED).update(
        status=CheckIn.Status.CANCELLED, cancelled_at=now, cancel_reason="re-planned"
    )
    if stale_ids:
        record_bulk_history(CheckIn, CheckIn.objects.filter(pk__in=stale_ids), reason="re-planned: cancelled")
    state.planned_until = now + timedelta(hours=state.protocol.horizon_hours)
    state.replanned_at = now
    state.save(update_fields=["planned_until", "replanned_at"])
    return result


def plan_before_lymphodepletion(course: TreatmentCourse) -> PlanResult:
    """The cells have been sent for manufacturing: plan what is due before lymphodepletion (the
    baseline IgG, docs/clinical-rules.md §9.1). Without an active protocol there is nothing to
    plan yet, and the journey goes on (infusion will refuse until a protocol exists)."""
    if not CourseSchedule.objects.filter(course=course).exists() and active_protocol_for(course) is None:
        return PlanResult()
    return plan_course(course)


@transaction.atomic
def close_before_lymphodepletion(course: TreatmentCourse, *, at: datetime) -> int:
    """Lymphodepletion started at ``at``: what was due before it and is still open closes then
    (window and due time no later than ``at``), so the next sweep marks it missed and the ladder
    tells the coordinator. It can still be completed late, with a note."""
    rows = course.check_ins.select_for_update().filter(
        status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE],
        rule__counted_from=ProtocolRule.CountedFrom.MANUFACTURING,
        window_closes_at__gt=at,
    )
    closed_ids = []
    for row in rows:
        closes_at = max(row.window_opens_at, as_utc(at))
        if CheckIn.objects.filter(pk=row.pk, status=row.status).update(
            due_at=min(row.due_at, closes_at), window_closes_at=closes_at
        ):
            closed_ids.append(row.pk)
    record_bulk_history(CheckIn, CheckIn.objects.filter(pk__in=closed_ids), reason="closed: lymphodepletion started")
    return len(closed_ids)


def cancel_open_check_ins(course: TreatmentCourse, *, reason: str, now: datetime) -> int:
    """When a course closes (death, withdrawal) nothing more is due, and its alerts stop."""
    open_ids = list(
        course.check_ins.filter(status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE]).values_list("pk", flat=True)
    )
    cancelled = CheckIn.objects.filter(pk__in=open_ids).update(
        status=CheckIn.Status.CANCELLED, cancelled_at=now, cancel_reason=reason
    )
    record_bulk_history(CheckIn, CheckIn.objects.filter(pk__in=open_ids), reason=f"course closed: {reason}")
    Alert.objects.filter(course=course).unresolved().update(
        status=Alert.Status.RESOLVED, resolved_at=now, resolution=reason, next_escalation_at=None
    )
    return cancelled


# --- Cadence -----------------------------------------------------------------------------------


@transaction.atomic
def tighten(course: TreatmentCourse, *, reason: str, now: datetime | None = None) -> bool:
    """Switch to the tightened cadence (e.g. vitals every 2 h, ICE every 4 h) and re-plan."""
    now = as_utc(now or timezone.now())
    state = _schedule_for(course)
    if state.cadence == Cadence.TIGHTENED:
        return False
    state.cadence, state.tightened_at, state.tightened_reason = Cadence.TIGHTENED, now, reason[:300]
    save_audited(state, by=None, reason=f"tightened: {reason}"[:300])
    plan_course(course, now=now)
    return True


def calm_since(course: TreatmentCourse, state: CourseSchedule) -> datetime | None:
    """Since when every assessment has been below the tightening thresholds: the first
    assessment after the last one at or above them. None while the latest is still high."""
    protocol = state.protocol
    vitals, neuro = course.vital_signs.current(), course.neuro_assessments.current()
    highs = [
        vitals.filter(grade__gte=protocol.tighten_crs_grade).aggregate(t=Max("observed_at"))["t"],
        neuro.filter(grade__gte=protocol.tighten_icans_grade).aggregate(t=Max("observed_at"))["t"],
    ]
    last_high = max((t for t in highs if t), default=None)
    if last_high is None:
        return state.tightened_at  # nothing high on record any more (e.g. it was amended)
    lows = [
        vitals.filter(observed_at__gt=last_high).aggregate(t=Min("observed_at"))["t"],
        neuro.filter(observed_at__gt=last_high).aggregate(t=Min("observed_at"))["t"],
    ]
    return min((t for t in lows if t), default=None)


@transaction.atomic
def relax_if_calm(course: TreatmentCourse, *, now: datetime | None = None) -> bool:
    """Back to the protocol's normal cadence once the grades have stayed below the thresholds
    for the protocol's ``relax_after_hours``."""
    now = as_utc(now or timezone.now())
    state = _schedule_for(course)
    if state.cadence != Cadence.TIGHTENED:
        return False
    since = calm_since(course, state)
    if since is None or now - since < timedelta(hours=state.protocol.relax_after_hours):
        return False
    state.cadence = Cadence.NORMAL
    save_audited(state, by=None, reason=f"relaxed: below thresholds since {since:%Y-%m-%d %H:%M}")
    plan_course(course, now=now)
    return True


# --- Changes that re-plan ------------------------------------------------------------------------


@transaction.atomic
def assign_protocol(*, course: TreatmentCourse, protocol: MonitoringProtocol, by, reason: str) -> PlanResult:
    if not by.has_perm("tracker.change_stage"):
        raise PermissionDenied("You do not have permission to change a course's protocol.")
    state = _schedule_for(course)
    state.protocol = protocol
    save_audited(state, by=by, reason=f"protocol {protocol}: {reason}")
    return plan_course(course)


@transaction.atomic
def override_rule(*, course, rule: ProtocolRule, by, reason: str, every_hours=None, to_day=None, disabled=False):
    """Change one rule for one course (a different interval or end day, or switch it off)."""
    if not by.has_perm("tracker.change_stage"):
        raise PermissionDenied("You do not have permission to change a course's schedule.")
    if not reason.strip():
        raise Refusal("say why this course's schedule differs from the protocol.", field="reason")
    if every_hours is not None and every_hours not in days.ALLOWED_INTERVAL_HOURS:
        allowed = ", ".join(map(str, days.ALLOWED_INTERVAL_HOURS))
        raise Refusal(f"one of {allowed} hours.", field="every_hours")
    override = CourseRuleOverride.objects.filter(course=course, rule=rule).first() or CourseRuleOverride(
        course=course, rule=rule, created_by=by
    )
    override.every_hours, override.to_day, override.disabled, override.reason = every_hours, to_day, disabled, reason
    save_audited(override, by=by, reason=reason)
    return plan_course(course)
