"""Stateless calculators: classify a response from findings without storing anything (the same
``tracker.clinical.response`` the services use; docs/clinical-rules.md §7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.clinical import response
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
