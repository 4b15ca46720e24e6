"""API v1's routes: one router, one module per resource, and the schema with its viewers."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from tracker.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from tracker.api.v1.alerts import AlertViewSet
from tracker.api.v1.bedside import InterventionViewSet, NeuroAssessmentViewSet, VitalSignsViewSet
from tracker.api.v1.calculators import CrsCalculatorView, IcansCalculatorView, ResponseCalculatorView
from tracker.api.v1.check_ins import CheckInViewSet
from tracker.api.v1.courses import CourseViewSet
from tracker.api.v1.outcomes import OutcomesView
from tracker.api.v1.patients import PatientViewSet

# The schema viewers set their own styles at run time (and ReDoc searches in a blob worker); the
# split Swagger view serves its start-up script as a file, so no inline script is needed.
docs_viewer = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

router = DefaultRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("courses", CourseViewSet, basename="course")
router.register("vital-signs", VitalSignsViewSet, basename="vital-signs")
router.register("neuro-assessments", NeuroAssessmentViewSet, basename="neuro-assessment")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("check-ins", CheckInViewSet, basename="check-in")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", docs_viewer(SpectacularSwaggerSplitView.as_view(url_name="v1:schema")), name="swagger"),
    path("schema/redoc/", docs_viewer(SpectacularRedocView.as_view(url_name="v1:schema")), name="redoc"),
    path("calculators/response/", ResponseCalculatorView.as_view(), name="response-calculator"),
    path("outcomes/", OutcomesView.as_view(), name="outcomes-report"),
    path("calculators/crs/", CrsCalculatorView.as_view(), name="crs-calculator"),
    path("calculators/icans/", IcansCalculatorView.as_view(), name="icans-calculator"),
    *router.urls,
]
