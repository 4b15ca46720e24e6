"""REST endpoints. Every queryset starts from ``visible_to(request.user)``: another team's
patient is a 404, and a patient's login reaches only its own record."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tracker import services
from tracker.api_permissions import StaffOrOwnRecordReadOnly
from tracker.models import (
    Alert,
    CheckIn,
    Intervention,
    NeuroAssessment,
    Patient,
    StageEvent,
    TreatmentCourse,
    VitalSigns,
)
from tracker.serializers import (
    AlertOutput,
    AmendmentInput,
    CheckInOutput,
    CompleteInput,
    CourseDetailSerializer,
    CourseSummarySerializer,
    InterventionInput,
    InterventionOutput,
    NeuroAssessmentInput,
    NeuroAssessmentOutput,
    PatientSerializer,
    ReviewInput,
    SnoozeInput,
    ThresholdEventOutput,
    ToxicityEpisodeOutput,
    TransitionInput,
    VitalSignsInput,
    VitalSignsOutput,
)
from tracker.services import alerts as alert_service
from tracker.services import scheduling


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
    permission_classes = [StaffOrOwnRecordReadOnly]
    lookup_field = "public_id"

    def get_queryset(self):
        return Patient.objects.visible_to(self.request.user).select_related("centre").order_by("family_name", "id")


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "public_id"
    # A patient's login reads its own course summary; every action below is staff only.
    permission_classes = [StaffOrOwnRecordReadOnly]
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

    def _bedside(self, request, *, rows, output, input_class, record, time_field):
        """List a course's current bedside records (newest first), or record a new one."""
        course = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(rows(course).current().select_related("course", "recorded_by", "amends"))
            return self.get_paginated_response(output(page, many=True).data)
        incoming = input_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        result = record(course=course, by=request.user, **{time_field: data.pop(time_field)}, **data)
        body = output(getattr(result, "observation", result)).data
        if hasattr(result, "events"):
            body["threshold_events"] = ThresholdEventOutput(result.events, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"], url_path="vital-signs")
    def vital_signs(self, request, public_id=None):
        """Vital signs graded for CRS (ASTCT 2019)."""
        return self._bedside(
            request,
            rows=lambda c: c.vital_signs,
            output=VitalSignsOutput,
            input_class=VitalSignsInput,
            record=services.record_vital_signs,
            time_field="observed_at",
        )

    @action(detail=True, methods=["get", "post"], url_path="neuro-assessments")
    def neuro_assessments(self, request, public_id=None):
        """Neurological checks graded for ICANS (ASTCT 2019)."""
        return self._bedside(
            request,
            rows=lambda c: c.neuro_assessments,
            output=NeuroAssessmentOutput,
            input_class=NeuroAssessmentInput,
            record=services.record_neuro_assessment,
            time_field="observed_at",
        )

    @action(detail=True, methods=["get", "post"])
    def interventions(self, request, public_id=None):
        return self._bedside(
            request,
            rows=lambda c: c.interventions.select_related("given_by"),
            output=InterventionOutput,
            input_class=InterventionInput,
            record=services.record_intervention,
            time_field="given_at",
        )

    @action(detail=True, methods=["get"])
    def episodes(self, request, public_id=None):
        return Response(ToxicityEpisodeOutput(self.get_object().toxicity_episodes.all(), many=True).data)

    @action(detail=True, methods=["get"], url_path="threshold-events")
    def threshold_events(self, request, public_id=None):
        page = self.paginate_queryset(self.get_object().threshold_events.all())
        return self.get_paginated_response(ThresholdEventOutput(page, many=True).data)


class BedsideRecordViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One bedside record: read it, correct it (a new version with a reason), or review it."""

    lookup_field = "public_id"
    model = None
    input_class = None

    def get_queryset(self):
        visible = TreatmentCourse.objects.visible_to(self.request.user)
        return self.model.objects.filter(course__in=visible).select_related("course", "recorded_by", "amends")

    @action(detail=True, methods=["post"])
    def amend(self, request, public_id=None):
        original = self.get_object()
        reason = AmendmentInput(data=request.data)
        reason.is_valid(raise_exception=True)
        incoming = self.input_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = type(self).amend_record(
            original=original, by=request.user, reason=reason.validated_data["reason"], **incoming.validated_data
        )
        body = self.get_serializer(getattr(result, "observation", result)).data
        if hasattr(result, "events"):
            body["threshold_events"] = ThresholdEventOutput(result.events, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)


class VitalSignsViewSet(BedsideRecordViewSet):
    model = VitalSigns
    serializer_class = VitalSignsOutput
    input_class = VitalSignsInput
    amend_record = staticmethod(services.amend_vital_signs)

    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        return _review(self, request)


class NeuroAssessmentViewSet(BedsideRecordViewSet):
    model = NeuroAssessment
    serializer_class = NeuroAssessmentOutput
    input_class = NeuroAssessmentInput
    amend_record = staticmethod(services.amend_neuro_assessment)

    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        return _review(self, request)


class InterventionViewSet(BedsideRecordViewSet):
    model = Intervention
    serializer_class = InterventionOutput
    input_class = InterventionInput
    amend_record = staticmethod(services.amend_intervention)

    def get_queryset(self):
        return super().get_queryset().select_related("given_by")


def _review(viewset, request):
    incoming = ReviewInput(data=request.data)
    incoming.is_valid(raise_exception=True)
    observation = services.review_assessment(
        observation=viewset.get_object(), by=request.user, **incoming.validated_data
    )
    return Response(viewset.get_serializer(observation).data)


class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Check-ins of the patients I may see; ``?status=due``, ``?kind=``, ``?course=<id>``."""

    serializer_class = CheckInOutput
    lookup_field = "public_id"
    filterset_fields = ["status", "kind", "assignee_role"]

    def get_queryset(self):
        rows = (
            CheckIn.objects.visible_to(self.request.user)
            .select_related("course", "completed_by")
            .order_by("due_at", "id")
        )
        course = self.request.query_params.get("course")
        return rows.filter(course__public_id=course) if course else rows

    @action(detail=True, methods=["post"])
    def complete(self, request, public_id=None):
        incoming = CompleteInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        check_in = scheduling.complete_check_in(check_in=self.get_object(), by=request.user, **incoming.validated_data)
        return Response(self.get_serializer(check_in).data)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts sent to me (``?scope=all``: every alert for the patients I may see)."""

    serializer_class = AlertOutput
    lookup_field = "public_id"
    filterset_fields = ["status", "kind", "urgency"]

    def get_queryset(self):
        alerts = Alert.objects.filter(course__in=TreatmentCourse.objects.visible_to(self.request.user))
        if self.action == "list" and self.request.query_params.get("scope") != "all":
            alerts = alerts.for_user(self.request.user)
        return alerts.select_related("course", "check_in", "acknowledged_by").order_by("-created_at", "-id")

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, public_id=None):
        alert = alert_service.acknowledge_alert(
            alert=self.get_object(), by=request.user, note=str(request.data.get("note", ""))
        )
        return Response(self.get_serializer(alert).data)

    @action(detail=True, methods=["post"])
    def snooze(self, request, public_id=None):
        incoming = SnoozeInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        until = timezone.now() + timedelta(minutes=incoming.validated_data["minutes"])
        alert = alert_service.snooze_alert(
            alert=self.get_object(), by=request.user, until=until, reason=incoming.validated_data["reason"]
        )
        return Response(self.get_serializer(alert).data)
