"""Tenant scoping for the API: querysets from selectors, related ids looked up inside the tenant."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from .idempotency import IdempotencyMixin


class OrganizationScopedViewSet(IdempotencyMixin, viewsets.GenericViewSet):
    """`get_queryset` comes from `selector(organization=...)`: another tenant's id answers 404.

    POSTs honour the `Idempotency-Key` header (api.idempotency).
    """

    selector = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no tenant
            return self.get_serializer_class().Meta.model.objects.none()
        return type(self).selector(organization=self.request.organization)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must belong to the request's organization ("object does not exist" otherwise)."""

    def __init__(self, model=None, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        organization = getattr(request, "organization", None)
        if organization is None:
            return self.model.objects.none()
        return self.model.objects.for_organization(organization)
