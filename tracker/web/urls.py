"""The pages' addresses. Courses, records, alerts and check-ins are addressed by public UUID."""

from django.urls import path

from tracker.web import audit, bedside, care_team, follow_up, home_check, journey, patient, records, schedule

course = "courses/<uuid:course_id>/"

urlpatterns = [
    path("favicon.ico", patient.favicon, name="favicon"),
    path("", patient.home, name="home"),
    path("dashboard/", journey.dashboard, name="dashboard"),
    path("my-journey/", patient.my_journey, name="my_journey"),
    path("my-journey/calendar.ics", patient.my_calendar, name="my_calendar"),
    path("my-journey/check-in/", home_check.home_check_in, name="home_check_in"),
    path("ward/", bedside.ward, name="ward"),
    path("alerts/", schedule.alerts_inbox, name="alerts"),
    path("alerts/<uuid:alert_id>/acknowledge/", schedule.acknowledge, name="acknowledge_alert"),
    path("alerts/<uuid:alert_id>/snooze/", schedule.snooze, name="snooze_alert"),
    path("work/", schedule.work_list, name="work_list"),
    path("milestones/", schedule.milestone_list, name="milestones"),
    path("alerts/badge/", schedule.alert_badge, name="alert_badge"),
    path("check-ins/<uuid:check_in_id>/complete/", schedule.complete, name="complete_check_in"),
    path("patients/refer/", records.refer_patient, name="refer_patient"),
    path(course, journey.course_detail, name="course_detail"),
    path(course + "audit/", audit.course_audit, name="course_audit"),
    path(course + "care-team/", care_team.care_team, name="care_team"),
    path(course + "care-team/<int:member_id>/remove/", care_team.remove_member, name="remove_care_team_member"),
    path(course + "eligibility/", records.record_eligibility, name="record_eligibility"),
    path(course + "collection/", records.record_collection, name="record_collection"),
    path(course + "manufacturing/", records.register_run, name="register_run"),
    path(course + "manufacturing/status/", records.update_run, name="update_run"),
    path(course + "manufacturing/receive/", records.receive_product, name="receive_product"),
    path(course + "bridging/", records.record_bridging, name="record_bridging"),
    path(course + "lymphodepletion/", records.record_lymphodepletion, name="record_lymphodepletion"),
    path(course + "infusion/", records.record_infusion, name="record_infusion"),
    path(course + "infusion/time/", records.correct_infusion_time, name="correct_infusion_time"),
    path(course + "stage/", records.transition_course, name="transition_course"),
    path(course + "vital-signs/", bedside.record_vitals, name="record_vitals"),
    path(course + "vital-signs/preview/", bedside.preview_vitals, name="preview_vitals"),
    path(course + "neuro/", bedside.record_neuro, name="record_neuro"),
    path(course + "neuro/preview/", bedside.preview_neuro, name="preview_neuro"),
    path(course + "interventions/", bedside.record_intervention, name="record_intervention"),
    path(course + "response/", follow_up.record_response, name="record_response"),
    path(course + "events/", follow_up.record_event, name="record_event"),
    path(course + "labs/", follow_up.record_lab_result, name="record_lab_result"),
    path(course + "infections/", follow_up.record_infection, name="record_infection"),
    path(course + "late-diagnoses/", follow_up.record_late_diagnosis, name="record_late_diagnosis"),
    path("follow-up/<str:kind>/<uuid:record_id>/amend/", follow_up.amend, name="amend_follow_up"),
    path("responses/<uuid:record_id>/release/", follow_up.release, name="release_response"),
    path("records/<str:kind>/<uuid:record_id>/amend/", bedside.amend_record, name="amend_record"),
    path("records/<str:kind>/<uuid:record_id>/amend/preview/", bedside.preview_amendment, name="preview_amendment"),
    path("records/<str:kind>/<uuid:record_id>/review/", bedside.review, name="review_record"),
]
