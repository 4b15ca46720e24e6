"""The journey's pages: the programme dashboard and a course's page. Each runs a fixed number of
queries whatever the cohort size."""

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tracker.accounts import security
from tracker.bedside.selectors import course_charts, course_monitoring
from tracker.clinical import response, stages
from tracker.clinical.stages import POST_INFUSION_STAGES, Stage
from tracker.follow_up.selectors import course_follow_up
from tracker.journey.selectors import BOARD_LIMIT, courses_with_journey, get_course_for, programme_board
from tracker.models import ChartAccess, ManufacturingRun, StageEvent, TreatmentCourse
from tracker.schedule.selectors import course_schedule
from tracker.web.access import staff_only

# Searches by name or MRN are posted, kept in the session under a random token, and the results
# page is addressed by the token: a name or MRN never appears in a URL, so never in an access
# log, a proxy's log or the browser history (OWASP ASVS 5.0 V14.2.1).
SEARCHES_SESSION_KEY = "tracker_searches"
SEARCHES_KEPT = 20
SEARCH_MAX_LENGTH = 100


def _remember_search(request, query: str) -> str:
    token = secrets.token_urlsafe(9)
    searches = dict(list(request.session.get(SEARCHES_SESSION_KEY, {}).items())[-(SEARCHES_KEPT - 1) :])
    searches[token] = query
    request.session[SEARCHES_SESSION_KEY] = searches
    return token


def _post_search(request):
    query = request.POST.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    params = {name: request.POST[name] for name in ("stage", "diagnosis") if request.POST.get(name)}
    if query:
        params["s"] = _remember_search(request, query)
    return redirect(f"{reverse('dashboard')}?{urlencode(params)}" if params else reverse("dashboard"))


@staff_only
def dashboard(request):
    """The programme at a glance: how many courses in each stage, and the course list."""
    if request.method == "POST":
        return _post_search(request)
    visible = TreatmentCourse.objects.visible_to(request.user)
    counts = dict(visible.values_list("stage").annotate(n=Count("id")).order_by())
    # Infusion is a moment (courses go straight on to acute monitoring), so it shows only if used.
    pipeline = [
        (stage, counts.get(stage.value, 0))
        for stage in Stage
        if counts.get(stage.value) or not (stage.is_closing or stage == Stage.INFUSION)
    ]

    if request.GET.get("view") == "board":
        return render(
            request,
            "tracker/programme_board.html",
            {
                "columns": programme_board(request.user, today=timezone.localdate()),
                "total": sum(counts.values()),
                "active_total": sum(n for s, n in counts.items() if s not in stages.CLOSING_STAGES),
                "board_limit": BOARD_LIMIT,
            },
        )
    stage = request.GET.get("stage", "")
    diagnosis = request.GET.get("diagnosis", "")
    search_token = request.GET.get("s", "")
    query = request.session.get(SEARCHES_SESSION_KEY, {}).get(search_token, "") if search_token else ""
    courses = visible.select_related("patient", "treating_physician").with_journey_dates()
    if stage == "active":
        courses = courses.active()
    elif stage in list(Stage):
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
            "active_total": sum(n for s, n in counts.items() if s not in stages.CLOSING_STAGES),
            "rows": rows,
            "page": page,
            "stage": stage,
            "diagnosis": diagnosis,
            "q": query,
            "search_token": search_token if query else "",
            "diagnoses": TreatmentCourse.Diagnosis.choices,
        },
    )


@dataclass
class TimelineEntry:
    event: StageEvent
    day: int | None


@staff_only
def course_detail(request, course_id):
    course = get_course_for(request.user, course_id, queryset=courses_with_journey())
    security.record_chart_access(
        request=request, patient_id=course.patient_id, course_id=course.id, what=ChartAccess.What.COURSE_PAGE
    )
    events = [TimelineEntry(e, course.day_of(e.occurred_at)) for e in course.stage_events.all()]
    runs = list(course.manufacturing_runs.all())
    latest_run = runs[0] if runs else None
    lymphodepletions = [
        (ld, course.day_of(ld.started_on), course.day_of(ld.ended_on)) for ld in course.lymphodepletions.all()
    ]
    monitoring = course_monitoring(course)
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
            "monitoring": monitoring,
            "charts": course_charts(course) if monitoring else None,
            "schedule": course_schedule(course),
            "follow_up": course_follow_up(course),
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
    if stage in POST_INFUSION_STAGES:
        if can("tracker.add_vitalsigns"):
            steps.append(NextStep("Record vital signs", "record_vitals"))
        if can("tracker.add_neuroassessment"):
            steps.append(NextStep("Record neuro check", "record_neuro"))
        if can("tracker.add_intervention"):
            steps.append(NextStep("Record treatment", "record_intervention", primary=False))
        if can("tracker.add_infusion"):
            steps.append(NextStep("Correct infusion time", "correct_infusion_time", primary=False))
        if can("tracker.add_responseassessment") and response.disease_for_diagnosis(course.diagnosis):
            steps.append(NextStep("Record response assessment", "record_response"))
        if can("tracker.add_courseevent"):
            steps.append(NextStep("Record event (relapse, death, transplant…)", "record_event", primary=False))
        if can("tracker.add_labresult"):
            steps.append(NextStep("Record lab result (IgG, B cells, counts)", "record_lab_result", primary=False))
        if can("tracker.add_infection"):
            steps.append(NextStep("Record infection", "record_infection", primary=False))
        if can("tracker.add_latediagnosis"):
            steps.append(NextStep("Record late diagnosis", "record_late_diagnosis", primary=False))
    if can("tracker.change_stage"):
        steps.append(NextStep("Move to another stage", "transition_course", primary=False))
    return steps
