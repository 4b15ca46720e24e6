from rest_framework.routers import DefaultRouter

from tracker.api_views import (
    AlertViewSet,
    CheckInViewSet,
    CourseViewSet,
    InterventionViewSet,
    NeuroAssessmentViewSet,
    PatientViewSet,
    VitalSignsViewSet,
)

router = DefaultRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("courses", CourseViewSet, basename="course")
router.register("vital-signs", VitalSignsViewSet, basename="vital-signs")
router.register("neuro-assessments", NeuroAssessmentViewSet, basename="neuro-assessment")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("check-ins", CheckInViewSet, basename="check-in")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = router.urls
