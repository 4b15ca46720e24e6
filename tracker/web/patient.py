"""The patient's own pages: their timeline, appointments and label restrictions, in plain words.
A patient's login reaches its own record only, found through the login, never through an id in
the address."""

from datetime import datetime, timedelta

import icalendar
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from tracker.accounts import security
from tracker.clinical.stages import Stage
from tracker.core import roles
from tracker.follow_up.selectors import released_response
from tracker.models import ChartAccess, CheckIn, Patient, StageEvent, TreatmentCourse
from tracker.schedule.selectors import label_conditions

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


def favicon(request):
    """Browsers ask for /favicon.ico; the icon is a static file (looked up per request, so the
    manifest of collected static files is only needed when it is asked for)."""
    return redirect(static("tracker/favicon.svg"), permanent=True)


@login_required
def home(request):
    if roles.role_of(request.user) == roles.PATIENT:
        return redirect("my_journey")
    return redirect("dashboard")


@login_required
def my_journey(request):
    """A patient's own timeline. It is found through their login, never through a URL id, so
    there is nothing to change in the address bar to reach someone else."""
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None:
        if roles.is_staff_role(request.user):
            return redirect("dashboard")
        raise PermissionDenied("This login is not linked to a patient record.")
    security.record_chart_access(request=request, patient_id=patient.pk, what=ChartAccess.What.OWN_TIMELINE)
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
        reached = [(Stage(e.to_stage), e, course.day_of(e.occurred_at)) for e in course.stage_events.all()]
        journeys.append(
            {
                "course": course,
                "day": course.day_number(today),
                "reached": reached,
                "explanation": PATIENT_STAGE_TEXT[course.stage_enum],
                "upcoming": upcoming_stages(course.stage_enum),
                "appointments": [(c, label) for c, label in appointments if c.course_id == course.id][:5],
                "restrictions": label_restrictions(course, timezone.now()),
                "response": released_response(course),
            }
        )
    return render(request, "tracker/my_journey.html", {"patient": patient, "journeys": journeys})


APPOINTMENT_MINUTES = 60


@login_required
def my_calendar(request):
    """The patient's appointments as a calendar file (RFC 5545) to add to a phone's calendar.
    Like the journey page, it is found through the login alone."""
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None:
        raise Http404("This login is not linked to a patient record.")
    check_ins = CheckIn.objects.filter(
        course__patient=patient,
        status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.DUE],
        kind__in=PATIENT_APPOINTMENTS,
    ).order_by("due_at")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//CAR-T journey tracker//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "CAR-T appointments")
    stamp = timezone.now()
    for check_in in check_ins:
        event = icalendar.Event()
        event.add("uid", f"{check_in.public_id}@cart-tracker")
        event.add("dtstamp", stamp)
        event.add("dtstart", check_in.due_at)
        event.add("dtend", check_in.due_at + timedelta(minutes=APPOINTMENT_MINUTES))
        event.add("summary", patient_label(check_in))
        event.add("description", "Your CAR-T care team will confirm the exact time.")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cart-appointments.ics"'
    return response


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


def label_restrictions(course: TreatmentCourse, now: datetime) -> list[str]:
    """What the product's label asks of the patient after infusion (docs/clinical-rules.md §6.6), while it
    still applies: staying near the centre, not driving. Each lasts the label's number of full
    days from the infusion moment and is shown with its end date and time (§6.6). A product
    without label data gets the most cautious conditions, which the team confirms."""
    conditions = label_conditions(course)
    if conditions is None:
        return []
    near_until = conditions.periods.stay_near_centre_until
    drive_from = conditions.periods.no_driving_until
    notes = []
    if now < near_until:
        notes.append(f"Stay within about 2 hours of your treatment centre until {_moment(near_until)}.")
    if now < drive_from:
        notes.append(f"Do not drive or operate heavy machinery until {_moment(drive_from)}.")
    if notes and not conditions.terms.has_label_data:
        notes.append("Your care team will confirm how long these apply for your treatment.")
    return notes


def _moment(instant: datetime) -> str:
    """'Monday 30 March, 11:00' in the centre's time zone."""
    local = timezone.localtime(instant)
    return f"{local:%A %d %B, %H:%M}"


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
