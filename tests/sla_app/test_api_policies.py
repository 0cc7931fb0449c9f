import copy

import pytest

from sla.models import SlaPolicy
from tests.conftest import STANDARD_TARGETS

pytestmark = pytest.mark.django_db
URL = "/api/v1/sla-policies/"


def test_it_creates_a_customer_policy(api, tenant_a):
    body = {"name": "Bank P1 2h", "customer": tenant_a.customer.pk, "targets": copy.deepcopy(STANDARD_TARGETS)}
    body["targets"][0]["response"]["minutes"] = 120
    response = api.post(URL, tenant_a, body)
    assert response.status_code == 201, response.json()
    assert response.json()["targets"][0]["response"] == {"kind": "duration", "minutes": 120, "calendar": "24x7"}


def test_a_policy_without_all_four_priorities_is_400(api, tenant_a):
    response = api.post(URL, tenant_a, {"name": "Half", "targets": copy.deepcopy(STANDARD_TARGETS[:2])})
    assert response.status_code == 400
    assert "P3" in response.json()["targets"][0]
    assert not SlaPolicy.objects.filter(name="Half").exists()


@pytest.mark.parametrize("target", [
    {"kind": "duration", "minutes": 0, "calendar": "24x7"},
    {"kind": "duration", "minutes": -5, "calendar": "24x7"},
    {"kind": "duration", "minutes": 60, "calendar": "lunar"},
    {"kind": "business_days", "days": 0},
    {"kind": "whenever"},
])
def test_a_bad_target_is_400_naming_it(api, tenant_a, target):
    targets = copy.deepcopy(STANDARD_TARGETS)
    targets[1]["response"] = target
    response = api.post(URL, tenant_a, {"name": "Bad", "targets": targets})
    assert response.status_code == 400
    assert any(k.startswith("targets[1].response") for k in response.json()), response.json()
    assert not SlaPolicy.objects.filter(name="Bad").exists()


def test_the_most_specific_policy_wins(api, tenant_a):
    targets = copy.deepcopy(STANDARD_TARGETS)
    targets[0]["response"]["minutes"] = 120
    api.post(URL, tenant_a, {"name": "Customer", "customer": tenant_a.customer.pk, "targets": targets})
    body = {"source": "t", "external_id": "1", "title": "x", "priority": "P1", "site": tenant_a.site.pk,
            "opened_at": "2026-11-23T10:00:00Z"}
    ticket = api.post("/api/v1/tickets/", tenant_a, body).json()
    assert ticket["sla"]["response"]["due_at"] == "2026-11-23T12:00:00Z"
