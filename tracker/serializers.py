"""API shapes. Input serializers validate; services decide; output serializers describe."""

from rest_framework import serializers

from tracker import bedside
from tracker.journey import Stage
from tracker.models import (
    Alert,
    CheckIn,
    Intervention,
    NeuroAssessment,
    Patient,
    StageEvent,
    ThresholdEvent,
    ToxicityEpisode,
    TreatmentCourse,
    VitalSigns,
)


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


class PatientSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    centre = serializers.CharField(source="centre.code")

    class Meta:
        model = Patient
        fields = ["id", "centre", "mrn", "given_name", "family_name", "born_on", "sex", "weight_kg", "died_on"]


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=[s.value for s in Stage])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False)


# --- Bedside records ------------------------------------------------------------------------------
# Input serializers check types only; the services check ranges and consistency, so the API and
# the forms give the same errors, naming the field and the allowed range.


class VitalSignsInput(serializers.Serializer):
    observed_at = serializers.DateTimeField()
    temperature_value = serializers.DecimalField(max_digits=6, decimal_places=2)
    temperature_unit = serializers.ChoiceField(choices=["C", "F"], default="C")
    temperature_site = serializers.ChoiceField(
        choices=["oral", "tympanic", "axillary", "temporal", "rectal", "core"], default="oral"
    )
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
    tool = serializers.ChoiceField(choices=["ice", "capd"], required=False)
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
        for name in bedside.ICE_ITEM_NAMES:
            self.fields[name] = serializers.BooleanField(required=False, allow_null=True)
        for name in bedside.CAPD_ITEM_NAMES:
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


class _BedsideOutput(serializers.ModelSerializer):
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


class VitalSignsOutput(_BedsideOutput):
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


class NeuroAssessmentOutput(_BedsideOutput):
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
            *bedside.ICE_ITEM_NAMES,
            *bedside.CAPD_ITEM_NAMES,
        ]


class InterventionOutput(_BedsideOutput):
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


# --- Schedule and alerts --------------------------------------------------------------------------


class CheckInOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    course = serializers.UUIDField(source="course.public_id", read_only=True)
    completed_by = serializers.CharField(source="completed_by.username", read_only=True, allow_null=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "course",
            "kind",
            "label",
            "cadence",
            "due_at",
            "window_opens_at",
            "window_closes_at",
            "status",
            "assignee_role",
            "completed_at",
            "completed_by",
            "completion_note",
        ]


class AlertOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    course = serializers.UUIDField(source="course.public_id", read_only=True)
    check_in = serializers.UUIDField(source="check_in.public_id", read_only=True, allow_null=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "course",
            "kind",
            "urgency",
            "check_in",
            "title",
            "body",
            "status",
            "level",
            "round",
            "next_escalation_at",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement_note",
            "snoozed_until",
            "snooze_reason",
            "created_at",
        ]


class CompleteInput(serializers.Serializer):
    note = serializers.CharField()


class SnoozeInput(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    reason = serializers.CharField()
