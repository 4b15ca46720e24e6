"""Patients: read-only through the API; a patient's login reads its own record only."""

from rest_framework import serializers, viewsets

from tracker.accounts import security
from tracker.api.permissions import StaffOrOwnRecordReadOnly
from tracker.models import ChartAccess, Patient


class PatientSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    centre = serializers.CharField(source="centre.code")

    class Meta:
        model = Patient
        fields = ["id", "centre", "mrn", "given_name", "family_name", "born_on", "sex", "weight_kg", "died_on"]


class PatientViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PatientSerializer
    permission_classes = [StaffOrOwnRecordReadOnly]
    lookup_field = "public_id"
    filterset_fields = {"sex": ["exact"], "born_on": ["gte", "lte"], "family_name": ["iexact"], "mrn": ["exact"]}

    def get_queryset(self):
        return Patient.objects.visible_to(self.request.user).select_related("centre").order_by("family_name", "id")

    def get_object(self):
        patient = super().get_object()
        security.record_chart_access(
            request=self.request._request, patient_id=patient.pk, what=ChartAccess.What.API_PATIENT
        )
        return patient
