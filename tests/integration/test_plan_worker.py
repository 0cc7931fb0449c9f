"""Plan → apply through the API with a real Celery worker solving on the `optimize` queue."""

import time

import pytest

from dispatch_platform.dispatch.models import DispatchPlan
from tickets.models import Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def test_a_real_worker_solves_the_plan_and_the_dispatcher_applies_it(celery_worker_process, api, tenant_a):
    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    for i, prio in enumerate(["P1", "P2", "P3", "P4"]):
        body = {"source": "t", "external_id": f"P{i}", "title": f"Job {i}", "priority": prio,
                "site": tenant_a.site.pk, "required_skills": ["network"]}
        assert api.post("/api/v1/tickets/", tenant_a, body).status_code == 201

    created = api.post("/api/v1/plans/", tenant_a, {"time_limit": 2})
    assert created.status_code == 202
    plan_id = created.json()["id"]
    deadline = time.monotonic() + 90
    plan = created.json()
    while time.monotonic() < deadline and plan["status"] in ("queued", "running"):
        time.sleep(0.5)
        plan = api.get(f"/api/v1/plans/{plan_id}/", tenant_a).json()
    assert plan["status"] == "proposed", plan
    assert plan["kpis"]["assigned"] == 4

    applied = api.post(f"/api/v1/plans/{plan_id}/apply/", tenant_a, {})
    assert applied.status_code == 200
    assert DispatchPlan.objects.get(pk=plan_id).status == "applied"
    assert Ticket.objects.filter(technician=tenant_a.technician, status="dispatched").count() == 4
