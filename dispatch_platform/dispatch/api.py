from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.selectors import ticket_get

from .selectors import ticket_recommendations


class RecommendationSerializer(serializers.Serializer):
    technician = serializers.IntegerField(source="technician.pk")
    technician_name = serializers.CharField(source="technician.name")
    score = serializers.FloatField()
    eta = serializers.DateTimeField()
    travel_km = serializers.FloatField()
    travel_minutes = serializers.FloatField()
    sla_slack_minutes = serializers.FloatField(source="slack_minutes", allow_null=True)
    load = serializers.IntegerField()
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
