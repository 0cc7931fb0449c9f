"""200 clocks fall due within a minute; two workers (ETA timers) and the beat sweep race to mark them.
Every at-risk and breach transition is recorded exactly once."""

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from sla.models import SlaClock
from tickets.models import TicketEvent
from tickets.services import SYSTEM, ticket_upsert

from .conftest import start_beat, start_worker, stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
N = 200


def test_200_breaches_are_recorded_exactly_once_by_two_workers_and_the_sweep(celery_worker_process, tenant_a, tmp_path):
    second_worker = start_worker("itest2")
    beat = start_beat(tmp_path / "beat-schedule", SLA_SWEEP_SECONDS="2")
    try:
        now = timezone.now()
        for i in range(N):
            # P1 response: 240 wall-clock minutes; these fall due between 5 and 45 s from now.
            opened = now - dt.timedelta(minutes=240) + dt.timedelta(seconds=5 + (i % 40))
            ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="load", external_id=f"L{i}",
                          data={"title": f"Load {i}", "priority": "P1", "site": tenant_a.site, "opened_at": opened})
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            if SlaClock.objects.filter(kind="response", state="breached").count() == N:
                break
            time.sleep(1)
        time.sleep(5)  # let late timers and sweeps run: none may record anything twice
    finally:
        stop(beat)
        stop(second_worker)

    assert SlaClock.objects.filter(kind="response", state="breached").count() == N
    breaches = Counter(
        TicketEvent.objects.filter(kind="sla", data__event="breached", data__clock="response")
        .values_list("ticket_id", flat=True)
    )
    assert len(breaches) == N
    assert set(breaches.values()) == {1}
    at_risk = Counter(
        TicketEvent.objects.filter(kind="sla", data__event="at_risk").values_list("ticket_id", "data__clock")
    )
    assert all(count == 1 for count in at_risk.values())
