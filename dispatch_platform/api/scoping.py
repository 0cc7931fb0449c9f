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

    def to_internal_value(self, data):
        # A bulk request reads the objects its items name in one query and passes them in the context as
        # {"preloaded": {Model: {pk: object}}}, already scoped to the organization; one query per item otherwise.
        preloaded = self.context.get("preloaded", {}).get(self.model)
        if preloaded is None:
            return super().to_internal_value(data)
        try:
            if isinstance(data, bool):
                raise TypeError
            key = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if key not in preloaded:
            self.fail("does_not_exist", pk_value=data)
        return preloaded[key]
