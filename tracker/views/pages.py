"""Read-only pages: the programme dashboard, a course's journey, its audit trail, and the
patient's own timeline. Each page runs a fixed number of queries whatever the cohort size."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from tracker import journey, roles, schedule
from tracker.audit import field_changes
from tracker.centre_time import centre_tz
from tracker.journey import Stage
from tracker.models import (
    Alert,
    BridgingTherapy,
    CareTeamMember,
    CheckIn,
    CollectionBag,
    CourseRuleOverride,
    CourseSchedule,
    EligibilityAssessment,
    Infusion,
    Intervention,
    Leukapheresis,
    Lymphodepletion,
    ManufacturingRun,
    NeuroAssessment,
    Patient,
    ProductBag,
    ProductLabelCondition,
    StageEvent,
    TreatmentCourse,
    VitalSigns,
)
from tracker.services.bedside import MONITORED_STAGES
from tracker.views.access import staff_only
from tracker.views.bedside import course_monitoring
from tracker.views.schedule import course_schedule

# What each stage means, in words for patients and families.
PATIENT_STAGE_TEXT = {
    Stage.REFERRAL: "Your doctor has referred you to the CAR-T team.",
    Stage.ELIGIBILITY: "The team is checking that CAR-T therapy is safe and suitable for you.",
    Stage.COLLECTION: "Your T cells will be collected from your blood (leukapheresis).",
    Stage.MANUFACTURING: "Your T cells are being made into CAR-T cells at the manufacturer.",
    Stage.BRIDGING: "You are having treatment to keep the disease under control while your cells are made.",
    Stage.LYMPHODEPLETION: "You are having a short course of chemotherapy to make room for the CAR-T cells.",
    Stage.INFUSION: "Your CAR-T cells were given back to you (day 0).",
    Stage.ACUTE_MONITORING: "The first weeks after infusion: the team checks on you closely, several times a day.",
    Stage.FOLLOW_UP: "Regular check-ups to see how well the treatment worked.",
    Stage.LONG_TERM_FOLLOW_UP: "Yearly check-ups for the long term, up to 15 years.",
    Stage.COMPLETED: "Your follow-up programme is complete.",
    Stage.DIED: "",
    Stage.WITHDREW: "You have left the programme.",
    Stage.INELIGIBLE: "CAR-T therapy was not suitable at this time.",
    Stage.MANUFACTURING_FAILURE: "Your CAR-T cells could not be made.",
}


def _day_of(course: TreatmentCourse, moment: datetime | date | None) -> int | None:
    zero = course.day_zero
    if zero is None or moment is None:
        return None
    on = schedule.local_date(moment, centre_tz()) if isinstance(moment, datetime) else moment
    return schedule.day_number(zero, on)


@login_required
def home(request):
    if roles.role_of(request.user) == roles.PATIENT:
        return redirect("my_journey")
    return redirect("dashboard")


@staff_only
def dashboard(request):
    """The programme at a glance: how many courses in each stage, and the course list."""
    visible = TreatmentCourse.objects.visible_to(request.user)
    counts = dict(visible.values_list("stage").annotate(n=Count("id")).order_by())
    # Infusion is a moment (courses go straight on to acute monitoring), so it shows only if used.
    pipeline = [
        (stage, counts.get(stage.value, 0))
        for stage in Stage
        if counts.get(stage.value) or not (stage.is_closing or stage == Stage.INFUSION)
    ]

    stage = request.GET.get("stage", "")
    diagnosis = request.GET.get("diagnosis", "")
    query = request.GET.get("q", "").strip()
    courses = visible.select_related("patient", "treating_physician").with_journey_dates()
    if stage == "active":
        courses = courses.active()
    elif stage in Stage._value2member_map_:
        courses = courses.filter(stage=stage)
    if diagnosis:
        courses = courses.filter(diagnosis=diagnosis)
    if query:
        courses = courses.filter(
            Q(patient__mrn__icontains=query)
            | Q(patient__family_name__icontains=query)
            | Q(patient__given_name__icontains=query)
        )
    courses = courses.order_by("patient__family_name", "patient__given_name", "sequence")
    page = Paginator(courses, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(course, None if course.is_closed else course.day_number(today)) for course in page]
    return render(
        request,
        "tracker/dashboard.html",
        {
            "pipeline": pipeline,
            "total": sum(counts.values()),
            "active_total": sum(n for s, n in counts.items() if s not in journey.CLOSING_STAGES),
            "rows": rows,
            "page": page,
            "stage": stage,
            "diagnosis": diagnosis,
            "q": query,
            "diagnoses": TreatmentCourse.Diagnosis.choices,
        },
    )


def course_queryset(user):
    return (
        TreatmentCourse.objects.visible_to(user)
        .select_related("patient", "treating_physician", "coordinator")
        .with_journey_dates()
        .prefetch_related(
            "target_antigens",
            Prefetch("stage_events", queryset=StageEvent.objects.select_related("by")),
            Prefetch("eligibility_assessments", queryset=EligibilityAssessment.objects.select_related("assessed_by")),
            Prefetch("collections", queryset=Leukapheresis.objects.prefetch_related("bags")),
            Prefetch(
                "manufacturing_runs",
                queryset=ManufacturingRun.objects.select_related(
                    "collection", "exception_approved_by"
                ).prefetch_related("bags"),
            ),
            "bridging_therapies",
            Prefetch("lymphodepletions", queryset=Lymphodepletion.objects.select_related("override_by")),
            Prefetch(
                "infusions",
                queryset=Infusion.objects.select_related(
                    "identity_checked_by", "identity_second_check_by"
                ).prefetch_related("bags"),
            ),
            Prefetch("care_team_members", queryset=CareTeamMember.objects.select_related("user")),
        )
    )


def get_visible_course(request, course_id) -> TreatmentCourse:
    """Another team's course is a plain 404, which reveals nothing about it."""
    return get_object_or_404(course_queryset(request.user), public_id=course_id)


@dataclass
class TimelineEntry:
    event: StageEvent
    day: int | None


@staff_only
def course_detail(request, course_id):
    course = get_visible_course(request, course_id)
    events = [TimelineEntry(e, _day_of(course, e.occurred_at)) for e in course.stage_events.all()]
    runs = list(course.manufacturing_runs.all())
    latest_run = runs[0] if runs else None
    lymphodepletions = [
        (ld, _day_of(course, ld.started_on), _day_of(course, ld.ended_on)) for ld in course.lymphodepletions.all()
    ]
    return render(
        request,
        "tracker/course_detail.html",
        {
            "course": course,
            "patient": course.patient,
            "age": course.patient.age_on(timezone.localdate()),
            "day": course.day_number(),
            "events": events,
            "runs": runs,
            "latest_run": latest_run,
            "lymphodepletions": lymphodepletions,
            "v2v": course.vein_to_vein(latest_run) if latest_run else None,
            "next_steps": next_steps(course, request.user, latest_run),
            "other_courses": course.patient.courses.exclude(pk=course.pk).only(
                "public_id", "sequence", "product", "stage"
            ),
            "monitoring": course_monitoring(course),
            "schedule": course_schedule(course),
        },
    )


@dataclass
class NextStep:
    label: str
    url_name: str
    primary: bool = True


def next_steps(course: TreatmentCourse, user, latest_run: ManufacturingRun | None) -> list[NextStep]:
    """The forms that make sense now, for this user, in this stage."""
    stage, steps = course.stage_enum, []
    if stage.is_closing:
        return steps
    can = user.has_perm
    if stage in (Stage.REFERRAL, Stage.ELIGIBILITY) and can("tracker.add_eligibilityassessment"):
        steps.append(NextStep("Record eligibility assessment", "record_eligibility"))
    if stage == Stage.COLLECTION and can("tracker.add_leukapheresis"):
        steps.append(NextStep("Record leukapheresis collection", "record_collection"))
        sent = {run.collection_id for run in course.manufacturing_runs.all()}
        if any(c.id not in sent for c in course.collections.all()):
            steps.append(NextStep("Register manufacturing run", "register_run"))
    if (
        latest_run
        and can("tracker.change_manufacturingrun")
        and stage in (Stage.MANUFACTURING, Stage.BRIDGING, Stage.LYMPHODEPLETION)
    ):
        steps.append(NextStep("Update manufacturing status", "update_run", primary=False))
        if latest_run.product_available and not latest_run.bags.all() and can("tracker.add_productbag"):
            steps.append(NextStep("Receive product at site", "receive_product"))
    if stage in (Stage.MANUFACTURING, Stage.BRIDGING) and can("tracker.add_bridgingtherapy"):
        steps.append(NextStep("Record bridging therapy", "record_bridging", primary=False))
    if stage in (Stage.MANUFACTURING, Stage.BRIDGING) and can("tracker.add_lymphodepletion"):
        steps.append(NextStep("Start lymphodepletion", "record_lymphodepletion"))
    if stage == Stage.LYMPHODEPLETION and can("tracker.add_infusion") and can("tracker.verify_identity"):
        steps.append(NextStep("Record infusion (bedside identity check)", "record_infusion"))
    if stage in MONITORED_STAGES:
        if can("tracker.add_vitalsigns"):
            steps.append(NextStep("Record vital signs", "record_vitals"))
        if can("tracker.add_neuroassessment"):
            steps.append(NextStep("Record neuro check", "record_neuro"))
        if can("tracker.add_intervention"):
            steps.append(NextStep("Record treatment", "record_intervention", primary=False))
        if can("tracker.add_infusion"):
            steps.append(NextStep("Correct infusion time", "correct_infusion_time", primary=False))
    if can("tracker.change_stage"):
        steps.append(NextStep("Move to another stage", "transition_course", primary=False))
    return steps


# --- Audit trail --------------------------------------------------------------------------


@dataclass
class AuditRow:
    when: datetime
    who: object
    what: str
    kind: str
    reason: str
    changes: list


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d %b %Y %H:%M}" if moment else ""


# What each audited model's history row is called, from the row's own fields only, so the
# audit page costs one query per model however long the history.
AUDITED = [
    (Patient, "id", "patient", lambda r: f"Patient {r.family_name.upper()}, {r.given_name}"),
    (TreatmentCourse, "id", "course", lambda r: f"Course {r.sequence}"),
    (CareTeamMember, "course_id", "course", lambda r: f"Care team member ({r.role})"),
    (EligibilityAssessment, "course_id", "course", lambda r: f"Eligibility {r.assessed_on:%d %b %Y}"),
    (Leukapheresis, "course_id", "course", lambda r: f"Collection {r.collected_on:%d %b %Y}"),
    (CollectionBag, "collection__course_id", "course", lambda r: f"Collection bag {r.bag_identifier}"),
    (ManufacturingRun, "course_id", "course", lambda r: f"Manufacturing run {r.lot_number or r.coi_id}"),
    (ProductBag, "run__course_id", "course", lambda r: f"Product bag {r.bag_identifier}"),
    (BridgingTherapy, "course_id", "course", lambda r: f"Bridging: {r.agents}"),
    (Lymphodepletion, "course_id", "course", lambda r: f"Lymphodepletion from {r.started_on:%d %b %Y}"),
    (Infusion, "course_id", "course", lambda r: f"Infusion {_when(r.infused_at)}"),
    (VitalSigns, "course_id", "course", lambda r: f"Vital signs {_when(r.observed_at)} (CRS grade {r.grade})"),
    (NeuroAssessment, "course_id", "course", lambda r: f"Neuro check {_when(r.observed_at)} (ICANS grade {r.grade})"),
    (Intervention, "course_id", "course", lambda r: f"{r.agent or r.kind} {_when(r.given_at)}"),
    (CheckIn, "course_id", "course", lambda r: f"Check-in: {r.label} due {_when(r.due_at)}"),
    (Alert, "course_id", "course", lambda r: f"Alert: {r.title}"),
    (CourseSchedule, "course_id", "course", lambda r: f"Schedule ({r.cadence} cadence)"),
    (CourseRuleOverride, "course_id", "course", lambda r: "Schedule rule override"),
]


def _history_rows(model, key: str, value, describe) -> list[AuditRow]:
    records = model.history.model.objects.filter(**{key: value}).select_related("history_user")
    rows, previous_by_id = [], {}
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    for record in records.order_by("id", "history_id"):
        previous = previous_by_id.get(record.id)
        changes = field_changes(record, previous) if previous else []
        previous_by_id[record.id] = record
        if previous and not changes:
            continue
        rows.append(
            AuditRow(
                when=record.history_date,
                who=record.history_user,
                what=describe(record),
                kind=kinds.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return rows


@staff_only
def course_audit(request, course_id):
    """Who changed what, when and why, on this course and every record of its journey: stage
    records, bedside records and their amendments and reviews, check-ins completed, alerts
    acknowledged or snoozed, and schedule changes."""
    course = get_object_or_404(
        TreatmentCourse.objects.visible_to(request.user).select_related("patient"), public_id=course_id
    )
    ids = {"patient": course.patient_id, "course": course.id}
    rows = [row for model, key, of, describe in AUDITED for row in _history_rows(model, key, ids[of], describe)]
    rows.sort(key=lambda row: row.when, reverse=True)
    return render(request, "tracker/course_audit.html", {"course": course, "rows": rows})


# --- The patient's own view ----------------------------------------------------------------


@login_required
def my_journey(request):
    """A patient's own timeline. It is found through their login, never through a URL id, so
    there is nothing to change in the address bar to reach someone else."""
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None:
        if roles.is_staff_role(request.user):
            return redirect("dashboard")
        raise PermissionDenied("This login is not linked to a patient record.")
    courses = list(
        patient.courses.with_journey_dates()
        .select_related("treating_physician", "coordinator")
        .prefetch_related(Prefetch("stage_events", queryset=StageEvent.objects.order_by("occurred_at")))
    )
    today = timezone.localdate()
    appointments = [
        (check_in, patient_label(check_in))
        for check_in in CheckIn.objects.filter(
            course__in=courses,
            status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE],
            kind__in=PATIENT_APPOINTMENTS,
        ).order_by("due_at")
    ]
    journeys = []
    for course in courses:
        reached = [(Stage(e.to_stage), e, _day_of(course, e.occurred_at)) for e in course.stage_events.all()]
        journeys.append(
            {
                "course": course,
                "day": course.day_number(today),
                "reached": reached,
                "explanation": PATIENT_STAGE_TEXT[course.stage_enum],
                "upcoming": upcoming_stages(course.stage_enum),
                "appointments": [(c, label) for c, label in appointments if c.course_id == course.id][:5],
                "restrictions": label_restrictions(course, today),
            }
        )
    return render(request, "tracker/my_journey.html", {"patient": patient, "journeys": journeys})


# The milestones a patient comes in for, in the patient's words (registry forms and internal
# reviews are not appointments).
PATIENT_APPOINTMENTS = {
    "response_assessment": "Check-up: how well the treatment is working",
    "remission_scan": "Scan or test to look for the disease",
    "follow_up_visit": "Follow-up clinic visit",
    "igg_level": "Blood test (antibody level)",
    "ltfu_contact": "Yearly long-term follow-up contact",
}


def patient_label(check_in: CheckIn) -> str:
    milestone = check_in.plan_key.split(":", 1)[-1]
    return f"{milestone}: {PATIENT_APPOINTMENTS[check_in.kind]}"


def label_restrictions(course: TreatmentCourse, today: date) -> list[str]:
    """What the product's label asks of the patient after infusion (REFERENCE §4.1), while it
    still applies: staying near the centre, not driving."""
    zero = course.day_zero
    condition = ProductLabelCondition.in_force(course.product, zero) if zero else None
    if condition is None:
        return []
    near_until = zero + timedelta(days=condition.stay_near_centre_days)
    drive_from = zero + timedelta(days=condition.no_driving_days)
    notes = []
    if today < near_until:
        notes.append(f"Stay within about 2 hours of your treatment centre until {near_until:%A %d %B}.")
    if today < drive_from:
        notes.append(f"Do not drive or operate heavy machinery until {drive_from:%A %d %B}.")
    return notes


MAIN_PATH = [
    Stage.REFERRAL,
    Stage.ELIGIBILITY,
    Stage.COLLECTION,
    Stage.MANUFACTURING,
    Stage.LYMPHODEPLETION,
    Stage.INFUSION,
    Stage.ACUTE_MONITORING,
    Stage.FOLLOW_UP,
    Stage.LONG_TERM_FOLLOW_UP,
]


def upcoming_stages(stage: Stage) -> list[tuple[Stage, str]]:
    if stage not in MAIN_PATH:
        return (
            []
            if stage.is_closing
            else [(s, PATIENT_STAGE_TEXT[s]) for s in MAIN_PATH[MAIN_PATH.index(Stage.LYMPHODEPLETION) :]]
        )
    return [(s, PATIENT_STAGE_TEXT[s]) for s in MAIN_PATH[MAIN_PATH.index(stage) + 1 :]]
