"""`GET /api/v1/outcomes/`: the programme's outcomes report, the same figures as the outcomes page.

Query parameters are the page's filters (`diagnosis`, `product`, `target_antigen`, `age_group`,
`infused_from`, `infused_to`), `origin` (`infusion` or `leukapheresis`) and `landmark_day`.
The body is `tracker.outcomes.report.build_report` over the courses the user may see; its
`summary` holds exactly the keys of `manage.py outcomes --format json`. A bad parameter is a
400 naming it. Fixed number of queries whatever the cohort size.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.api.permissions import IsOutcomesReader
from tracker.outcomes.report import build_report
from tracker.outcomes.selectors import parse_filters, visible_outcome_facts


class OutcomesView(APIView):
    permission_classes = [IsOutcomesReader]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="The outcomes report (docs/clinical-rules.md §10); coordinators and physicians only.",
    )
    def get(self, request):
        filters, origin, landmark_day = parse_filters(request.query_params)
        facts = visible_outcome_facts(request.user, filters)
        report = build_report(facts, origin=origin, landmark_day=landmark_day, generated_on=timezone.localdate())
        return Response(report)
