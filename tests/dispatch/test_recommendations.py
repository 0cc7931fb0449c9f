"""Recommendations by insertion into each qualified technician's current route."""

import datetime as dt

import pytest
from django.utils import timezone

from inventory.models import Part, StockLevel, StockLocation
from technicians.models import TimeOff
from tests.factories import TechnicianFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def ticket(api, tenant, external_id, priority="P2", minutes_ago=0, **over):
    body = {"source": "t", "external_id": external_id, "title": external_id, "priority": priority,
            "site": tenant.site.pk, "required_skills": ["network"],
            "opened_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(), **over}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def recs(api, tenant, tid):
    response = api.get(f"{URL}{tid}/recommendations/", tenant)
    assert response.status_code == 200
    return response.json()


def test_the_nearer_idle_technician_ranks_first(api, tenant_a):
    far = TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=39.0, home_longitude=-90.0)
    tid = ticket(api, tenant_a, "A", priority="P1")
    ranked = recs(api, tenant_a, tid)
    assert [r["technician"] for r in ranked] == [tenant_a.technician.pk, far.pk]
    assert ranked[0]["travel_km"] < ranked[1]["travel_km"]
    assert ranked[0]["position"] == 0 and ranked[0]["load"] == 0


def test_a_busy_route_shows_where_the_ticket_fits_and_its_knock_on(api, tenant_a):
    urgent = ticket(api, tenant_a, "urgent", priority="P1", minutes_ago=200)  # due in 40 min
    api.post(f"{URL}{urgent}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    new = ticket(api, tenant_a, "new", priority="P4")
    top = recs(api, tenant_a, new)[0]
    assert top["load"] == 1
    assert top["position"] == 1  # after the urgent job: putting it first would make that one late
    assert top["knock_on_minutes"] == 0
    assert any("slot 2 of 2" in r for r in top["reasons"])


def test_a_technician_on_time_off_is_not_recommended(api, tenant_a):
    now = timezone.now()
    TimeOff.objects.create(technician=tenant_a.technician, starts_at=now - dt.timedelta(hours=1),
                           ends_at=now + dt.timedelta(hours=8))
    assert recs(api, tenant_a, ticket(api, tenant_a, "A")) == []


def test_parts_in_the_van_are_a_reason(api, tenant_a):
    part = Part.objects.create(organization=tenant_a.org, sku="SFP-10G-SR", name="SFP")
    van = StockLocation.objects.create(organization=tenant_a.org, name="Van", kind="van", latitude=41.9,
                                       longitude=-87.7, technician=tenant_a.technician)
    StockLevel.objects.create(location=van, part=part, quantity=2)
    tid = ticket(api, tenant_a, "A", parts=[{"sku": "SFP-10G-SR", "quantity": 1}])
    assert "carries the parts: SFP-10G-SR" in recs(api, tenant_a, tid)[0]["reasons"]


def test_a_missing_part_is_collected_on_the_way(api, tenant_a):
    part = Part.objects.create(organization=tenant_a.org, sku="PSU-750", name="PSU")
    depot = StockLocation.objects.create(organization=tenant_a.org, name="Depot", kind="warehouse", latitude=41.95,
                                         longitude=-87.9)
    StockLevel.objects.create(location=depot, part=part, quantity=5)
    tid = ticket(api, tenant_a, "A", parts=[{"sku": "PSU-750", "quantity": 1}])
    top = recs(api, tenant_a, tid)[0]
    assert "collects PSU-750 on the way" in top["reasons"]
    assert top["added_travel_km"] > top["travel_km"]  # the detour to the depot counts


def test_queries_do_not_grow_with_technicians(api, tenant_a, django_assert_max_num_queries):
    tid = ticket(api, tenant_a, "A")
    with django_assert_max_num_queries(30) as captured:
        recs(api, tenant_a, tid)
    baseline = len(captured)
    for i in range(15):
        TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=41 + i / 10)
    with django_assert_max_num_queries(baseline):
        assert len(recs(api, tenant_a, tid)) == 5
