from django.contrib import admin
from django.urls import include, path

from tracker.views import pages, records

course = "courses/<uuid:course_id>/"

urlpatterns = [
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("my-journey/", pages.my_journey, name="my_journey"),
    path("patients/refer/", records.refer_patient, name="refer_patient"),
    path(course, pages.course_detail, name="course_detail"),
    path(course + "audit/", pages.course_audit, name="course_audit"),
    path(course + "eligibility/", records.record_eligibility, name="record_eligibility"),
    path(course + "collection/", records.record_collection, name="record_collection"),
    path(course + "manufacturing/", records.register_run, name="register_run"),
    path(course + "manufacturing/status/", records.update_run, name="update_run"),
    path(course + "manufacturing/receive/", records.receive_product, name="receive_product"),
    path(course + "bridging/", records.record_bridging, name="record_bridging"),
    path(course + "lymphodepletion/", records.record_lymphodepletion, name="record_lymphodepletion"),
    path(course + "infusion/", records.record_infusion, name="record_infusion"),
    path(course + "stage/", records.transition_course, name="transition_course"),
    path("api/", include("tracker.api_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
