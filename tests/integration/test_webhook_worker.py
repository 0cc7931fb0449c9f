"""A real worker delivers 50 webhook events for 5 tickets: each exactly once, in order per ticket."""

import time
from collections import Counter

import pytest

from outbound.models import WebhookDelivery, WebhookSubscription
from tests.outbound.conftest import Receiver
from tickets.services import SYSTEM, ticket_transition, ticket_upsert

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_delivers_every_event_once_in_order(celery_worker_process, tenant_a):
    receiver = Receiver()
    try:
        WebhookSubscription.objects.create(organization=tenant_a.org, url=receiver.url, secret="s" * 24,
                                           events=["ticket.created", "ticket.status_changed"])
        expected = {}
        for n in range(5):
            ticket, _ = ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="wh", external_id=f"W{n}",
                                      data={"title": f"T{n}", "priority": "P3", "site": tenant_a.site})
            path = ["triaged", "scheduled"] * 4 + ["triaged"]
            for status in path:
                ticket = ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=ticket, status=status)
            expected[ticket.number] = path
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and WebhookDelivery.objects.exclude(status="succeeded").exists():
            time.sleep(0.5)
        assert WebhookDelivery.objects.filter(status="succeeded").count() == 50
        ok = [r["json"] for r in receiver.requests if r["status"] == 204]
        assert len(ok) == 50
        assert set(Counter(r["id"] for r in ok).values()) == {1}  # no event twice
        for number, path in expected.items():
            seen = [r["data"]["to"] for r in ok if r["ticket"]["number"] == number and r["event"] == "ticket.status_changed"]
            assert seen == path
    finally:
        receiver.server.shutdown()


def test_a_real_worker_queues_and_delivers_a_bulk_intakes_events(celery_worker_process, tenant_a):
    """More deliveries than a request queues itself: the worker's deliver_each queues them, each lands once."""
    from outbound.services import ENQUEUE_INLINE_AT_MOST
    from tickets.services import tickets_create_many

    receiver = Receiver()
    try:
        WebhookSubscription.objects.create(organization=tenant_a.org, url=receiver.url, secret="s" * 24,
                                           events=["ticket.created"])
        count = ENQUEUE_INLINE_AT_MOST * 2
        tickets_create_many(organization=tenant_a.org, actor=SYSTEM, items=[
            ("bulk", f"B{n}", {"title": f"T{n}", "priority": "P3", "site": tenant_a.site}) for n in range(count)])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and WebhookDelivery.objects.exclude(status="succeeded").exists():
            time.sleep(0.5)
        assert WebhookDelivery.objects.filter(status="succeeded").count() == count
        ok = [r["json"] for r in receiver.requests if r["status"] == 204]
        assert sorted(r["ticket"]["external_id"] for r in ok) == sorted(f"B{n}" for n in range(count))
    finally:
        receiver.server.shutdown()
