from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from dispatch_platform.api.scoping import OrganizationScopedViewSet

from .models import EVENTS, WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscription_list(*, organization):
    return WebhookSubscription.objects.for_organization(organization)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), required=False,
                                   help_text="Empty: every event")
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200, required=False,
                                   help_text="Signs each delivery; required for the Dispatch JSON format")
    servicenow_password = serializers.CharField(write_only=True, max_length=200, required=False,
                                                style={"input_type": "password"},
                                                help_text="ServiceNow format: Table API Basic auth password")

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "secret", "format", "description", "active", "created_at",
                  "servicenow_user", "servicenow_password", "servicenow_close_code"]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs):
        # The subscription as it will be once saved (a PATCH sends only some fields), by the model's rule.
        fields = ("format", "secret", "servicenow_user", "servicenow_password")
        merged = {f: attrs[f] if f in attrs else getattr(self.instance, f, "") for f in fields}
        if errors := WebhookSubscription(**{**merged, "format": merged["format"] or "json"}).format_errors():
            raise serializers.ValidationError(errors)
        return attrs


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.name")
    event_id = serializers.IntegerField(source="event.pk")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "event_id", "status", "attempts", "last_status_code", "last_latency_ms", "last_error",
                  "next_attempt_at", "delivered_at", "created_at"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "status_code", "latency_ms", "error", "response_excerpt"]


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True, help_text="Every attempt, newest first")

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "attempts_total", "redelivered_at", "attempt_log"]


class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                                 mixins.UpdateModelMixin, mixins.DestroyModelMixin, OrganizationScopedViewSet):
    """Where the tenant's ticket and SLA events are POSTed (signed with the subscription's secret)."""

    serializer_class = WebhookSubscriptionSerializer
    selector = staticmethod(subscription_list)

    def perform_create(self, serializer):
        serializer.save(organization=self.request.organization)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        rows = subscription.deliveries.select_related("event").order_by("-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(responses=WebhookDeliveryDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"deliveries/(?P<delivery_id>[0-9]+)")
    def delivery(self, request, pk=None, delivery_id=None):
        """One delivery of the subscription with every attempt (the list shows only the last)."""
        subscription = self.get_object()
        delivery = get_object_or_404(subscription.deliveries.select_related("event").prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-id"))), pk=delivery_id)
        return Response(WebhookDeliveryDetailSerializer(delivery).data)
