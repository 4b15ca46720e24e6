"""Stateless calculators: classify a response from findings without storing anything (the same
``tracker.clinical.response`` the services use; docs/clinical-rules.md §7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.clinical import grading, response
from tracker.clinical.findings import FindingError
from tracker.core.errors import Refusal


class ResponseCalculatorInput(serializers.Serializer):
    disease = serializers.ChoiceField(choices=[d.value for d in response.Disease])
    findings = serializers.DictField()


class ResponseCalculatorOutput(serializers.Serializer):
    disease = serializers.CharField()
    category = serializers.CharField()
    label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    needs_review = serializers.BooleanField()
    rule_version = serializers.CharField()
    mrd = serializers.CharField(allow_null=True)
    is_response = serializers.BooleanField()
    is_complete_response = serializers.BooleanField()


class ResponseCalculatorView(APIView):
    """POST {"disease": "lymphoma", "findings": {...}} → the category, its name and its reasons.
    Nothing is stored."""

    throttle_scope = "calculator"

    @extend_schema(request=ResponseCalculatorInput, responses=ResponseCalculatorOutput)
    def post(self, request):
        incoming = ResponseCalculatorInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        disease = incoming.validated_data["disease"]
        try:
            result = response.classify(disease, incoming.validated_data["findings"])
        except FindingError as error:
            raise Refusal(str(error), field=error.field or "findings") from None
        return Response(
            {
                "disease": disease,
                "category": result.category.value,
                "label": response.category_label(disease, result.category),
                "reasons": list(result.reasons),
                "needs_review": result.needs_review,
                "rule_version": result.rule_version,
                "mrd": result.mrd.value if result.mrd else None,
                "is_response": response.is_response(disease, result.category),
                "is_complete_response": response.is_complete_response(disease, result.category),
            }
        )


# --- CRS and ICANS (ASTCT 2019; docs/clinical-rules.md §3, §4) ---------------------------------


def _values(enum) -> list[str]:
    return [member.value for member in enum]


class CrsCalculatorInput(serializers.Serializer):
    temperature_c = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, default=None)
    fever_attributable_to_other_cause = serializers.BooleanField(default=False)
    fever_masked_by_treatment = serializers.BooleanField(default=False)
    hypotension = serializers.BooleanField(default=False)
    vasopressors = serializers.ListField(
        child=serializers.ChoiceField(choices=_values(grading.Vasopressor)), default=list, max_length=10
    )
    hypotension_attributable_to_other_cause = serializers.BooleanField(default=False)
    oxygen_device = serializers.ChoiceField(choices=_values(grading.OxygenDevice), default="none")
    oxygen_flow_l_min = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    hypoxia_attributable_to_other_cause = serializers.BooleanField(default=False)


class IcansCalculatorInput(serializers.Serializer):
    age_years = serializers.DecimalField(max_digits=5, decimal_places=2)
    ice_score = serializers.IntegerField(required=False, allow_null=True)
    capd_score = serializers.IntegerField(required=False, allow_null=True)
    level_of_consciousness = serializers.ChoiceField(choices=_values(grading.LevelOfConsciousness), default="alert")
    consciousness_attributable_to_other_cause = serializers.BooleanField(default=False)
    seizure = serializers.ChoiceField(choices=_values(grading.Seizure), default="none")
    motor_finding = serializers.ChoiceField(choices=_values(grading.MotorFinding), default="none")
    raised_icp_findings = serializers.ListField(
        child=serializers.ChoiceField(choices=_values(grading.RaisedIcpFinding)), default=list, max_length=10
    )


class GradeOutput(serializers.Serializer):
    grade = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    domains = serializers.DictField(child=serializers.IntegerField())
    not_assessed = serializers.ListField(child=serializers.CharField())
    needs_review = serializers.BooleanField()
    rule_version = serializers.CharField()


class GradeCalculatorView(APIView):
    """Grade posted findings without storing anything (for bedside devices and other systems)."""

    throttle_scope = "calculator"
    input_class = None
    findings_class = None
    grade = None

    def post(self, request):
        incoming = self.input_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        for name in ("vasopressors", "raised_icp_findings"):
            if name in data:
                data[name] = tuple(data[name])
        try:
            result = type(self).grade(self.findings_class(**data))
        except FindingError as error:
            raise Refusal(str(error), field=error.field) from None
        return Response(
            {
                "grade": result.grade,
                "reasons": list(result.reasons),
                "domains": dict(result.domains),
                "not_assessed": list(result.not_assessed),
                "needs_review": result.needs_review,
                "rule_version": result.rule_version,
            }
        )


class CrsCalculatorView(GradeCalculatorView):
    """CRS grade (ASTCT 2019) and its reasons for posted findings; nothing is stored."""

    input_class = CrsCalculatorInput
    findings_class = grading.CrsFindings
    grade = staticmethod(grading.grade_crs)

    @extend_schema(request=CrsCalculatorInput, responses=GradeOutput)
    def post(self, request):
        return super().post(request)


class IcansCalculatorView(GradeCalculatorView):
    """ICANS grade (ASTCT 2019; ICE from age 12, CAPD below) and its reasons; nothing is stored."""

    input_class = IcansCalculatorInput
    findings_class = grading.IcansFindings
    grade = staticmethod(grading.grade_icans)

    @extend_schema(request=IcansCalculatorInput, responses=GradeOutput)
    def post(self, request):
        return super().post(request)
