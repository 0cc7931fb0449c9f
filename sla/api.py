from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from dispatch_platform.api.scoping import OrganizationScopedViewSet, ScopedPrimaryKeyRelatedField
from dispatch_platform.common.calendar import CalendarError, validate_target
from dispatch_platform.sites.models import Customer
from tickets.choices import Priority

from . import selectors, services
from .models import SlaPolicy

TARGET_SCHEMA = {
    "type": "object",
    "description": 'One of {"kind": "duration", "minutes": N, "calendar": "24x7"|"business_hours"}, '
    '{"kind": "next_business_day"}, {"kind": "business_days", "days": N}',
    "example": {"kind": "duration", "minutes": 240, "calendar": "24x7"},
}


@extend_schema_field(TARGET_SCHEMA)
class TargetField(serializers.JSONField):
    pass


class SlaTargetSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    response = TargetField()
    resolution = TargetField()
    at_risk_percent = serializers.IntegerField(min_value=1, max_value=99, default=75)
    penalty_per_breach = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, default=0)
    penalty_per_hour_late = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, default=0)


class SlaPolicySerializer(serializers.ModelSerializer):
    customer = ScopedPrimaryKeyRelatedField(model=Customer, required=False, allow_null=True)
    region = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100)
    targets = SlaTargetSerializer(many=True)

    class Meta:
        model = SlaPolicy
        fields = ["id", "name", "customer", "region", "active", "targets"]

    def validate(self, attrs):
        """Errors are keyed by the target's path ("targets[1].response.minutes") so the caller sees which."""
        targets = attrs.get("targets", [])
        errors = {}
        for i, target in enumerate(targets):
            for kind in ("response", "resolution"):
                try:
                    validate_target(target[kind], f"targets[{i}].{kind}")
                except CalendarError as exc:
                    errors[exc.field] = [exc.message]
        priorities = [t["priority"] for t in targets]
        if sorted(priorities) != sorted(Priority.values):
            missing = sorted(set(Priority.values) - set(priorities))
            dupes = sorted({p for p in priorities if priorities.count(p) > 1})
            message = []
            if missing:
                message.append(f"missing a target for {', '.join(missing)}")
            if dupes:
                message.append(f"more than one target for {', '.join(dupes)}")
            errors["targets"] = ["A policy needs exactly one target per priority P1–P4: " + "; ".join(message) + "."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SlaPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, OrganizationScopedViewSet):
    serializer_class = SlaPolicySerializer
    selector = staticmethod(selectors.sla_policy_list)

    def perform_create(self, serializer):
        serializer.instance = services.sla_policy_save(
            organization=self.request.organization, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.sla_policy_save(
            organization=self.request.organization, data=serializer.validated_data, policy=serializer.instance
        )
