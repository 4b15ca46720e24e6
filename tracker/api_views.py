"""REST endpoints. Every queryset starts from ``visible_to(request.user)``: another team's
patient is a 404, and a patient's login reaches only its own record."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tracker import services
from tracker.models import Patient, StageEvent, TreatmentCourse
from tracker.serializers import (
    CourseDetailSerializer,
    CourseSummarySerializer,
    PatientSerializer,
    TransitionInput,
)


def exception_handler(exc, context):
    """Services raise Django's ValidationError and PermissionDenied; answer them as DRF would
    its own: 400 with the messages keyed by field, or 403."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class PatientViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PatientSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return Patient.objects.visible_to(self.request.user).select_related("centre").order_by("family_name", "id")


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "public_id"
    filterset_fields = ["stage", "diagnosis", "product"]

    def get_queryset(self):
        courses = (
            TreatmentCourse.objects.visible_to(self.request.user)
            .select_related("patient")
            .with_journey_dates()
            .prefetch_related("target_antigens")
            .order_by("patient__family_name", "id")
        )
        if self.action != "list":
            courses = courses.prefetch_related(
                Prefetch("stage_events", queryset=StageEvent.objects.select_related("by"))
            )
        return courses

    def get_serializer_class(self):
        return CourseSummarySerializer if self.action == "list" else CourseDetailSerializer

    @action(detail=True, methods=["post"])
    def transitions(self, request, public_id=None):
        """Move the course to another stage; refused with the rule's message if not allowed."""
        course = self.get_object()
        incoming = TransitionInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.transition_course(course=course, by=request.user, **incoming.validated_data)
        course = self.get_queryset().get(pk=course.pk)
        return Response(CourseDetailSerializer(course).data, status=status.HTTP_201_CREATED)
