import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import GROUPS, sla_compliance


class ComplianceQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=sorted(GROUPS), default="site")
    # "from"/"to" are Python keywords: mapped in `to_internal_value`.
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        data = {"group_by": data.get("group_by", "site"),
                **({"date_from": data["from"]} if data.get("from") else {}),
                **({"date_to": data["to"]} if data.get("to") else {})}
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = {{"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in exc.detail.items()}
            raise serializers.ValidationError(detail)

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("date_to", today)
        attrs.setdefault("date_from", attrs["date_to"].replace(day=1))
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"from": ["'from' must not be after 'to'."]})
        if attrs["date_to"] - attrs["date_from"] > dt.timedelta(days=3 * 366):
            raise serializers.ValidationError({"from": ["At most three years per report."]})
        return attrs


class ComplianceRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    tickets = serializers.IntegerField()
    response_met = serializers.IntegerField()
    response_breached = serializers.IntegerField()
    response_compliance = serializers.FloatField(allow_null=True)
    resolution_met = serializers.IntegerField()
    resolution_breached = serializers.IntegerField()
    resolution_compliance = serializers.FloatField(allow_null=True)
    first_time_fix_rate = serializers.FloatField(allow_null=True)
    mean_time_on_site_minutes = serializers.FloatField(allow_null=True)
    penalties = serializers.FloatField(help_text="Penalty exposure of the group's breached clocks (contract currency)")


class SlaComplianceApi(APIView):
    """GET /api/v1/reports/sla-compliance/?group_by=...&from=DATE&to=DATE"""

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=sorted(GROUPS)),
            OpenApiParameter("from", dt.date, description="first day (default: first of this month)"),
            OpenApiParameter("to", dt.date, description="last day, inclusive (default: today)"),
        ],
        responses=ComplianceRowSerializer(many=True),
    )
    def get(self, request):
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = sla_compliance(organization=request.organization, **query.validated_data)
        return Response(ComplianceRowSerializer(rows, many=True).data)
