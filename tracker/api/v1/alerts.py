"""Alerts: the ones sent to me (or all for my patients), acknowledge, snooze."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from tracker.models import Alert
from tracker.schedule import selectors
from tracker.schedule.services import alerts as alert_service


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


class AcknowledgeInput(serializers.Serializer):
    note = serializers.CharField(default="", allow_blank=True)


class SnoozeInput(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    reason = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("scope", enum=["mine", "all"], description="all: every alert for my patients.")]
    )
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts sent to me (``?scope=all``: every alert for the patients I may see)."""

    serializer_class = AlertOutput
    lookup_field = "public_id"
    filterset_fields = ["status", "kind", "urgency"]
    action_permissions = {"acknowledge": "tracker.acknowledge_alert", "snooze": "tracker.acknowledge_alert"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model only
            return Alert.objects.none()
        alerts = selectors.visible_alerts(self.request.user)
        scope = self.request.query_params.get("scope", "mine")
        if self.action == "list" and scope not in ("mine", "all"):
            raise ValidationError({"scope": ["mine or all."]})
        if self.action == "list" and scope != "all":
            alerts = alerts.for_user(self.request.user)
        return alerts.select_related("course", "check_in", "acknowledged_by").order_by("-created_at", "-id")

    @extend_schema(request=AcknowledgeInput, responses=AlertOutput)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, public_id=None):
        alert = self.get_object()
        incoming = AcknowledgeInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        alert = alert_service.acknowledge_alert(alert=alert, by=request.user, note=incoming.validated_data["note"])
        return Response(self.get_serializer(alert).data)

    @extend_schema(request=SnoozeInput, responses=AlertOutput)
    @action(detail=True, methods=["post"])
    def snooze(self, request, public_id=None):
        alert = self.get_object()
        incoming = SnoozeInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        until = timezone.now() + timedelta(minutes=incoming.validated_data["minutes"])
        alert = alert_service.snooze_alert(
            alert=alert, by=request.user, until=until, reason=incoming.validated_data["reason"]
        )
        return Response(self.get_serializer(alert).data)
