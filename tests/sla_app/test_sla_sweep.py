import datetime as dt

import pytest
from django.utils import timezone

from sla.models import SlaClock
from sla.services import sla_sweep
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def open_p1(api, tenant, opened_at, external_id="INC1"):
    body = {"source": "t", "external_id": external_id, "title": "x", "priority": "P1", "site": tenant.site.pk,
            "opened_at": opened_at.isoformat()}
    assert api.post("/api/v1/tickets/", tenant, body).status_code == 201


def test_the_sweep_marks_at_risk_then_breached_exactly_once(api, tenant_a):
    opened = timezone.now() - dt.timedelta(minutes=200)  # P1 response 240 min; at risk from 180 min
    open_p1(api, tenant_a, opened)
    assert sla_sweep() == {"at_risk": 1, "breached": 0}
    assert sla_sweep() == {"at_risk": 0, "breached": 0}
    response = SlaClock.objects.get(kind="response")
    assert response.state == "at_risk" and response.was_at_risk

    later = timezone.now() + dt.timedelta(minutes=60)
    assert sla_sweep(now=later) == {"at_risk": 0, "breached": 1}
    assert sla_sweep(now=later) == {"at_risk": 0, "breached": 0}
    response.refresh_from_db()
    assert response.state == "breached"
    assert response.breached_at == response.due_at
    sla_events = TicketEvent.objects.filter(kind="sla", data__event__in=["at_risk", "breached"])
    assert sorted(sla_events.values_list("data__event", flat=True)) == ["at_risk", "breached"]


def test_a_paused_clock_is_not_breached(api, tenant_a):
    opened = timezone.now() - dt.timedelta(minutes=10)
    open_p1(api, tenant_a, opened)
    ticket_id = SlaClock.objects.first().ticket_id
    api.post(f"/api/v1/tickets/{ticket_id}/transition/", tenant_a, {"status": "on_hold"})
    counts = sla_sweep(now=timezone.now() + dt.timedelta(hours=9))
    assert counts["breached"] == 1  # the response clock; the paused resolution clock waits
    assert SlaClock.objects.get(kind="resolution").state == "paused"


def test_a_visit_after_the_due_time_is_recorded_as_a_breach(api, tenant_a):
    opened = timezone.now() - dt.timedelta(hours=5)
    open_p1(api, tenant_a, opened)
    ticket_id = SlaClock.objects.first().ticket_id
    api.post(f"/api/v1/tickets/{ticket_id}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    api.post(f"/api/v1/tickets/{ticket_id}/transition/", tenant_a, {"status": "en_route"})
    api.post(f"/api/v1/tickets/{ticket_id}/transition/", tenant_a, {"status": "on_site"})
    response = SlaClock.objects.get(kind="response")
    assert response.state == "breached"
    assert response.met_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_does_not_wait_for_a_ticket_held_by_a_transition(api, tenant_a):
    """PostgreSQL: a transition holds its ticket's row and then waits for the clocks; a sweep that waited for
    that ticket while holding its clocks would deadlock. It leaves that ticket's clocks for its next pass."""
    import threading

    from django.db import connection, transaction

    from tickets.models import Ticket

    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    open_p1(api, tenant_a, timezone.now(), external_id="HELD")
    open_p1(api, tenant_a, timezone.now(), external_id="FREE")
    later = timezone.now() + dt.timedelta(hours=5)  # P1: response due after 4 hours
    held = Ticket.objects.get(external_id="HELD")
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(30)
        assert sla_sweep(now=later) == {"at_risk": 0, "breached": 1}  # FREE's response clock; HELD's waits
        assert SlaClock.objects.get(ticket=held, kind="response").state == "running"
    finally:
        release.set()
        thread.join(30)
    assert sla_sweep(now=later) == {"at_risk": 0, "breached": 1}
    assert SlaClock.objects.get(ticket=held, kind="response").state == "breached"
