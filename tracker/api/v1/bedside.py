"""Bedside records: vital signs, neurological checks and interventions. Listed and recorded under
their course (``courses``); read, corrected and reviewed here by their own public id. Input
serializers check types only; the services check ranges and consistency, so the API and the
forms give the same errors, naming the field and the allowed range."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tracker.bedside import services
from tracker.clinical import neuro_scores
from tracker.models import Intervention, NeuroAssessment, ThresholdEvent, ToxicityEpisode, TreatmentCourse, VitalSigns


class VitalSignsInput(serializers.Serializer):
    observed_at = serializers.DateTimeField()
    temperature_value = serializers.DecimalField(max_digits=6, decimal_places=2)
    temperature_unit = serializers.ChoiceField(choices=VitalSigns.TemperatureUnit.choices, default="C")
    temperature_site = serializers.ChoiceField(choices=VitalSigns.TemperatureSite.choices, default="oral")
    heart_rate = serializers.IntegerField()
    systolic_bp = serializers.IntegerField()
    diastolic_bp = serializers.IntegerField()
    respiratory_rate = serializers.IntegerField()
    spo2 = serializers.IntegerField()
    oxygen_device = serializers.CharField(default="none")
    oxygen_flow_l_min = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    fio2_pct = serializers.IntegerField(required=False, allow_null=True)
    vasopressors = serializers.ListField(child=serializers.CharField(), default=list)
    hypotension_by_judgement = serializers.BooleanField(default=False)
    fever_other_cause = serializers.BooleanField(default=False)
    hypotension_other_cause = serializers.BooleanField(default=False)
    hypoxia_other_cause = serializers.BooleanField(default=False)
    attribution_note = serializers.CharField(default="", allow_blank=True)
    nurse_judged_grade = serializers.IntegerField(required=False, allow_null=True)


class NeuroAssessmentInput(serializers.Serializer):
    observed_at = serializers.DateTimeField()
    tool = serializers.ChoiceField(choices=NeuroAssessment.Tool.choices, required=False)
    not_assessable_reason = serializers.CharField(default="", allow_blank=True)
    level_of_consciousness = serializers.CharField(default="alert")
    consciousness_other_cause = serializers.BooleanField(default=False)
    seizure_occurred = serializers.BooleanField(default=False)
    seizure_kind = serializers.CharField(default="", allow_blank=True)
    seizure_duration_min = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    seizure_repeated = serializers.BooleanField(default=False)
    seizure_returned_to_baseline = serializers.BooleanField(required=False, allow_null=True)
    motor_finding = serializers.CharField(default="none")
    raised_icp_findings = serializers.ListField(child=serializers.CharField(), default=list)
    attribution_note = serializers.CharField(default="", allow_blank=True)
    nurse_judged_grade = serializers.IntegerField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in neuro_scores.ICE_ITEM_NAMES:
            self.fields[name] = serializers.BooleanField(required=False, allow_null=True)
        for name in neuro_scores.CAPD_ITEM_NAMES:
            self.fields[name] = serializers.IntegerField(required=False, allow_null=True)


class InterventionInput(serializers.Serializer):
    given_at = serializers.DateTimeField()
    kind = serializers.CharField()
    agent = serializers.CharField(default="", allow_blank=True)
    dose_value = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    dose_unit = serializers.CharField(default="", allow_blank=True)
    route = serializers.CharField(default="IV", allow_blank=True)
    indication = serializers.CharField()
    notes = serializers.CharField(default="", allow_blank=True)


class AmendmentInput(serializers.Serializer):
    reason = serializers.CharField()


class ReviewInput(serializers.Serializer):
    note = serializers.CharField(default="", allow_blank=True)


class BedsideOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    course = serializers.UUIDField(source="course.public_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    amends = serializers.UUIDField(source="amends.public_id", read_only=True, allow_null=True)


GRADED_FIELDS = [
    "id",
    "course",
    "observed_at",
    "recorded_at",
    "recorded_by",
    "grade",
    "grade_reasons",
    "grading_inputs",
    "rule_version",
    "nurse_judged_grade",
    "needs_review",
    "review_reasons",
    "reviewed_at",
    "review_note",
    "amends",
    "amendment_reason",
    "superseded",
]


class VitalSignsOutput(BedsideOutput):
    class Meta:
        model = VitalSigns
        fields = [
            *GRADED_FIELDS,
            "temperature_value",
            "temperature_unit",
            "temperature_c",
            "temperature_site",
            "heart_rate",
            "systolic_bp",
            "diastolic_bp",
            "respiratory_rate",
            "spo2",
            "oxygen_device",
            "oxygen_flow_l_min",
            "fio2_pct",
            "vasopressors",
            "hypotension",
            "hypotension_basis",
            "hypotension_by_judgement",
            "fever_other_cause",
            "hypotension_other_cause",
            "hypoxia_other_cause",
            "attribution_note",
            "fever_masked",
        ]


class NeuroAssessmentOutput(BedsideOutput):
    class Meta:
        model = NeuroAssessment
        fields = [
            *GRADED_FIELDS,
            "age_years",
            "tool",
            "ice_score",
            "capd_score",
            "not_assessable_reason",
            "level_of_consciousness",
            "consciousness_other_cause",
            "seizure_occurred",
            "seizure_kind",
            "seizure_duration_min",
            "seizure_repeated",
            "seizure_returned_to_baseline",
            "seizure",
            "motor_finding",
            "raised_icp_findings",
            "attribution_note",
            *neuro_scores.ICE_ITEM_NAMES,
            *neuro_scores.CAPD_ITEM_NAMES,
        ]


class InterventionOutput(BedsideOutput):
    given_by = serializers.CharField(source="given_by.username", read_only=True)

    class Meta:
        model = Intervention
        fields = [
            "id",
            "course",
            "given_at",
            "kind",
            "agent",
            "dose_value",
            "dose_unit",
            "route",
            "indication",
            "given_by",
            "notes",
            "warnings",
            "recorded_at",
            "recorded_by",
            "amends",
            "amendment_reason",
            "superseded",
        ]


class ThresholdEventOutput(serializers.ModelSerializer):
    class Meta:
        model = ThresholdEvent
        fields = ["kind", "syndrome", "grade", "previous_grade", "occurred_at", "created_at", "summary"]


class ToxicityEpisodeOutput(serializers.ModelSerializer):
    duration_hours = serializers.SerializerMethodField()

    class Meta:
        model = ToxicityEpisode
        fields = [
            "syndrome",
            "number",
            "onset_at",
            "onset_day",
            "max_grade",
            "max_grade_at",
            "resolved_at",
            "duration_hours",
        ]

    def get_duration_hours(self, episode) -> float:
        return round(episode.duration.total_seconds() / 3600, 1)


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


def _documented(output, input_class):
    """The schema of a record's amend (its fields again, with the reason) and review."""
    amendment = type(f"{input_class.__name__[: -len('Input')]}Amendment", (input_class, AmendmentInput), {})
    return extend_schema_view(
        amend=extend_schema(request=amendment, responses={201: output}),
        review=extend_schema(request=ReviewInput, responses=output),
    )


@_documented(VitalSignsOutput, VitalSignsInput)
class VitalSignsViewSet(BedsideRecordViewSet):
    action_permissions = {"amend": "tracker.add_vitalsigns", "review": "tracker.review_assessment"}
    model = VitalSigns
    serializer_class = VitalSignsOutput
    input_class = VitalSignsInput
    amend_record = staticmethod(services.amend_vital_signs)

    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        return _review(self, request)


@_documented(NeuroAssessmentOutput, NeuroAssessmentInput)
class NeuroAssessmentViewSet(BedsideRecordViewSet):
    action_permissions = {"amend": "tracker.add_neuroassessment", "review": "tracker.review_assessment"}
    model = NeuroAssessment
    serializer_class = NeuroAssessmentOutput
    input_class = NeuroAssessmentInput
    amend_record = staticmethod(services.amend_neuro_assessment)

    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        return _review(self, request)


@extend_schema_view(
    amend=extend_schema(
        request=type("InterventionAmendment", (InterventionInput, AmendmentInput), {}),
        responses={201: InterventionOutput},
    )
)
class InterventionViewSet(BedsideRecordViewSet):
    action_permissions = {"amend": "tracker.add_intervention"}
    model = Intervention
    serializer_class = InterventionOutput
    input_class = InterventionInput
    amend_record = staticmethod(services.amend_intervention)

    def get_queryset(self):
        return super().get_queryset().select_related("given_by")


def _review(viewset, request):
    observation = viewset.get_object()
    incoming = ReviewInput(data=request.data)
    incoming.is_valid(raise_exception=True)
    observation = services.review_assessment(observation=observation, by=request.user, **incoming.validated_data)
    return Response(viewset.get_serializer(observation).data)
