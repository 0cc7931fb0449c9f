from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch_platform.api.scoping import OrganizationScopedViewSet
from tickets.api import actor_for
from tickets.selectors import ticket_get

from . import services
from .models import DispatchPlan
from .recommend import ticket_recommendations
from .selectors import plan_list
from .services import MAX_TIME_LIMIT


class RecommendationSerializer(serializers.Serializer):
    technician = serializers.IntegerField(source="technician.pk")
    technician_name = serializers.CharField(source="technician.name")
    score = serializers.FloatField()
    eta = serializers.DateTimeField()
    travel_km = serializers.FloatField()
    travel_minutes = serializers.FloatField()
    sla_slack_minutes = serializers.FloatField(source="slack_minutes", allow_null=True)
    load = serializers.IntegerField(help_text="Open jobs already on the technician's route")
    position = serializers.IntegerField(help_text="Where the ticket goes in that route (0 = first)")
    added_travel_km = serializers.FloatField()
    knock_on_minutes = serializers.FloatField(help_text="Extra SLA lateness caused to the jobs already on the route")
    reasons = serializers.ListField(child=serializers.CharField())


class TicketRecommendationsApi(APIView):
    """GET /api/v1/tickets/{id}/recommendations/: the best qualified technicians, with reasons."""

    @extend_schema(responses=RecommendationSerializer(many=True), operation_id="tickets_recommendations")
    def get(self, request, pk: int):
        ticket = ticket_get(organization=request.organization, ticket_id=pk)
        if ticket is None:
            raise Http404
        recommendations = ticket_recommendations(organization=request.organization, ticket=ticket)
        return Response(RecommendationSerializer(recommendations, many=True).data)


# --- Plans ----------------------------------------------------------------------------------------

class AssignmentSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(source="ticket_id")
    ticket_number = serializers.CharField(source="ticket.number")
    technician = serializers.IntegerField(source="technician_id")
    technician_name = serializers.CharField(source="technician.name")
    sequence = serializers.IntegerField()
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()


class PlanSerializer(serializers.ModelSerializer):
    assignments = serializers.SerializerMethodField()

    class Meta:
        model = DispatchPlan
        fields = ["id", "status", "region", "trigger", "time_limit_seconds", "objective", "kpis", "error", "created_at", "applied_at",
                  "assignments"]
        read_only_fields = fields

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, plan):
        rows = plan.assignments.select_related("ticket", "technician").order_by("technician_id", "sequence")
        return AssignmentSerializer(rows, many=True).data


class PlanCreateSerializer(serializers.Serializer):
    time_limit = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT, default=10)


class PlanApplySerializer(serializers.Serializer):
    tickets = serializers.ListField(child=serializers.IntegerField(), required=False,
                                    help_text="Apply only these tickets' assignments (default: all)")


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationScopedViewSet):
    """Optimiser runs: create (queued on the `optimize` queue), poll, apply, discard."""

    serializer_class = PlanSerializer
    selector = staticmethod(plan_list)

    @extend_schema(request=PlanCreateSerializer, responses={202: PlanSerializer})
    def create(self, request):
        body = PlanCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = services.dispatch_plan_create(organization=request.organization, user=request.user,
                                             time_limit=body.validated_data["time_limit"])
        plan.refresh_from_db()
        return Response(PlanSerializer(plan).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=PlanApplySerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        plan = self.get_object()
        body = PlanApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dispatch_plan_apply(organization=request.organization, plan=plan, actor=actor_for(request),
                                     ticket_ids=body.validated_data.get("tickets"))
        plan.refresh_from_db()
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=None, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        plan = services.dispatch_plan_discard(organization=request.organization, plan=self.get_object())
        return Response(PlanSerializer(plan).data)
