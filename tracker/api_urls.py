from rest_framework.routers import DefaultRouter

from tracker.api_views import CourseViewSet, PatientViewSet

router = DefaultRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("courses", CourseViewSet, basename="course")

urlpatterns = router.urls
