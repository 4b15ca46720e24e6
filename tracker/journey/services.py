"""Writes along the treatment journey: patients, courses, the stage records, and stage moves.

Each service is one transaction: it checks permission and the journey rules
(docs/clinical-rules.md §2), writes the rows with an audit entry naming the user, and records
the stage event. A refusal raises ``Refusal`` before anything is saved, or rolls the
transaction back.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tracker.bedside.services.episodes import rebuild_episodes
from tracker.clinical import stages
from tracker.clinical.products import ANTIGENS, PRODUCTS
from tracker.clinical.stages import RunStatus, Stage, TransitionRequest
from tracker.core import roles
from tracker.core.audit import create_audited, save_audited
from tracker.core.clock import as_utc, local_date, start_of_local_day
from tracker.core.errors import Refusal
from tracker.core.guards import check_not_future, lock, require_perm, require_stage
from tracker.journey.selectors import journey_facts
from tracker.models import (
    BridgingTherapy,
    CareTeamMember,
    CollectionBag,
    EligibilityAssessment,
    Infusion,
    Leukapheresis,
    Lymphodepletion,
    ManufacturingRun,
    Patient,
    ProductBag,
    StageEvent,
    TargetAntigen,
    TreatmentCourse,
)
from tracker.schedule.services import planning
from tracker.schedule.services.planning import PlanResult


def _moment_of_day(course: TreatmentCourse, day: date) -> datetime:
    """When a move recorded by date alone (bridging started on, LD started on) happened: the
    start of that local day, or just after the previous move if that was on the same day."""
    moment = start_of_local_day(day)
    last = course.stage_events.order_by("-occurred_at", "-id").first()
    if last and local_date(last.occurred_at) == day and last.occurred_at > moment:
        return last.occurred_at
    return moment


def sync_target_antigens() -> None:
    """Reference data kept in code (clinical.products.ANTIGENS), synced after every migrate."""
    for code, name in ANTIGENS:
        TargetAntigen.objects.update_or_create(code=code, defaults={"name": name})


# --- Patients and courses ---------------------------------------------------------------


@transaction.atomic
def register_patient(*, by, **fields) -> Patient:
    require_perm(by, "tracker.add_patient", "register patients")
    return create_audited(Patient, by=by, reason="registered", **fields)


@transaction.atomic
def open_course(
    *,
    patient: Patient,
    by,
    diagnosis: str,
    product: str,
    target_antigens: list[str],
    referred_on: date,
    treating_physician,
    coordinator,
    antigen_construct: str = TreatmentCourse.AntigenConstruct.SINGLE,
    **fields,
) -> TreatmentCourse:
    """Open a CAR-T course at referral. A patient's second course gets sequence 2 (CIBMTR: a
    subsequent cellular therapy restarts the form sequence, docs/clinical-rules.md §11.1)."""
    require_perm(by, "tracker.add_treatmentcourse", "open treatment courses")
    now = timezone.now()
    check_not_future(referred_on, "referred_on", now)
    antigens = list(TargetAntigen.objects.filter(code__in=target_antigens))
    unknown = set(target_antigens) - {a.code for a in antigens}
    if unknown or not antigens:
        known = ", ".join(TargetAntigen.objects.values_list("code", flat=True))
        raise Refusal(f"choose one or more of {known}; unknown: {sorted(unknown)}", field="target_antigens")
    if antigen_construct == TreatmentCourse.AntigenConstruct.SINGLE and len(antigens) != 1:
        raise Refusal("a single-target construct has exactly one antigen.", field="antigen_construct")
    if antigen_construct != TreatmentCourse.AntigenConstruct.SINGLE and len(antigens) < 2:
        raise Refusal("a combination construct needs two or more antigens.", field="target_antigens")
    if product == "investigational" and not fields.get("investigational_product_name", "").strip():
        raise Refusal("name the investigational product.", field="investigational_product_name")
    sequence = (patient.courses.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    course = create_audited(
        TreatmentCourse,
        by=by,
        reason="referral",
        patient=patient,
        sequence=sequence,
        diagnosis=diagnosis,
        product=product,
        antigen_construct=antigen_construct,
        referred_on=referred_on,
        treating_physician=treating_physician,
        coordinator=coordinator,
        stage=Stage.REFERRAL,
        stage_entered_at=start_of_local_day(referred_on),
        **fields,
    )
    course.target_antigens.set(antigens)
    StageEvent.objects.create(
        course=course,
        from_stage="",
        to_stage=Stage.REFERRAL,
        occurred_at=start_of_local_day(referred_on),
        by=by,
        note="Referred",
    )
    return course


@transaction.atomic
def refer_new_patient(*, by, patient_fields: dict, course_fields: dict, care_team=()) -> TreatmentCourse:
    """Register a patient and open their first course at referral with its care team
    (``(user, role)`` pairs), together or not at all."""
    patient = register_patient(by=by, **patient_fields)
    course = open_course(patient=patient, by=by, coordinator=by, **course_fields)
    for user, role in care_team:
        add_care_team_member(course=course, user=user, role=role, by=by)
    return course


@transaction.atomic
def add_care_team_member(*, course: TreatmentCourse, user, role: str, by) -> CareTeamMember:
    require_perm(by, "tracker.add_careteammember", "change care teams")
    profile = getattr(user, "staff_profile", None) if roles.is_staff_role(user) else None
    if profile is None or profile.centre_id != course.patient.centre_id:
        raise Refusal("a care team member is a staff member of the patient's centre.", field="user")
    member = CareTeamMember.objects.filter(course=course, user=user).first()
    return member or create_audited(CareTeamMember, by=by, course=course, user=user, role=role)


@transaction.atomic
def remove_care_team_member(*, member: CareTeamMember, by, reason: str) -> None:
    """Take a staff member off a course's care team: they stop seeing the patient (unless their
    role sees the whole centre) and stop getting the course's alerts. The history keeps who was
    on the team, who removed them, when and why."""
    require_perm(by, "tracker.add_careteammember", "change care teams")
    if not reason.strip():
        raise Refusal("say why this member leaves the care team.", field="reason", code="required")
    member = CareTeamMember.objects.select_for_update().filter(pk=member.pk).first()
    if member is None:
        raise Refusal("this member has already been removed from the care team.", code="conflict")
    member._history_user = by
    member._change_reason = reason.strip()
    member.delete()


# --- Stage moves --------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    target: Stage
    note: str = ""
    override_reason: str = ""


def _apply_move(course: TreatmentCourse, move: Move, *, by, occurred_at: datetime) -> StageEvent:
    """Check one move against the rules and record it. The caller holds the course lock."""
    last = course.stage_events.order_by("-occurred_at", "-id").first()
    if last and occurred_at < last.occurred_at:
        raise Refusal(
            f"This move is dated {timezone.localtime(occurred_at):%Y-%m-%d %H:%M}, before the course entered "
            f"{Stage(last.to_stage).label} ({timezone.localtime(last.occurred_at):%Y-%m-%d %H:%M})."
        )
    facts = journey_facts(course, on=local_date(occurred_at))
    request = TransitionRequest(
        target=move.target,
        note=move.note,
        override_reason=move.override_reason,
        actor_may_override=by.has_perm("tracker.override_release"),
    )
    problems = stages.transition_problems(facts, request)
    if problems:
        raise Refusal(problems)
    event = StageEvent.objects.create(
        course=course,
        from_stage=course.stage,
        to_stage=move.target,
        occurred_at=occurred_at,
        by=by,
        note=move.note,
        override_reason=move.override_reason,
    )
    course.stage = move.target
    course.stage_entered_at = occurred_at
    save_audited(course, by=by, reason=f"stage: {Stage(event.from_stage).label} → {move.target.label}")
    if move.target.is_closing:
        planning.cancel_open_check_ins(course, reason=f"course {move.target.label.lower()}", now=timezone.now())
    if move.target == Stage.MANUFACTURING:
        planning.plan_before_lymphodepletion(course)  # the baseline IgG (docs/clinical-rules.md §9.1)
    if move.target == Stage.DIED:
        patient = course.patient
        patient.died_on = local_date(occurred_at)
        save_audited(patient, by=by, reason=f"died: {move.note}")
    return event


@transaction.atomic
def transition_course(
    *,
    course: TreatmentCourse,
    to: Stage | str,
    by,
    note: str = "",
    override_reason: str = "",
    occurred_at: datetime | None = None,
) -> StageEvent:
    """Move a course to another stage if the journey rules allow it (stages.ALLOWED_TRANSITIONS)."""
    require_perm(by, "tracker.change_stage", "move courses between stages")
    now = timezone.now()
    occurred_at = occurred_at or now
    check_not_future(occurred_at, "occurred_at", now)
    course = lock(course)
    try:
        target = Stage(to)
    except ValueError:
        raise Refusal(f"{to!r} is not a stage; choose one of {', '.join(Stage)}.", field="to") from None
    return _apply_move(course, Move(target, note, override_reason), by=by, occurred_at=occurred_at)


# --- Stage records ------------------------------------------------------------------------


@transaction.atomic
def record_eligibility(*, course: TreatmentCourse, by, **fields) -> EligibilityAssessment:
    require_perm(by, "tracker.add_eligibilityassessment", "record eligibility")
    course = lock(course)
    require_stage(course, {Stage.REFERRAL, Stage.ELIGIBILITY}, "Eligibility")
    check_not_future(fields["assessed_on"], "assessed_on", timezone.now())
    if fields.get("eligible") and not fields.get("consent_signed_on"):
        raise Refusal("an eligible patient needs the date consent was signed.", field="consent_signed_on")
    return create_audited(EligibilityAssessment, by=by, course=course, assessed_by=by, **fields)


@transaction.atomic
def record_collection(
    *, course: TreatmentCourse, by, collected_on: date, site: str, bag_identifiers: list[str], **fields
) -> Leukapheresis:
    """A leukapheresis session and its bags (docs/clinical-rules.md §2.3)."""
    require_perm(by, "tracker.add_leukapheresis", "record collections")
    course = lock(course)
    require_stage(course, {Stage.COLLECTION}, "A collection")
    check_not_future(collected_on, "collected_on", timezone.now())
    bags = [b.strip() for b in bag_identifiers if b.strip()]
    if not bags:
        raise Refusal("give at least one bag identifier.", field="bag_identifiers")
    if len(set(bags)) != len(bags):
        raise Refusal("each bag identifier must be different.", field="bag_identifiers")
    taken = list(CollectionBag.objects.filter(bag_identifier__in=bags).values_list("bag_identifier", flat=True))
    if taken:
        raise Refusal(f"already on record: {', '.join(taken)}.", field="bag_identifiers")
    collection = create_audited(
        Leukapheresis, by=by, course=course, collected_on=collected_on, site=site, recorded_by=by, **fields
    )
    for bag in bags:
        create_audited(CollectionBag, by=by, collection=collection, bag_identifier=bag)
    return collection


@transaction.atomic
def register_manufacturing_run(
    *, course: TreatmentCourse, by, collection: Leukapheresis, manufacturer: str, coi_id: str, **fields
) -> ManufacturingRun:
    """Send a collection to the manufacturer; the run starts in production (docs/clinical-rules.md §2.6)."""
    require_perm(by, "tracker.add_manufacturingrun", "register manufacturing runs")
    course = lock(course)
    require_stage(course, {Stage.COLLECTION}, "A manufacturing run")
    if collection.course_id != course.id:
        raise Refusal("the collection belongs to another course.", field="collection")
    if collection.manufacturing_runs.exists():
        raise Refusal("this collection has already been sent for manufacturing.", field="collection")
    if ManufacturingRun.objects.filter(coi_id__iexact=coi_id.strip()).exists():
        raise Refusal(f"chain-of-identity id {coi_id!r} is already in use.", field="coi_id")
    return create_audited(
        ManufacturingRun,
        by=by,
        course=course,
        collection=collection,
        manufacturer=manufacturer,
        coi_id=coi_id.strip(),
        recorded_by=by,
        **fields,
    )


@transaction.atomic
def release_run(*, run: ManufacturingRun, by, released_on: date) -> ManufacturingRun:
    """QA released the product in specification."""
    require_perm(by, "tracker.change_manufacturingrun", "update manufacturing runs")
    run = lock(run)
    if run.status != RunStatus.IN_PRODUCTION:
        raise Refusal(f"Only a run in production can be released; this one is {run.get_status_display()}.")
    check_not_future(released_on, "released_on", timezone.now())
    run.status, run.released_on = RunStatus.RELEASED, released_on
    return save_audited(run, by=by, reason="released")


@transaction.atomic
def mark_run_out_of_specification(*, run: ManufacturingRun, by, finding: str, on: date) -> ManufacturingRun:
    """The product missed a release specification (e.g. viability < 80 %, docs/clinical-rules.md §2.6)."""
    require_perm(by, "tracker.change_manufacturingrun", "update manufacturing runs")
    run = lock(run)
    if run.status != RunStatus.IN_PRODUCTION:
        raise Refusal(
            f"Only a run in production can be marked out of specification; this one is {run.get_status_display()}."
        )
    if not finding.strip():
        raise Refusal("describe the out-of-specification finding.", field="finding")
    check_not_future(on, "on", timezone.now())
    run.status, run.oos_reason, run.oos_reported_on = RunStatus.OUT_OF_SPECIFICATION, finding, on
    return save_audited(run, by=by, reason=f"out of specification: {finding}")


@transaction.atomic
def release_under_exception(*, run: ManufacturingRun, by, reason: str) -> ManufacturingRun:
    """A physician accepts an out-of-spec product for infusion (docs/clinical-rules.md §2.6: OOS product may
    still be released under exception; CIBMTR outcomes were similar for viability 61–79 %)."""
    require_perm(by, "tracker.override_release", "release an out-of-specification product")
    run = lock(run)
    if run.status != RunStatus.OUT_OF_SPECIFICATION:
        raise Refusal("Only an out-of-specification run can be released under exception.")
    if not reason.strip():
        raise Refusal("give the clinical reason for accepting the product.", field="reason")
    run.released_under_exception, run.exception_approved_by, run.exception_reason = True, by, reason
    run.released_on = run.released_on or timezone.localdate()  # released when the exception is approved
    return save_audited(run, by=by, reason=f"released under exception: {reason}")


@transaction.atomic
def mark_run_failed(*, run: ManufacturingRun, by, reason: str) -> ManufacturingRun:
    require_perm(by, "tracker.change_manufacturingrun", "update manufacturing runs")
    run = lock(run)
    if (
        run.status not in (RunStatus.IN_PRODUCTION, RunStatus.OUT_OF_SPECIFICATION)
        or run.bags.filter(infusion__isnull=False).exists()
    ):
        raise Refusal(f"A {run.get_status_display().lower()} run cannot be marked failed.")
    if not reason.strip():
        raise Refusal("give the reason the run failed.", field="reason")
    run.status, run.failure_reason = RunStatus.FAILED, reason
    return save_audited(run, by=by, reason=f"failed: {reason}")


@transaction.atomic
def receive_product(*, run: ManufacturingRun, by, delivered_on: date, bag_identifiers: list[str]) -> list[ProductBag]:
    """The product arrives at the site: record its bags, to be checked again at the bedside."""
    require_perm(by, "tracker.add_productbag", "receive products")
    run = lock(run)
    if not run.product_available:
        raise Refusal("Only a released product can be received for infusion.")
    if run.bags.exists():
        raise Refusal(f"This product was already received on {run.delivered_on:%d %b %Y}.")
    bags = [b.strip() for b in bag_identifiers if b.strip()]
    if not bags or len(set(bags)) != len(bags):
        raise Refusal("give one or more different bag identifiers.", field="bag_identifiers")
    taken = list(ProductBag.objects.filter(bag_identifier__in=bags).values_list("bag_identifier", flat=True))
    if taken:
        raise Refusal(f"already on record: {', '.join(taken)}.", field="bag_identifiers")
    check_not_future(delivered_on, "delivered_on", timezone.now())
    run.delivered_on = delivered_on
    save_audited(run, by=by, reason="product received at site")
    return [create_audited(ProductBag, by=by, run=run, bag_identifier=bag) for bag in bags]


@transaction.atomic
def start_bridging(*, course: TreatmentCourse, by, started_on: date, **fields) -> BridgingTherapy:
    """Record bridging therapy; the first one moves the course into the bridging stage."""
    require_perm(by, "tracker.add_bridgingtherapy", "record bridging therapy")
    course = lock(course)
    require_stage(course, {Stage.MANUFACTURING, Stage.BRIDGING}, "Bridging therapy")
    check_not_future(started_on, "started_on", timezone.now())
    therapy = create_audited(BridgingTherapy, by=by, course=course, started_on=started_on, recorded_by=by, **fields)
    if course.stage_enum == Stage.MANUFACTURING:
        _apply_move(
            course, Move(Stage.BRIDGING, note=therapy.agents), by=by, occurred_at=_moment_of_day(course, started_on)
        )
    return therapy


@transaction.atomic
def start_lymphodepletion(
    *, course: TreatmentCourse, by, started_on: date, ended_on: date, override_reason: str = "", **fields
) -> Lymphodepletion:
    """Record lymphodepleting chemotherapy and move the course into it. Refused before the
    product is released unless a physician overrides with a reason (Yescarta label, docs/clinical-rules.md §2.7)."""
    require_perm(by, "tracker.add_lymphodepletion", "record lymphodepletion")
    course = lock(course)
    require_stage(course, {Stage.MANUFACTURING, Stage.BRIDGING}, "Lymphodepletion")
    check_not_future(started_on, "started_on", timezone.now())
    if ended_on < started_on:
        raise Refusal("must be on or after the start date.", field="ended_on")
    if (ended_on - started_on).days > 7:
        raise Refusal("lymphodepletion lasts at most 7 days (started_on to ended_on).", field="ended_on")
    run = course.latest_run()
    before_release = not (run and run.product_available)
    ld = create_audited(
        Lymphodepletion,
        by=by,
        course=course,
        started_on=started_on,
        ended_on=ended_on,
        started_before_release=before_release,
        override_by=by if before_release and override_reason else None,
        override_reason=override_reason if before_release else "",
        recorded_by=by,
        **fields,
    )
    event = _apply_move(
        course,
        Move(
            Stage.LYMPHODEPLETION,
            note=ld.get_regimen_display(),
            override_reason=override_reason if before_release else "",
        ),
        by=by,
        occurred_at=_moment_of_day(course, started_on),
    )
    # What was due before lymphodepletion and is still open is now missed (§9.1).
    planning.close_before_lymphodepletion(course, at=event.occurred_at)
    return ld


def _lymphodepletion_window_warning(course: TreatmentCourse, infused_at: datetime) -> str:
    """The product's window from the end of lymphodepletion to infusion (docs/clinical-rules.md §2.7), as a
    warning kept with the infusion: outside it, lymphodepletion may need repeating, which is
    the physician's call."""
    window = PRODUCTS[course.product].infuse_days_after_ld_end
    ld = course.lymphodepletions.order_by("-started_on").first()
    if window is None or ld is None:
        return ""
    days = (local_date(infused_at) - ld.ended_on).days
    earliest, latest = window
    if earliest <= days <= latest:
        return ""
    return (
        f"Infused {days} days after lymphodepletion ended; the {PRODUCTS[course.product].label} "
        f"window is {earliest}–{latest} days."
    )


@transaction.atomic
def record_infusion(
    *,
    course: TreatmentCourse,
    by,
    infused_at: datetime,
    dose_value,
    dose_unit: str,
    scanned_bags: dict[str, str],
    identity_checked_by,
    identity_second_check_by,
    identity_checked_at: datetime | None = None,
    **fields,
) -> Infusion:
    """Day 0. Refused unless the product is released and every bag's chain-of-identity id, read
    at the bedside, matches the manufacturing run, confirmed by two different staff members
    (docs/clinical-rules.md §2.4). The course moves to infusion and straight on to acute monitoring."""
    require_perm(by, "tracker.add_infusion", "record infusions")
    for checker in (identity_checked_by, identity_second_check_by):
        if checker is not None and not checker.has_perm("tracker.verify_identity"):
            raise PermissionDenied(f"{checker.get_full_name() or checker} may not confirm chain of identity.")
    course = lock(course)
    require_stage(course, {Stage.LYMPHODEPLETION}, "An infusion")
    now = timezone.now()
    check_not_future(infused_at, "infused_at", now)
    run = course.latest_run()
    if run is None or not run.product_available:
        raise Refusal("Infusion needs a released product (or an out-of-spec product released under exception).")
    bags = {b.bag_identifier: b for b in run.bags.select_for_update().filter(bag_identifier__in=scanned_bags)}
    unknown = [b for b in scanned_bags if b not in bags]
    if unknown:
        raise Refusal(f"Bag(s) {', '.join(unknown)} are not product bags of this course's released run.")
    used = [b for b, bag in bags.items() if bag.infusion_id]
    if used:
        raise Refusal(f"Bag(s) {', '.join(used)} have already been infused.")
    problems = stages.chain_of_identity_problems(
        expected_coi_id=run.coi_id,
        scanned_coi_ids=list(scanned_bags.values()),
        verifier_ids=[getattr(identity_checked_by, "pk", None), getattr(identity_second_check_by, "pk", None)],
    )
    if problems:
        raise Refusal(problems)
    infusion = create_audited(
        Infusion,
        by=by,
        course=course,
        infused_at=infused_at,
        window_warning=_lymphodepletion_window_warning(course, infused_at),
        dose_value=dose_value,
        dose_unit=dose_unit,
        identity_checked_by=identity_checked_by,
        identity_second_check_by=identity_second_check_by,
        identity_checked_at=identity_checked_at or infused_at,
        recorded_by=by,
        **fields,
    )
    for identifier, bag in bags.items():
        bag.infusion, bag.scanned_coi_id = infusion, scanned_bags[identifier].strip()
        save_audited(bag, by=by, reason="infused")
    _apply_move(course, Move(Stage.INFUSION, note="Chain of identity confirmed"), by=by, occurred_at=infused_at)
    _apply_move(course, Move(Stage.ACUTE_MONITORING, note="Day 0"), by=by, occurred_at=infused_at)
    planning.plan_course(course)  # infusion materializes the check-ins and milestones
    return infusion


@transaction.atomic
def correct_infusion_time(*, infusion: Infusion, by, infused_at: datetime, reason: str) -> PlanResult:
    """Correct the recorded infusion time: day 0 moves, and everything counted from it follows.
    Audited with the reason (the old time stays in the infusion's history). Scheduled check-ins
    move; completed ones stay as they were; episode onset days are recounted. Refused if
    bedside records would then fall before day 0, or the new time is before lymphodepletion."""
    if not by.has_perm("tracker.add_infusion"):
        raise PermissionDenied("You do not have permission to correct infusions.")
    if not reason.strip():
        raise Refusal("say why the infusion time is corrected.", field="reason")
    infused_at = as_utc(infused_at)
    if infused_at > timezone.now():
        raise Refusal("cannot be in the future.", field="infused_at", code="in_future")
    course = TreatmentCourse.objects.select_for_update().get(pk=infusion.course_id)
    infusion = lock(infusion)
    new_day_zero = local_date(infused_at)
    ld = course.lymphodepletions.order_by("-started_on").first()
    if ld and new_day_zero < ld.started_on:
        raise Refusal(f"is before lymphodepletion started ({ld.started_on:%d %b %Y}).", field="infused_at")
    start_of_day = start_of_local_day(new_day_zero)
    earlier = (
        course.vital_signs.current().filter(observed_at__lt=start_of_day).count()
        + course.neuro_assessments.current().filter(observed_at__lt=start_of_day).count()
    )
    if earlier:
        raise Refusal(f"{earlier} bedside record(s) would fall before day 0; correct them first.", field="infused_at")
    infusion.infused_at = infused_at
    save_audited(infusion, by=by, reason=f"infusion time corrected: {reason}")
    for syndrome in ("crs", "icans"):
        rebuild_episodes(course, syndrome, by=by)
    return planning.plan_course(course)
