"""Re-plan triggers: debounced per region; auto-dispatch applies what they produce."""

import datetime as dt

import pytest
from django.utils import timezone

from dispatch_platform.dispatch.models import DispatchPlan
from dispatch_platform.dispatch.services import dispatch_plan_run, replan_watch
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def p1(api, tenant, external_id):
    body = {"source": "t", "external_id": external_id, "title": "Outage", "priority": "P1",
            "site": tenant.site.pk, "required_skills": ["network"]}
    return api.post("/api/v1/tickets/", tenant, body).json()["id"]


def test_a_new_p1_queues_one_replan_for_its_region(api, tenant_a):
    tenant_a.site.region = "midwest"
    tenant_a.site.save()
    p1(api, tenant_a, "A")
    p1(api, tenant_a, "B")  # within the debounce window: joins the first
    plans = DispatchPlan.objects.filter(organization=tenant_a.org)
    assert [(p.trigger, p.region, p.status) for p in plans] == [("new_p1", "midwest", "queued")]


def test_lower_priorities_do_not_trigger(api, tenant_a):
    body = {"source": "t", "external_id": "x", "title": "x", "priority": "P3", "site": tenant_a.site.pk}
    api.post("/api/v1/tickets/", tenant_a, body)
    assert not DispatchPlan.objects.exists()


def test_auto_dispatch_applies_a_triggered_plan(api, tenant_a):
    tenant_a.org.auto_dispatch = True
    tenant_a.org.save()
    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    tid = p1(api, tenant_a, "A")
    plan = DispatchPlan.objects.get()
    plan.time_limit_seconds = 1
    plan.save()
    plan = dispatch_plan_run(plan_id=plan.pk)
    assert plan.status == "applied"
    ticket = Ticket.objects.get(pk=tid)
    assert ticket.technician == tenant_a.technician
    assert ticket.events.filter(kind="assigned", actor_label="auto-dispatch").exists()


def test_a_late_technician_triggers_a_replan(api, tenant_a):
    body = {"source": "t", "external_id": "late", "title": "x", "priority": "P3", "site": tenant_a.site.pk}
    tid = api.post("/api/v1/tickets/", tenant_a, body).json()["id"]
    api.post(f"/api/v1/tickets/{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk,
                                                           "scheduled_start": (timezone.now() - dt.timedelta(minutes=40)).isoformat()})
    plans = replan_watch()
    assert [(p.trigger, p.region) for p in plans] == [("late", tenant_a.site.region)]
    assert replan_watch() == []  # debounced


def test_assignment_and_setting_off_give_the_ticket_an_eta(api, tenant_a):
    body = {"source": "t", "external_id": "eta", "title": "x", "priority": "P3", "site": tenant_a.site.pk}
    tid = api.post("/api/v1/tickets/", tenant_a, body).json()["id"]
    assigned = api.post(f"/api/v1/tickets/{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk}).json()
    assert assigned["eta"] is not None
    # Moving the technician far away, then setting off: the ETA follows the real drive.
    tenant_a.technician.current_latitude, tenant_a.technician.current_longitude = 39.0, -90.0
    tenant_a.technician.save()
    en_route = api.post(f"/api/v1/tickets/{tid}/transition/", tenant_a, {"status": "en_route"}).json()
    eta = dt.datetime.fromisoformat(en_route["eta"].replace("Z", "+00:00"))
    assert eta - timezone.now() > dt.timedelta(hours=4)  # ~330 km at 50 km/h with the road factor
    assert Ticket.objects.get(pk=tid).events.filter(message__startswith="ETA").count() == 2
