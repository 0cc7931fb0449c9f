"""The API's filter backend skips a request without a query string: that is only right while an empty
filterset filters nothing. These tests fail the day a filterset gets a required filter or a default."""

import pytest
from django_filters.rest_framework import DjangoFilterBackend

from dispatch_platform.api_urls import router
from tests.factories import TicketFactory

VIEWSETS = [(prefix, viewset) for prefix, viewset, _ in router.registry
            if getattr(viewset, "filterset_class", None) or getattr(viewset, "filterset_fields", None)]


def test_the_filtered_viewsets_are_found():
    assert {"tickets", "sites", "technicians"} <= {prefix for prefix, _ in VIEWSETS}


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "viewset"), VIEWSETS, ids=[p for p, _ in VIEWSETS])
def test_an_empty_filterset_filters_nothing(prefix, viewset):
    model = viewset.serializer_class.Meta.model
    queryset = model.objects.order_by("pk")
    filterset_class = DjangoFilterBackend().get_filterset_class(viewset(), queryset)
    assert not [name for name, f in filterset_class.base_filters.items() if f.extra.get("required")]
    filterset = filterset_class({}, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    assert str(filterset.qs.query) == str(queryset.query)


def test_a_query_string_still_filters_the_list_and_the_detail(api, tenant_a):
    urgent = TicketFactory(organization=tenant_a.org, site=tenant_a.site, priority="P1")
    scheduled = TicketFactory(organization=tenant_a.org, site=tenant_a.site, priority="P4")
    assert {t["id"] for t in api.get("/api/v1/tickets/", tenant_a).json()["results"]} == {urgent.pk, scheduled.pk}
    listed = api.get("/api/v1/tickets/?priority=P1", tenant_a).json()["results"]
    assert [t["id"] for t in listed] == [urgent.pk]
    assert api.get(f"/api/v1/tickets/{scheduled.pk}/", tenant_a).status_code == 200
    # As with DjangoFilterBackend: the detail honours the filters too.
    assert api.get(f"/api/v1/tickets/{scheduled.pk}/?priority=P1", tenant_a).status_code == 404
