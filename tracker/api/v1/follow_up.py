"""Follow-up records: response assessments, events after infusion, laboratory results,
infections and late diagnoses. Listed and recorded under their course (``courses``); the input
serializers check types only, the services check the rules and compute the response category,
so the API and the pages refuse the same things with the same messages."""

from rest_framework import serializers

from tracker.models import CourseEvent, Infection, LabResult, LateDiagnosis, ResponseAssessment


class ResponseAssessmentInput(serializers.Serializer):
    assessed_on = serializers.DateField()
    methods = serializers.ListField(child=serializers.ChoiceField(choices=ResponseAssessment.Method.choices))
    findings = serializers.DictField(help_text="The disease's findings, named as in docs/clinical-rules.md §7.")
    report_reference = serializers.CharField(default="", allow_blank=True, max_length=120)
    notes = serializers.CharField(default="", allow_blank=True)


class EventInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CourseEvent.Kind.choices)
    occurred_on = serializers.DateField()
    sites = serializers.ListField(child=serializers.ChoiceField(choices=CourseEvent.Site.choices), default=list)
    antigen_negative = serializers.BooleanField(required=False, allow_null=True, default=None)
    isolated_extramedullary = serializers.BooleanField(default=False)
    death_cause = serializers.ChoiceField(choices=CourseEvent.DeathCause.choices, required=False, allow_blank=True)
    therapy = serializers.CharField(default="", allow_blank=True, max_length=200)
    donor_type = serializers.ChoiceField(choices=CourseEvent.DonorType.choices, required=False, allow_blank=True)
    notes = serializers.CharField(default="", allow_blank=True)


def _lab_number():
    return serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)


class LabResultInput(serializers.Serializer):
    collected_on = serializers.DateField()
    igg_mg_dl = _lab_number()
    immunoglobulin_replacement = serializers.ChoiceField(
        choices=LabResult.Replacement.choices, required=False, allow_blank=True
    )
    cd19_cells_per_ul = _lab_number()
    lymphocytes_10e9_per_l = _lab_number()
    anc_10e9_per_l = _lab_number()
    platelets_10e9_per_l = _lab_number()
    haemoglobin_g_dl = _lab_number()


class InfectionInput(serializers.Serializer):
    onset_on = serializers.DateField()
    organism_type = serializers.ChoiceField(choices=Infection.Organism.choices)
    organism = serializers.CharField(default="", allow_blank=True, max_length=120)
    site = serializers.ChoiceField(choices=Infection.Site.choices)
    severity = serializers.ChoiceField(choices=Infection.Severity.choices)
    notes = serializers.CharField(default="", allow_blank=True)


class LateDiagnosisInput(serializers.Serializer):
    diagnosed_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=LateDiagnosis.Kind.choices)
    description = serializers.CharField(max_length=200)
    t_cell_origin = serializers.BooleanField(required=False, allow_null=True, default=None)
    manufacturer_notified_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(default="", allow_blank=True)


class FollowUpOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    course = serializers.UUIDField(source="course.public_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    amends = serializers.UUIDField(source="amends.public_id", read_only=True, allow_null=True)


KEPT = ["recorded_at", "recorded_by", "amends", "amendment_reason", "superseded"]


class ResponseAssessmentOutput(FollowUpOutput):
    class Meta:
        model = ResponseAssessment
        fields = [
            "id",
            "course",
            "assessed_on",
            "day",
            "disease",
            "methods",
            "findings",
            "category",
            "reasons",
            "mrd",
            "needs_review",
            "rule_version",
            "report_reference",
            "notes",
            "released_at",
            *KEPT,
        ]


class EventOutput(FollowUpOutput):
    class Meta:
        model = CourseEvent
        fields = [
            "id",
            "course",
            "kind",
            "occurred_on",
            "day",
            "sites",
            "antigen_negative",
            "isolated_extramedullary",
            "death_cause",
            "therapy",
            "donor_type",
            "notes",
            *KEPT,
        ]


class LabResultOutput(FollowUpOutput):
    class Meta:
        model = LabResult
        fields = [
            "id",
            "course",
            "collected_on",
            "day",
            *LabResult.VALUE_FIELDS,
            "immunoglobulin_replacement",
            "interpretation",
            *KEPT,
        ]


class InfectionOutput(FollowUpOutput):
    class Meta:
        model = Infection
        fields = ["id", "course", "onset_on", "day", "organism_type", "organism", "site", "severity", "notes", *KEPT]


class LateDiagnosisOutput(FollowUpOutput):
    class Meta:
        model = LateDiagnosis
        fields = [
            "id",
            "course",
            "kind",
            "diagnosed_on",
            "day",
            "description",
            "t_cell_origin",
            "manufacturer_notified_on",
            "notes",
            *KEPT,
        ]
