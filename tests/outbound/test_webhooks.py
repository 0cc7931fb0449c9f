"""Outbound webhooks: events from ticket and SLA changes, delivered signed, retried, in order per ticket."""

import datetime as dt

import pytest
from django.utils import timezone

from outbound.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from outbound.services import backoff_seconds, webhook_deliver, webhook_redeliver
from outbound.signing import sign, verify_signature
from sla.services import sla_sweep

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def open_ticket(api, tenant, external_id="INC1", priority="P2", **over):
    body = {"source": "servicenow", "external_id": external_id, "title": "Switch down", "priority": priority,
            "site": tenant.site.pk, "required_skills": ["network"], **over}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201
    return response.json()["id"]


def test_signatures_verify_and_expire():
    body = b'{"event":"ticket.created"}'
    header = sign("secret", 1_700_000_000, body)
    assert verify_signature("secret", "1700000000", body, header, now=1_700_000_100)
    assert not verify_signature("secret", "1700000000", body + b" ", header, now=1_700_000_100)
    assert not verify_signature("other", "1700000000", body, header, now=1_700_000_100)
    assert not verify_signature("secret", "1700000000", body, header, now=1_700_001_000)  # too old: replayed


def test_the_lifecycle_is_delivered_signed_and_in_order(api, tenant_a, subscription, receiver,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tid = open_ticket(api, tenant_a)
        api.post(f"{URL}{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
        for status in ("en_route", "on_site", "completed"):
            api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status, "note": "Replaced the PSU"})
    sent = receiver.events()
    assert sent[:3] == ["ticket.created", "ticket.assigned", "ticket.eta_changed"]
    # Setting off re-estimates the ETA; it is only announced if it moved (here it may not have).
    assert [e for e in sent[3:] if e != "ticket.eta_changed"] == [
        "ticket.status_changed", "ticket.status_changed", "ticket.status_changed", "ticket.status_changed",
        "ticket.completed",
    ]
    statuses = [r["json"]["data"]["to"] for r in receiver.requests if r["json"]["event"] == "ticket.status_changed"]
    assert statuses == ["dispatched", "en_route", "on_site", "completed"]
    first = receiver.requests[0]
    headers = {k.lower(): v for k, v in first["headers"].items()}
    assert verify_signature(subscription.secret, headers["x-dispatch-timestamp"], first["body"],
                            headers["x-dispatch-signature"])
    assert first["json"]["ticket"]["external_id"] == "INC1"
    completed = receiver.requests[-1]["json"]
    assert completed["data"]["resolution_notes"] == "Replaced the PSU"
    assert completed["data"]["time_on_site_minutes"] >= 0
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_completed_carries_what_was_done_not_what_was_requested(api, tenant_a, subscription, receiver,
                                                               django_capture_on_commit_callbacks):
    from inventory.models import Part

    for sku in ("PSU-750", "SFP-10G-SR"):
        Part.objects.create(organization=tenant_a.org, sku=sku, name=sku)
    subscription.events = ["ticket.completed"]
    subscription.save()
    with django_capture_on_commit_callbacks(execute=True):
        tid = open_ticket(api, tenant_a, parts=[{"sku": "SFP-10G-SR", "quantity": 2}])
        api.post(f"{URL}{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
        for status in ("en_route", "on_site"):
            api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status})
        response = api.post(f"{URL}{tid}/transition/", tenant_a, {
            "status": "completed", "resolution_code": "replaced_part", "resolution_notes": "New PSU; SFPs were fine",
            "parts_used": [{"sku": "PSU-750", "quantity": 1}]})
        assert response.status_code == 200, response.json()
    [completed] = [r["json"] for r in receiver.requests]
    assert completed["event"] == "ticket.completed"
    data = completed["data"]
    assert data["parts_used"] == [{"sku": "PSU-750", "quantity": 1}]
    assert (data["resolution_code"], data["resolution_notes"]) == ("replaced_part", "New PSU; SFPs were fine")
    assert data["time_on_site_minutes"] >= 0 and data["first_time_fix"] is True


def test_sla_breaches_are_events(api, tenant_a, subscription, receiver, django_capture_on_commit_callbacks):
    subscription.events = ["sla.at_risk", "sla.breached"]
    subscription.save()
    opened = (timezone.now() - dt.timedelta(hours=6)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(api, tenant_a, priority="P1", opened_at=opened)
        sla_sweep()
    # 6 h after opening a P1: the 4 h response clock has breached, the 8 h resolution clock is at risk.
    sent = {(r["json"]["event"], r["json"]["data"]["clock"]) for r in receiver.requests}
    assert sent == {("sla.breached", "response"), ("sla.at_risk", "resolution")}


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(api, tenant_a, subscription, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.fail_next = 10
    open_ticket(api, tenant_a)  # on_commit is not run here: the test drives attempts itself
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    assert webhook_deliver(delivery_id=delivery.pk) == "not due"  # not before its backoff
    for expected in ("retry", "dead"):  # attempts 2 and 3 (the cap)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert webhook_deliver(delivery_id=delivery.pk) == expected
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("dead", 3)
    receiver.fail_next = 0
    assert webhook_redeliver(organization_id=tenant_a.org.pk, delivery_ids=[delivery.pk]) == 1
    assert webhook_deliver(delivery_id=delivery.pk) == "succeeded"


def test_backoff_grows_and_is_capped():
    import random

    rng = random.Random(1)
    assert all(0 <= backoff_seconds(1, rng) <= 30 for _ in range(50))
    assert max(backoff_seconds(6, rng) for _ in range(200)) > 300
    assert all(backoff_seconds(20, rng) <= 3600 for _ in range(50))


def test_a_later_event_waits_for_an_earlier_one_of_the_same_ticket(api, tenant_a, subscription, receiver):
    tid = open_ticket(api, tenant_a)
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "triaged"})
    created, changed = WebhookDelivery.objects.order_by("id")
    assert webhook_deliver(delivery_id=changed.pk) == "waiting"
    assert webhook_deliver(delivery_id=created.pk) == "succeeded"
    assert webhook_deliver(delivery_id=changed.pk) == "succeeded"
    assert receiver.events() == ["ticket.created", "ticket.status_changed"]


def test_only_the_head_of_a_tickets_line_is_queued_the_rest_are_woken_in_turn(
        api, tenant_a, subscription, receiver, monkeypatch, django_capture_on_commit_callbacks):
    from outbound import tasks

    queued = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, countdown=0: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        tid = open_ticket(api, tenant_a)
        other = open_ticket(api, tenant_a, external_id="INC2")
        for status in ("triaged", "scheduled"):
            api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status})
    created, created_other, *later = WebhookDelivery.objects.filter(ticket_id_copy__in=[tid, other]).order_by("id")
    # The later events of a ticket whose first is still open are not queued only to find themselves waiting.
    assert queued == [created.pk, created_other.pk] and len(later) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliver(delivery_id=created.pk) == "succeeded"
    assert queued[-1] == later[0].pk  # woken by the one before it
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliver(delivery_id=later[0].pk) == "succeeded"
    assert queued[-1] == later[1].pk


def test_a_bulk_intakes_deliveries_are_queued_by_one_message_and_all_delivered(
        api, tenant_a, subscription, receiver, monkeypatch, django_capture_on_commit_callbacks):
    from outbound import services, tasks

    count = services.ENQUEUE_INLINE_AT_MOST + 5
    published = []
    send_each = tasks.deliver_each.apply_async
    monkeypatch.setattr(tasks.deliver_each, "apply_async",
                        lambda args, countdown=0: published.append(len(args[0])) or send_each(args=args))
    items = [{"source": "servicenow", "external_id": f"B{i}", "title": "Printer", "priority": "P3",
              "site": tenant_a.site.pk} for i in range(count)]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"{URL}bulk/", tenant_a, items).status_code == 200
    assert published == [count]  # one message from the request for all of them
    assert sorted(r["json"]["ticket"]["external_id"] for r in receiver.requests) == sorted(f"B{i}" for i in range(count))
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_events_never_reach_another_tenants_subscription(api, tenant_a, tenant_b, receiver):
    WebhookSubscription.objects.create(organization=tenant_b.org, url=receiver.url, secret="x" * 20)
    open_ticket(api, tenant_a)
    assert WebhookEvent.objects.filter(organization=tenant_a.org).count() == 0  # A has no subscription
    assert WebhookDelivery.objects.count() == 0


def test_subscriptions_api_validates_and_scopes(api, tenant_a, tenant_b, receiver):
    bad = api.post("/api/v1/webhooks/", tenant_a, {"url": "ftp://x", "secret": "s" * 20, "events": ["ticket.exploded"]})
    assert bad.status_code == 400
    assert {"url", "events"} <= set(bad.json())
    ok = api.post("/api/v1/webhooks/", tenant_a, {"url": receiver.url, "secret": "s" * 20,
                                                  "events": ["ticket.completed"], "format": "json"})
    assert ok.status_code == 201, ok.json()
    assert "secret" not in ok.json()
    sid = ok.json()["id"]
    assert api.get(f"/api/v1/webhooks/{sid}/", tenant_b).status_code == 404
    assert api.get(f"/api/v1/webhooks/{sid}/deliveries/", tenant_b).status_code == 404
    assert api.get(f"/api/v1/webhooks/{sid}/deliveries/", tenant_a).json()["results"] == []
