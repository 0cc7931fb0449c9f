"""Celery beat + a real worker on the broker mark an overdue clock breached, once, with its TicketEvent."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from sla.models import SlaClock
from tickets.models import TicketEvent

from .conftest import start_beat, stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_beat_and_a_real_worker_breach_an_overdue_clock_exactly_once(celery_worker_process, api, tenant_a, tmp_path):
    opened = timezone.now() - dt.timedelta(minutes=239, seconds=50)  # P1 response due in ~10 s
    body = {"source": "t", "external_id": "INC-BEAT", "title": "Core switch down", "priority": "P1",
            "site": tenant_a.site.pk, "opened_at": opened.isoformat()}
    assert api.post("/api/v1/tickets/", tenant_a, body).status_code == 201
    clock = SlaClock.objects.get(kind="response")
    assert clock.state == "running"

    beat = start_beat(tmp_path / "beat-schedule", SLA_SWEEP_SECONDS="1")
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            clock.refresh_from_db()
            if clock.state == "breached":
                break
            time.sleep(0.5)
        assert clock.state == "breached"
        assert clock.breached_at == clock.due_at
        time.sleep(3)  # more sweeps run: none may record the breach again
    finally:
        stop(beat)
    events = TicketEvent.objects.filter(ticket=clock.ticket, kind="sla", data__event="breached")
    assert events.count() == 1
