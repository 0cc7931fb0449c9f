"""Optimiser plans through the API: run (Celery task, eager here), review, apply, conflicts."""

import datetime as dt

import pytest

from dispatch_platform.dispatch.models import DispatchPlan
from dispatch_platform.dispatch.problem import UNASSIGNED_PENALTY, build_problem
from sla.models import SlaClock
from tests.factories import TechnicianFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def open_day(tenant_a):
    """Three tickets at an always-open site, two technicians who can do them (one nearer)."""
    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    far = TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=42.5, home_longitude=-88.5)
    tickets = []
    for i, prio in enumerate(["P1", "P2", "P3"]):
        body = {"source": "t", "external_id": f"J{i}", "title": f"Job {i}", "priority": prio,
                "site": tenant_a.site.pk, "required_skills": ["network"]}
        tickets.append(body)
    return tenant_a, far, tickets


def run_plan(api, tenant, capture, time_limit=2):
    with capture(execute=True):
        response = api.post("/api/v1/plans/", tenant, {"time_limit": time_limit})
    assert response.status_code == 202, response.json()
    return api.get(f"/api/v1/plans/{response.json()['id']}/", tenant).json()


def test_a_plan_assigns_every_job_to_a_qualified_technician(api, open_day, django_capture_on_commit_callbacks):
    tenant, far, bodies = open_day
    for body in bodies:
        api.post("/api/v1/tickets/", tenant, body)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan["status"] == "proposed", plan
    assert plan["kpis"]["assigned"] == 3 and plan["kpis"]["unassigned"] == 0
    assert {a["technician"] for a in plan["assignments"]} <= {tenant.technician.pk, far.pk}
    # Nothing is assigned until the dispatcher applies the plan.
    assert not Ticket.objects.filter(technician__isnull=False).exists()


def test_applying_assigns_and_schedules_with_audit(api, open_day, django_capture_on_commit_callbacks):
    tenant, far, bodies = open_day
    for body in bodies:
        api.post("/api/v1/tickets/", tenant, body)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    applied = api.post(f"/api/v1/plans/{plan['id']}/apply/", tenant, {})
    assert applied.status_code == 200
    assert applied.json()["status"] == "applied"
    for a in plan["assignments"]:
        ticket = Ticket.objects.get(pk=a["ticket"])
        assert ticket.technician_id == a["technician"]
        assert ticket.status == "dispatched"
        assert ticket.scheduled_start is not None
        assert ticket.events.filter(kind="assigned").count() == 1
    again = api.post(f"/api/v1/plans/{plan['id']}/apply/", tenant, {})
    assert again.status_code == 409


def test_a_hand_assignment_made_after_the_plan_is_not_overwritten(api, open_day, django_capture_on_commit_callbacks):
    tenant, far, bodies = open_day
    for body in bodies:
        api.post("/api/v1/tickets/", tenant, body)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    first = plan["assignments"][0]
    other = far.pk if first["technician"] != far.pk else tenant.technician.pk
    api.post(f"/api/v1/tickets/{first['ticket']}/assign/", tenant, {"technician": other})
    result = api.post(f"/api/v1/plans/{plan['id']}/apply/", tenant, {}).json()
    assert Ticket.objects.get(pk=first["ticket"]).technician_id == other
    assert any(s["ticket"] == first["ticket_number"] for s in result["kpis"]["skipped"])


def test_in_progress_work_stays_with_its_technician(api, open_day, django_capture_on_commit_callbacks):
    tenant, far, bodies = open_day
    tid = api.post("/api/v1/tickets/", tenant, bodies[0]).json()["id"]
    api.post(f"/api/v1/tickets/{tid}/assign/", tenant, {"technician": far.pk})
    api.post(f"/api/v1/tickets/{tid}/transition/", tenant, {"status": "en_route"})
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    pinned = next(a for a in plan["assignments"] if a["ticket"] == tid)
    assert pinned["technician"] == far.pk
    assert pinned["sequence"] == 1


def test_a_bad_time_limit_is_400(api, tenant_a):
    response = api.post("/api/v1/plans/", tenant_a, {"time_limit": 0})
    assert response.status_code == 400
    assert "time_limit" in response.json()
    assert DispatchPlan.objects.count() == 0


def test_another_tenants_plan_is_404(api, tenant_a, tenant_b, django_capture_on_commit_callbacks):
    plan = run_plan(api, tenant_b, django_capture_on_commit_callbacks, time_limit=1)
    assert api.get(f"/api/v1/plans/{plan['id']}/", tenant_a).status_code == 404
    assert api.post(f"/api/v1/plans/{plan['id']}/apply/", tenant_a, {}).status_code == 404


def test_the_plan_pages_show_the_proposal(client, api, open_day, django_capture_on_commit_callbacks):
    tenant, far, bodies = open_day
    for body in bodies:
        api.post("/api/v1/tickets/", tenant, body)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    client.force_login(tenant.dispatcher)
    html = client.get(f"/plans/{plan['id']}/").content.decode()
    assert "Apply all" in html and plan["assignments"][0]["ticket_number"] in html
    assert client.post(f"/plans/{plan['id']}/apply/").status_code == 302
    assert Ticket.objects.filter(technician__isnull=False).count() == 3


def test_a_large_day_is_solved_by_regional_parts(api, open_day, django_capture_on_commit_callbacks, settings):
    settings.PLAN_DECOMPOSE_ABOVE_JOBS = 2  # three jobs count as "large" here
    tenant, far, bodies = open_day
    for body in bodies:
        api.post("/api/v1/tickets/", tenant, body)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks, time_limit=3)
    assert plan["status"] == "proposed", plan
    assert plan["kpis"]["decomposed"] is True
    assert plan["kpis"]["assigned"] == 3


def test_a_job_that_would_breach_if_left_costs_more_to_leave_than_one_due_tomorrow(api, tenant_a):
    """Over capacity the optimiser leaves the jobs cheapest to leave: one due before the technician is
    back at work tomorrow is a certain breach then, one due tomorrow noon is not."""
    now = dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Chicago
    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    tenant_a.technician.shift = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    tenant_a.technician.save()
    due = {"p3_today": now + dt.timedelta(hours=4), "p3_overdue": now - dt.timedelta(days=1),
           "p3_tomorrow": now + dt.timedelta(days=1, hours=2), "p2_tomorrow": now + dt.timedelta(days=1, hours=2)}
    ids = {}
    for name, due_at in due.items():
        body = {"source": "t", "external_id": name, "title": name, "priority": name[:2].upper(),
                "site": tenant_a.site.pk, "required_skills": ["network"]}
        ids[name] = api.post("/api/v1/tickets/", tenant_a, body).json()["id"]
        SlaClock.objects.filter(ticket_id=ids[name], kind="response").update(due_at=due_at)

    jobs = {j["id"]: j for j in build_problem(organization=tenant_a.org, now=now).problem["jobs"]}
    penalty = {name: jobs[f"J{pk}"]["unassigned_penalty"] for name, pk in ids.items()}
    assert penalty["p3_tomorrow"] == UNASSIGNED_PENALTY["P3"]
    assert penalty["p3_today"] > penalty["p2_tomorrow"] > penalty["p3_tomorrow"]
    # Already breached: leaving it adds no breach, only the minutes it waits until tomorrow.
    assert penalty["p3_today"] > penalty["p3_overdue"] > penalty["p3_tomorrow"]
