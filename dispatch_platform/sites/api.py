from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from dispatch_platform.api.scoping import OrganizationScopedViewSet, ScopedPrimaryKeyRelatedField

from . import selectors, services
from .choices import Clearance, Criticality
from .models import Customer, Site


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "external_id"]


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, OrganizationScopedViewSet):
    serializer_class = CustomerSerializer
    selector = staticmethod(selectors.customer_list)

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(organization=self.request.organization, **serializer.validated_data)


@extend_schema_field({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                      "example": {"mon": [["08:00", "18:00"]], "sat": [], "sun": []}})
class BusinessHoursField(serializers.JSONField):
    pass


@extend_schema_field({"type": "object", "nullable": True, "properties": {"country": {"type": "string"}, "subdivision": {"type": "string"}}})
class HolidaysField(serializers.JSONField):
    pass


class SiteSerializer(serializers.ModelSerializer):
    customer = ScopedPrimaryKeyRelatedField(model=Customer)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    timezone = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, default="US", min_length=2, max_length=2)
    criticality = serializers.ChoiceField(choices=Criticality.choices, required=False, default=Criticality.NORMAL)
    clearance_required = serializers.ChoiceField(choices=Clearance.choices, required=False, default=Clearance.NONE)
    business_hours = BusinessHoursField(required=False, allow_null=True)
    holidays = HolidaysField(required=False, allow_null=True)

    class Meta:
        model = Site
        fields = [
            "id", "customer", "name", "external_id", "address", "city", "state", "postal_code", "country",
            "latitude", "longitude", "timezone", "region", "criticality", "business_hours", "holidays", "closures",
            "contact_name", "contact_phone", "contact_email", "access_notes", "clearance_required",
        ]
        validators = []  # uniqueness is checked by the model's constraints in the service (full_clean)

    def validate_timezone(self, value):
        from .geo import is_timezone

        if value and not is_timezone(value):
            raise serializers.ValidationError(f"Unknown IANA time zone '{value}'.")
        return value

    def validate_country(self, value):
        return value.upper()


class SiteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, OrganizationScopedViewSet):
    serializer_class = SiteSerializer
    selector = staticmethod(selectors.site_list)
    filterset_fields = ["customer", "region", "external_id", "timezone"]

    def perform_create(self, serializer):
        serializer.instance = services.site_create(organization=self.request.organization, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.site_update(
            organization=self.request.organization, site=serializer.instance, data=serializer.validated_data
        )
