"""API v1's routes: one router, one module per resource."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from tracker.api.v1.alerts import AlertViewSet
from tracker.api.v1.bedside import InterventionViewSet, NeuroAssessmentViewSet, VitalSignsViewSet
from tracker.api.v1.calculators import ResponseCalculatorView
from tracker.api.v1.check_ins import CheckInViewSet
from tracker.api.v1.courses import CourseViewSet
from tracker.api.v1.outcomes import OutcomesView
from tracker.api.v1.patients import PatientViewSet

router = DefaultRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("courses", CourseViewSet, basename="course")
router.register("vital-signs", VitalSignsViewSet, basename="vital-signs")
router.register("neuro-assessments", NeuroAssessmentViewSet, basename="neuro-assessment")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("check-ins", CheckInViewSet, basename="check-in")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = [
    path("calculators/response/", ResponseCalculatorView.as_view(), name="response-calculator"),
    path("outcomes/", OutcomesView.as_view(), name="outcomes-report"),
    *router.urls,
]
