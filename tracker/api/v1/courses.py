"""Courses: list and read, stage moves, and the bedside records listed and recorded under a
course. Every lookup goes through ``get_course_for``: another team's course is a 404."""

from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django_filters.filterset import filterset_factory
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tracker.accounts import security
from tracker.api.filters import filter_strictly
from tracker.api.permissions import ActionPermission, StaffOrOwnRecordReadOnly
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
from tracker.api.v1.journey import (
    CareTeamMemberInput,
    CareTeamMemberOutput,
    CollectionInput,
    CollectionOutput,
    EligibilityInput,
    EligibilityOutput,
    InfusionOutput,
    ManufacturingRunInput,
    ManufacturingRunOutput,
    TimelineEntry,
)
from tracker.bedside import services as bedside
from tracker.clinical.stages import Stage
from tracker.core.errors import Refusal
from tracker.follow_up import services as follow_up
from tracker.journey import services as journey
from tracker.journey.selectors import get_course_for
from tracker.models import ChartAccess, CollectionBag, StageEvent, TreatmentCourse


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

    @extend_schema_field(VeinToVeinSerializer(allow_null=True))
    def get_vein_to_vein(self, course):
        v2v = course.vein_to_vein()
        return VeinToVeinSerializer(v2v).data if v2v else None


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=[s.value for s in Stage])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False)


def time_parameters(field: str) -> list[OpenApiParameter]:
    kind = OpenApiTypes.DATE if field.endswith("_on") else OpenApiTypes.DATETIME
    return [
        OpenApiParameter(f"{field}__gte", kind, description=f"Only records with {field} on or after this."),
        OpenApiParameter(f"{field}__lte", kind, description=f"Only records with {field} on or before this."),
    ]


def records_schema(output, input_class, time_field: str):
    """The schema of a list-and-record action under a course."""

    def decorate(function):
        function = extend_schema(
            methods=["GET"], responses=output(many=True), parameters=time_parameters(time_field), filters=False
        )(function)
        return extend_schema(methods=["POST"], request=input_class, responses={201: output})(function)

    return decorate


def filter_by_time(request, rows, field: str):
    """``?<field>__gte=`` and ``?<field>__lte=`` through django-filter (a bad value is a 400)."""
    filterset = filterset_factory(rows.model, fields={field: ["gte", "lte"]})(request.query_params, queryset=rows)
    return filter_strictly(filterset)


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "public_id"
    # A patient's login reads its own course summary; every action below is staff only.
    permission_classes = [StaffOrOwnRecordReadOnly, ActionPermission]
    filterset_fields = ["stage", "diagnosis", "product"]
    action_permissions = {
        "transitions": "tracker.change_stage",
        "vital_signs": "tracker.add_vitalsigns",
        "neuro_assessments": "tracker.add_neuroassessment",
        "interventions": "tracker.add_intervention",
        "responses": "tracker.add_responseassessment",
        "events": "tracker.add_courseevent",
        "lab_results": "tracker.add_labresult",
        "infections": "tracker.add_infection",
        "late_diagnoses": "tracker.add_latediagnosis",
        "care_team": "tracker.add_careteammember",
        "eligibility": "tracker.add_eligibilityassessment",
        "collections": "tracker.add_leukapheresis",
        "manufacturing_runs": "tracker.add_manufacturingrun",
    }

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
        # Every course endpoint (detail, timeline, records, writes) finds its course here.
        security.record_chart_access(
            request=self.request._request,
            patient_id=course.patient_id,
            course_id=course.id,
            what=ChartAccess.What.API_COURSE,
        )
        return course

    def get_serializer_class(self):
        return CourseSummarySerializer if self.action == "list" else CourseDetailSerializer

    @extend_schema(methods=["GET"], responses=StageEventSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], request=TransitionInput, responses={201: CourseDetailSerializer})
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request, public_id=None):
        """The course's stage moves (oldest first), or move it to another stage; refused with the
        rule's message if not allowed."""
        course = self.get_object()
        if request.method == "GET":
            rows = course.stage_events.select_related("by").order_by("occurred_at", "id")
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(StageEventSerializer(page, many=True).data)
        incoming = TransitionInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        journey.transition_course(course=course, by=request.user, **incoming.validated_data)
        course = self.get_queryset().get(pk=course.pk)
        return Response(CourseDetailSerializer(course).data, status=status.HTTP_201_CREATED)

    def _records(self, request, *, rows, output, input_class=None, record=None, time_field, current=True):
        """List a course's records under it (newest first, ``?<time>__gte=`` / ``__lte=``), or
        record a new one through its service."""
        course = self.get_object()
        if request.method == "GET":
            listed = rows(course)
            listed = listed.current() if current else listed
            listed = filter_by_time(request, listed, time_field).order_by(f"-{time_field}", "-id")
            page = self.paginate_queryset(listed)
            return self.get_paginated_response(output(page, many=True).data)
        incoming = input_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        result = record(course=course, by=request.user, **{time_field: data.pop(time_field)}, **data)
        body = output(getattr(result, "observation", result)).data
        if hasattr(result, "events"):
            body["threshold_events"] = ThresholdEventOutput(result.events, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _bedside(self, request, *, rows, **kwargs):
        return self._records(
            request, rows=lambda c: rows(c).select_related("course", "recorded_by", "amends"), **kwargs
        )

    @records_schema(VitalSignsOutput, VitalSignsInput, "observed_at")
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

    @records_schema(NeuroAssessmentOutput, NeuroAssessmentInput, "observed_at")
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

    @records_schema(InterventionOutput, InterventionInput, "given_at")
    @action(detail=True, methods=["get", "post"])
    def interventions(self, request, public_id=None):
        """Tocilizumab, steroids and other interventions, with their dose warnings."""
        return self._bedside(
            request,
            rows=lambda c: c.interventions.select_related("given_by"),
            output=InterventionOutput,
            input_class=InterventionInput,
            record=bedside.record_intervention,
            time_field="given_at",
        )

    @extend_schema(responses=ToxicityEpisodeOutput(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def episodes(self, request, public_id=None):
        """CRS and ICANS episodes: onset, worst grade, resolution."""
        page = self.paginate_queryset(self.get_object().toxicity_episodes.order_by("syndrome", "number"))
        return self.get_paginated_response(ToxicityEpisodeOutput(page, many=True).data)

    @extend_schema(responses=ThresholdEventOutput(many=True), parameters=time_parameters("occurred_at"), filters=False)
    @action(detail=True, methods=["get"], url_path="threshold-events")
    def threshold_events(self, request, public_id=None):
        """The moments a grade crossed an alerting threshold."""
        rows = filter_by_time(request, self.get_object().threshold_events.all(), "occurred_at")
        page = self.paginate_queryset(rows.order_by("-occurred_at", "-id"))
        return self.get_paginated_response(ThresholdEventOutput(page, many=True).data)

    # --- Follow-up (docs/clinical-rules.md §7-§9) ---------------------------------------------

    @records_schema(ResponseAssessmentOutput, ResponseAssessmentInput, "assessed_on")
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

    @records_schema(EventOutput, EventInput, "occurred_on")
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

    @records_schema(LabResultOutput, LabResultInput, "collected_on")
    @action(detail=True, methods=["get", "post"], url_path="lab-results")
    def lab_results(self, request, public_id=None):
        """Laboratory results (IgG, B cells, blood counts), interpreted against their ranges."""
        return self._bedside(
            request,
            rows=lambda c: c.lab_results,
            output=LabResultOutput,
            input_class=LabResultInput,
            record=follow_up.record_lab_result,
            time_field="collected_on",
        )

    @records_schema(InfectionOutput, InfectionInput, "onset_on")
    @action(detail=True, methods=["get", "post"])
    def infections(self, request, public_id=None):
        """Infections after infusion."""
        return self._bedside(
            request,
            rows=lambda c: c.infections,
            output=InfectionOutput,
            input_class=InfectionInput,
            record=follow_up.record_infection,
            time_field="onset_on",
        )

    @records_schema(LateDiagnosisOutput, LateDiagnosisInput, "diagnosed_on")
    @action(detail=True, methods=["get", "post"], url_path="late-diagnoses")
    def late_diagnoses(self, request, public_id=None):
        """Late diagnoses (second cancers, T-cell malignancies, autoimmune disease)."""
        return self._bedside(
            request,
            rows=lambda c: c.late_diagnoses,
            output=LateDiagnosisOutput,
            input_class=LateDiagnosisInput,
            record=follow_up.record_late_diagnosis,
            time_field="diagnosed_on",
        )

    # --- The journey's records (docs/clinical-rules.md §2) -------------------------------------------------

    @extend_schema(methods=["GET"], responses=CareTeamMemberOutput(many=True), filters=False)
    @extend_schema(methods=["POST"], request=CareTeamMemberInput, responses={201: CareTeamMemberOutput})
    @action(detail=True, methods=["get", "post"], url_path="care-team")
    def care_team(self, request, public_id=None):
        """The course's care team (who sees the patient), or add a staff member of the centre."""
        course = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(course.care_team_members.select_related("user").order_by("added_at", "id"))
            return self.get_paginated_response(CareTeamMemberOutput(page, many=True).data)
        incoming = CareTeamMemberInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(username=incoming.validated_data["username"], is_active=True).first()
        if user is None:
            raise Refusal("no active staff login has this username.", field="username")
        member = journey.add_care_team_member(
            course=course, user=user, role=incoming.validated_data["role"], by=request.user
        )
        return Response(CareTeamMemberOutput(member).data, status=status.HTTP_201_CREATED)

    @records_schema(EligibilityOutput, EligibilityInput, "assessed_on")
    @action(detail=True, methods=["get", "post"])
    def eligibility(self, request, public_id=None):
        """Eligibility assessments; an eligible patient needs the date consent was signed."""
        return self._records(
            request,
            rows=lambda c: c.eligibility_assessments.select_related("assessed_by"),
            output=EligibilityOutput,
            input_class=EligibilityInput,
            record=journey.record_eligibility,
            time_field="assessed_on",
            current=False,
        )

    @records_schema(CollectionOutput, CollectionInput, "collected_on")
    @action(detail=True, methods=["get", "post"])
    def collections(self, request, public_id=None):
        """Leukapheresis sessions with their bag identifiers."""
        return self._records(
            request,
            rows=lambda c: c.collections.select_related("recorded_by").prefetch_related("bags"),
            output=CollectionOutput,
            input_class=CollectionInput,
            record=journey.record_collection,
            time_field="collected_on",
            current=False,
        )

    @records_schema(ManufacturingRunOutput, ManufacturingRunInput, "created_at")
    @action(detail=True, methods=["get", "post"], url_path="manufacturing-runs")
    def manufacturing_runs(self, request, public_id=None):
        """Manufacturing runs; register one by naming a bag of the collection sent."""
        course = self.get_object()
        if request.method == "GET":
            return self._records(
                request,
                rows=lambda c: c.manufacturing_runs.prefetch_related("bags", "collection__bags"),
                output=ManufacturingRunOutput,
                time_field="created_at",
                current=False,
            )
        incoming = ManufacturingRunInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        bag = (
            CollectionBag.objects.filter(collection__course=course, bag_identifier=data.pop("collection_bag"))
            .select_related("collection")
            .first()
        )
        if bag is None:
            raise Refusal("no collection of this course has this bag.", field="collection_bag")
        run = journey.register_manufacturing_run(course=course, by=request.user, collection=bag.collection, **data)
        return Response(ManufacturingRunOutput(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=InfusionOutput(many=True), parameters=time_parameters("infused_at"), filters=False)
    @action(detail=True, methods=["get"])
    def infusions(self, request, public_id=None):
        """Infusions (day 0). They are recorded on the bedside page, where the second checker
        confirms the chain of identity with their own password."""
        return self._records(
            request,
            rows=lambda c: c.infusions.select_related(
                "identity_checked_by", "identity_second_check_by"
            ).prefetch_related("bags"),
            output=InfusionOutput,
            time_field="infused_at",
            current=False,
        )

    @extend_schema(responses=TimelineEntry(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def timeline(self, request, public_id=None):
        """The course's journey in time order: stage moves, eligibility, collections,
        manufacturing, infusions and threshold events (one query per kind)."""
        course = self.get_object()
        page = self.paginate_queryset(sorted(timeline_of(course), key=lambda entry: entry["at"]))
        return self.get_paginated_response(TimelineEntry(page, many=True).data)


def _moment(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def timeline_of(course: TreatmentCourse) -> list[dict]:
    entries = [
        {"at": e.occurred_at, "kind": "stage", "summary": f"{e.get_from_stage_display()} → {e.get_to_stage_display()}"}
        for e in course.stage_events.all()
    ]
    entries += [
        {"at": _moment(a.assessed_on), "kind": "eligibility", "summary": "Eligible" if a.eligible else "Not eligible"}
        for a in course.eligibility_assessments.all()
    ]
    entries += [
        {"at": _moment(c.collected_on), "kind": "collection", "summary": f"Leukapheresis at {c.site}"}
        for c in course.collections.all()
    ]
    entries += [
        {"at": r.created_at, "kind": "manufacturing", "summary": f"{r.manufacturer}: {r.get_status_display()}"}
        for r in course.manufacturing_runs.all()
    ]
    entries += [
        {"at": i.infused_at, "kind": "infusion", "summary": f"Infusion, {i.dose_value} {i.get_dose_unit_display()}"}
        for i in course.infusions.all()
    ]
    entries += [
        {"at": t.occurred_at, "kind": "threshold_event", "summary": t.summary} for t in course.threshold_events.all()
    ]
    return entries
