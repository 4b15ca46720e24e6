"""A course's audit trail: who changed what, when and why, from the history tables."""

import csv
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tracker.accounts import security
from tracker.core import roles
from tracker.core.audit import field_changes
from tracker.journey.selectors import get_course_for
from tracker.models import (
    Alert,
    BridgingTherapy,
    CareTeamMember,
    ChartAccess,
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
    ThresholdEvent,
    ToxicityEpisode,
    TreatmentCourse,
    VitalSigns,
)
from tracker.web.access import staff_only

ACCESS_ROWS_SHOWN = 200


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
    (ThresholdEvent, "course_id", "course", lambda r: f"Threshold event {_when(r.occurred_at)}: {r.summary}"),
    (
        ToxicityEpisode,
        "course_id",
        "course",
        lambda r: (
            f"{r.syndrome.upper()} episode {r.number} (max grade {r.max_grade})"
            + (" retracted" if r.retracted_at else "")
        ),
    ),
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


def _audit_rows(course) -> list[AuditRow]:
    ids = {"patient": course.patient_id, "course": course.id}
    rows = [row for model, key, of, describe in AUDITED for row in _history_rows(model, key, ids[of], describe)]
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows


def _sees_access_log(user) -> bool:
    # The access log (who viewed this patient's chart) and the audit export are for
    # coordinators, who answer for the programme's records, and for administrators.
    return roles.role_of(user) == roles.COORDINATOR or user.is_superuser


@staff_only
def course_audit(request, course_id):
    """Who changed what, when and why, on this course and every record of its journey: stage
    records, bedside records and their amendments and reviews, check-ins completed, alerts
    acknowledged or snoozed, and schedule changes."""
    course = get_course_for(request.user, course_id)
    security.record_chart_access(
        request=request, patient_id=course.patient_id, course_id=course.id, what=ChartAccess.What.AUDIT_PAGE
    )
    accesses = None
    if _sees_access_log(request.user):
        accesses = list(
            ChartAccess.objects.filter(patient_id=course.patient_id).select_related("user")[:ACCESS_ROWS_SHOWN]
        )
    context = {"course": course, "rows": _audit_rows(course), "accesses": accesses}
    return render(request, "tracker/course_audit.html", context)


@staff_only
def course_audit_export(request, course_id):
    """The audit trail and the access log of one course as CSV, for a compliance request:
    who, when, what and why. The export itself is recorded in the access log."""
    course = get_course_for(request.user, course_id)
    if not _sees_access_log(request.user):
        raise PermissionDenied("The audit export is for coordinators.")
    security.record_chart_access(
        request=request, patient_id=course.patient_id, course_id=course.id, what=ChartAccess.What.AUDIT_EXPORT
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{course.public_id}.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "who", "kind", "record", "changes", "reason"])
    for row in _audit_rows(course):
        changes = "; ".join(f"{name}: {old} -> {new}" for name, old, new in row.changes)
        who = row.who.get_username() if row.who else ""
        writer.writerow([row.when.isoformat(), who, row.kind, row.what, changes, row.reason])
    for access in ChartAccess.objects.filter(patient_id=course.patient_id).select_related("user"):
        detail = f"{access.path} from {access.ip_address or '-'}"
        writer.writerow(
            [access.at.isoformat(), access.user.get_username(), "viewed", access.get_what_display(), detail, ""]
        )
    return response
