"""A dispatcher assigning by hand while a plan is applied: row locks serialise them, so each ticket ends up
with exactly one technician, every change is audited, and nothing is lost (PostgreSQL, threads)."""

import threading

import pytest
from django.db import connection

from dispatch_platform.dispatch.models import Assignment, DispatchPlan
from dispatch_platform.dispatch.services import dispatch_plan_apply
from tests.factories import TechnicianFactory
from tickets.models import Ticket, TicketEvent
from tickets.services import SYSTEM, Actor, ticket_assign, ticket_upsert

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_hand_assignments_and_a_plan_apply_race_without_double_booking(tenant_a):
    from django.utils import timezone

    other = TechnicianFactory(organization=tenant_a.org, skills=["network"])
    tickets = []
    for i in range(20):
        ticket, _ = ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="race", external_id=str(i),
                                  data={"title": f"T{i}", "priority": "P3", "site": tenant_a.site,
                                        "required_skills": ["network"]})
        tickets.append(ticket)
    plan = DispatchPlan.objects.create(organization=tenant_a.org, status="proposed")
    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(plan=plan, ticket=t, technician=tenant_a.technician, sequence=i + 1, planned_start=now,
                   planned_end=now) for i, t in enumerate(tickets)
    )
    errors = []
    barrier = threading.Barrier(2)

    def apply_plan():
        try:
            barrier.wait()
            dispatch_plan_apply(organization=tenant_a.org, plan=plan, actor=SYSTEM)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()  # a thread's own connection: close it, or the test database cannot be dropped

    def assign_by_hand():
        try:
            barrier.wait()
            for t in reversed(tickets):
                ticket_assign(organization=tenant_a.org, actor=Actor(label="dispatcher"), ticket=t, technician=other)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()  # a thread's own connection: close it, or the test database cannot be dropped

    threads = [threading.Thread(target=apply_plan), threading.Thread(target=assign_by_hand)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    for t in tickets:
        t.refresh_from_db()
        assert t.technician_id in (tenant_a.technician.pk, other.pk)
        assert t.status == "dispatched"
        # Every assignment that happened is in the audit trail, and the last one is what the ticket says.
        last = TicketEvent.objects.filter(ticket=t, kind="assigned").order_by("-created_at", "-id").first()
        assert last.data["technician"] == t.technician_id
    plan.refresh_from_db()
    assert plan.status == "applied"
    hand = Ticket.objects.filter(technician=other).count()
    assert plan.kpis["applied"] + len(plan.kpis["skipped"]) == 20
    assert hand >= len(plan.kpis["skipped"])
