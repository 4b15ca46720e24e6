"""Courses: list and read, stage moves, and the bedside records listed and recorded under a
course. Every lookup goes through ``get_course_for``: another team's course is a 404."""

from django.db.models import Prefetch
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tracker.api.permissions import StaffOrOwnRecordReadOnly
from tracker.api.v1.bedside import (
    InterventionInput,
    InterventionOutput,
    NeuroAssessmentInput,
    NeuroAssessmentOutput,
    ThresholdEventOutput,
    ToxicityEpisodeOutput,
    VitalSignsInput,
    VitalSignsOutput,
)
from tracker.api.v1.follow_up import (
    EventInput,
    EventOutput,
    InfectionInput,
    InfectionOutput,
    LabResultInput,
    LabResultOutput,
    LateDiagnosisInput,
    LateDiagnosisOutput,
    ResponseAssessmentInput,
    ResponseAssessmentOutput,
)
from tracker.bedside import services as bedside
from tracker.clinical.stages import Stage
from tracker.follow_up import services as follow_up
from tracker.journey import services as journey
from tracker.journey.selectors import get_course_for
from tracker.models import StageEvent, TreatmentCourse


class StageEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username")

    class Meta:
        model = StageEvent
        fields = ["from_stage", "to_stage", "occurred_at", "recorded_at", "by", "note", "override_reason"]


class CourseSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id")
    mrn = serializers.CharField(source="patient.mrn")
    target_antigens = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)
    day_number = serializers.SerializerMethodField()

    class Meta:
        model = TreatmentCourse
        fields = [
            "id",
            "patient",
            "mrn",
            "sequence",
            "diagnosis",
            "product",
            "investigational_product_name",
            "target_antigens",
            "antigen_construct",
            "referred_on",
            "stage",
            "stage_entered_at",
            "day_number",
        ]

    def get_day_number(self, course) -> int | None:
        return course.day_number()


class VeinToVeinSerializer(serializers.Serializer):
    total_days = serializers.IntegerField(allow_null=True)
    collection_to_shipment_days = serializers.IntegerField(allow_null=True)
    shipment_to_release_days = serializers.IntegerField(allow_null=True)
    release_to_delivery_days = serializers.IntegerField(allow_null=True)
    delivery_to_infusion_days = serializers.IntegerField(allow_null=True)


class CourseDetailSerializer(CourseSummarySerializer):
    stage_events = StageEventSerializer(many=True, read_only=True)
    day_zero = serializers.DateField(read_only=True)
    vein_to_vein = serializers.SerializerMethodField()

    class Meta(CourseSummarySerializer.Meta):
        fields = [*CourseSummarySerializer.Meta.fields, "day_zero", "vein_to_vein", "stage_events"]

    def get_vein_to_vein(self, course):
        v2v = course.vein_to_vein()
        return VeinToVeinSerializer(v2v).data if v2v else None


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=[s.value for s in Stage])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False)


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

    def get_object(self):
        course = get_course_for(self.request.user, self.kwargs["public_id"], queryset=self.get_queryset())
        self.check_object_permissions(self.request, course)
        return course

    def get_serializer_class(self):
        return CourseSummarySerializer if self.action == "list" else CourseDetailSerializer

    @action(detail=True, methods=["post"])
    def transitions(self, request, public_id=None):
        """Move the course to another stage; refused with the rule's message if not allowed."""
        course = self.get_object()
        incoming = TransitionInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        journey.transition_course(course=course, by=request.user, **incoming.validated_data)
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
            record=bedside.record_vital_signs,
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
            record=bedside.record_neuro_assessment,
            time_field="observed_at",
        )

    @action(detail=True, methods=["get", "post"])
    def interventions(self, request, public_id=None):
        return self._bedside(
            request,
            rows=lambda c: c.interventions.select_related("given_by"),
            output=InterventionOutput,
            input_class=InterventionInput,
            record=bedside.record_intervention,
            time_field="given_at",
        )

    @action(detail=True, methods=["get"])
    def episodes(self, request, public_id=None):
        page = self.paginate_queryset(self.get_object().toxicity_episodes.order_by("syndrome", "number"))
        return self.get_paginated_response(ToxicityEpisodeOutput(page, many=True).data)

    @action(detail=True, methods=["get"], url_path="threshold-events")
    def threshold_events(self, request, public_id=None):
        page = self.paginate_queryset(self.get_object().threshold_events.all())
        return self.get_paginated_response(ThresholdEventOutput(page, many=True).data)

    # --- Follow-up (docs/clinical-rules.md §7-§9) ---------------------------------------------

    @action(detail=True, methods=["get", "post"])
    def responses(self, request, public_id=None):
        """Response assessments; the category is computed from the findings, never sent."""
        return self._bedside(
            request,
            rows=lambda c: c.response_assessments,
            output=ResponseAssessmentOutput,
            input_class=ResponseAssessmentInput,
            record=follow_up.record_response_assessment,
            time_field="assessed_on",
        )

    @action(detail=True, methods=["get", "post"])
    def events(self, request, public_id=None):
        """Relapse or progression, death (closes the course), new therapy, transplant, contacts."""
        return self._bedside(
            request,
            rows=lambda c: c.course_events,
            output=EventOutput,
            input_class=EventInput,
            record=follow_up.record_event,
            time_field="occurred_on",
        )

    @action(detail=True, methods=["get", "post"], url_path="lab-results")
    def lab_results(self, request, public_id=None):
        return self._bedside(
            request,
            rows=lambda c: c.lab_results,
            output=LabResultOutput,
            input_class=LabResultInput,
            record=follow_up.record_lab_result,
            time_field="collected_on",
        )

    @action(detail=True, methods=["get", "post"])
    def infections(self, request, public_id=None):
        return self._bedside(
            request,
            rows=lambda c: c.infections,
            output=InfectionOutput,
            input_class=InfectionInput,
            record=follow_up.record_infection,
            time_field="onset_on",
        )

    @action(detail=True, methods=["get", "post"], url_path="late-diagnoses")
    def late_diagnoses(self, request, public_id=None):
        return self._bedside(
            request,
            rows=lambda c: c.late_diagnoses,
            output=LateDiagnosisOutput,
            input_class=LateDiagnosisInput,
            record=follow_up.record_late_diagnosis,
            time_field="diagnosed_on",
        )
