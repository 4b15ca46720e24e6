"""Reads of the journey that services, pages and the API share.

``get_course_for`` is the one way to reach a course from a request: the course this user may
see, or a 404. Another team's course and a course that does not exist look the same, so the
answer reveals nothing (zulip's ``access_stream_by_id``)."""

from datetime import date

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from tracker.clinical import days
from tracker.clinical.stages import JourneyFacts, RunStatus, Stage
from tracker.models import (
    CareTeamMember,
    CheckIn,
    EligibilityAssessment,
    Infusion,
    Leukapheresis,
    Lymphodepletion,
    ManufacturingRun,
    StageEvent,
    TreatmentCourse,
)


def visible_courses(user) -> QuerySet[TreatmentCourse]:
    return TreatmentCourse.objects.visible_to(user)


def get_course_for(user, public_id, *, queryset: QuerySet[TreatmentCourse] | None = None) -> TreatmentCourse:
    """The course with this public id if ``user`` may see it; Http404 otherwise. ``queryset``
    narrows or prefetches (it is still limited to what the user may see)."""
    courses = queryset if queryset is not None else TreatmentCourse.objects.select_related("patient")
    courses = courses.visible_to(user)
    try:
        return courses.get(public_id=public_id)
    except (TreatmentCourse.DoesNotExist, ValueError, TypeError):
        raise Http404("No such course.") from None


def get_record_for(user, model, public_id):
    """A course's record (bedside, follow-up) with this public id if ``user`` may see its course;
    Http404 otherwise, as for ``get_course_for``."""
    visible = TreatmentCourse.objects.visible_to(user)
    try:
        return model.objects.select_related("course__patient").filter(course__in=visible).get(public_id=public_id)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such record.") from None


def courses_with_journey() -> QuerySet[TreatmentCourse]:
    """Courses with every stage record the course page shows prefetched, so the page costs the
    same number of queries however long the journey (scope it with ``get_course_for``)."""
    return (
        TreatmentCourse.objects.select_related("patient", "treating_physician", "coordinator")
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


def journey_facts(course: TreatmentCourse, *, on: date | None = None) -> JourneyFacts:
    """Everything the stage rules need, read from the database in a fixed number of queries."""
    latest_collection = course.collections.order_by("-collected_on", "-id").first()
    run = course.latest_run()
    day_zero = course.day_zero
    since = latest_collection.collected_on if latest_collection else date.min
    return JourneyFacts(
        stage=course.stage_enum,
        eligible_with_consent=course.eligibility_assessments.filter(
            eligible=True, consent_signed_on__isnull=False
        ).exists(),
        has_collection_with_bags=bool(latest_collection and latest_collection.bags.exists()),
        run_status=RunStatus(run.status) if run else None,
        run_is_from_latest_collection=bool(run and latest_collection and run.collection_id == latest_collection.id),
        run_released_under_exception=bool(run and run.released_under_exception),
        # Only records since the latest collection count: after a re-collection, the bridging
        # and lymphodepletion of the earlier attempt do not carry over.
        has_bridging_record=course.bridging_therapies.filter(started_on__gte=since).exists(),
        has_lymphodepletion_record=course.lymphodepletions.filter(started_on__gte=since).exists(),
        has_verified_infusion=course.infusions.exists(),
        day_number=days.day_number(day_zero, on) if day_zero and on else None,
    )


BOARD_STAGES = [
    Stage.REFERRAL,
    Stage.ELIGIBILITY,
    Stage.COLLECTION,
    Stage.MANUFACTURING,
    Stage.BRIDGING,
    Stage.LYMPHODEPLETION,
    Stage.ACUTE_MONITORING,
    Stage.FOLLOW_UP,
    Stage.LONG_TERM_FOLLOW_UP,
]
RUN_STATUS_LABELS = dict(ManufacturingRun._meta.get_field("status").choices)
BOARD_LIMIT = 60  # cards per column; the table view lists every course


def programme_board(user, *, today: date) -> list[tuple[Stage, list[TreatmentCourse], int]]:
    """The active programme by stage, for the board view: per course its day number, vein-to-
    vein days so far, manufacturing status and dates, and next milestone, as annotations (two
    queries however many courses)."""
    visible = TreatmentCourse.objects.visible_to(user).filter(stage__in=BOARD_STAGES)
    counts = dict(visible.values_list("stage").annotate(n=Count("id")).order_by())
    latest_run = ManufacturingRun.objects.filter(course=OuterRef("pk")).order_by("-created_at", "-id")
    next_milestone = CheckIn.objects.filter(
        course=OuterRef("pk"),
        status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE],
        kind__in=["response_assessment", "remission_scan", "follow_up_visit", "igg_level", "ltfu_contact"],
    ).order_by("due_at")
    courses = (
        visible.select_related("patient")
        .with_journey_dates()
        .annotate(
            run_status=Subquery(latest_run.values("status")[:1]),
            run_shipped_on=Subquery(latest_run.values("shipped_on")[:1]),
            run_delivered_on=Subquery(latest_run.values("delivered_on")[:1]),
            run_collected_on=Subquery(latest_run.values("collection__collected_on")[:1]),
            milestone_label=Subquery(next_milestone.values("label")[:1]),
            milestone_due_at=Subquery(next_milestone.values("due_at")[:1]),
        )
        .order_by("stage_entered_at")
    )
    columns: dict[str, list[TreatmentCourse]] = {stage.value: [] for stage in BOARD_STAGES}
    for course in courses:
        column = columns[course.stage]
        if len(column) >= BOARD_LIMIT:
            continue
        course.board_day = course.day_number(today) if course.first_infused_at else None
        end = course.day_zero or today
        course.v2v_days = (end - course.run_collected_on).days if course.run_collected_on else None
        course.v2v_complete = course.day_zero is not None
        course.run_status_label = RUN_STATUS_LABELS.get(course.run_status, "")
        column.append(course)
    return [(stage, columns[stage.value], counts.get(stage.value, 0)) for stage in BOARD_STAGES]
