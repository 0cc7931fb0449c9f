from rest_framework import mixins, serializers

from dispatch_platform.api.scoping import OrganizationScopedViewSet
from dispatch_platform.sites.api import BusinessHoursField
from dispatch_platform.sites.choices import Clearance

from . import selectors, services
from .models import Technician


class SkillCodesField(serializers.ListField):
    child = serializers.SlugField(max_length=50)

    def to_representation(self, skills):
        return sorted(s.code for s in skills.all())


class CertificationSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    expires_on = serializers.DateField(required=False, allow_null=True)


class TechnicianSerializer(serializers.ModelSerializer):
    skills = SkillCodesField(required=False)
    certifications = CertificationSerializer(many=True, required=False)
    clearance = serializers.ChoiceField(choices=Clearance.choices, required=False, default=Clearance.NONE)
    shift = BusinessHoursField(required=False, allow_null=True)
    timezone = serializers.CharField(required=False, allow_blank=True)
    home_latitude = serializers.FloatField(min_value=-90, max_value=90)
    home_longitude = serializers.FloatField(min_value=-180, max_value=180)

    class Meta:
        model = Technician
        fields = [
            "id", "name", "email", "phone", "external_id", "home_latitude", "home_longitude", "current_latitude",
            "current_longitude", "position_at", "timezone", "region", "skills", "certifications", "clearance",
            "background_check_on", "shift", "hourly_cost", "max_jobs_per_day", "active",
        ]
        validators = []

    def validate_timezone(self, value):
        from dispatch_platform.sites.geo import is_timezone

        if value and not is_timezone(value):
            raise serializers.ValidationError(f"Unknown IANA time zone '{value}'.")
        return value


class TechnicianViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        mixins.UpdateModelMixin, OrganizationScopedViewSet):
    serializer_class = TechnicianSerializer
    filterset_fields = ["region", "active", "clearance"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Technician.objects.none()
        return selectors.technician_list(organization=self.request.organization, active_only=False)

    def perform_create(self, serializer):
        serializer.instance = services.technician_create(
            organization=self.request.organization, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.technician_update(
            organization=self.request.organization, technician=serializer.instance, data=serializer.validated_data
        )
