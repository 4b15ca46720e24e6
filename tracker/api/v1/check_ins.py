"""Check-ins: list the ones of the patients I may see, and complete one with a note."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tracker.models import CheckIn
from tracker.schedule.services import completion


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


class CompleteInput(serializers.Serializer):
    note = serializers.CharField()


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("course", OpenApiTypes.UUID, description="One course's.")])
)
class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Check-ins of the patients I may see; ``?status=due``, ``?kind=``, ``?course=<id>``."""

    serializer_class = CheckInOutput
    lookup_field = "public_id"
    filterset_fields = ["status", "kind", "assignee_role"]
    action_permissions = {"complete": "tracker.complete_checkin"}

    def get_queryset(self):
        rows = (
            CheckIn.objects.visible_to(self.request.user)
            .select_related("course", "completed_by")
            .order_by("due_at", "id")
        )
        if "course" not in self.request.query_params:
            return rows
        course = serializers.UUIDField().run_validation(self.request.query_params["course"])
        return rows.filter(course__public_id=course)

    @extend_schema(request=CompleteInput, responses=CheckInOutput)
    @action(detail=True, methods=["post"])
    def complete(self, request, public_id=None):
        check_in = self.get_object()
        incoming = CompleteInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        check_in = completion.complete_check_in(check_in=check_in, by=request.user, **incoming.validated_data)
        return Response(self.get_serializer(check_in).data)
