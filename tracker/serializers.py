"""API shapes. Input serializers validate; services decide; output serializers describe."""

from rest_framework import serializers

from tracker.journey import Stage
from tracker.models import Patient, StageEvent, TreatmentCourse


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
