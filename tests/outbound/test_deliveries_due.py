"""The beat safety net (outbound.services.webhook_deliveries_due) re-queues deliveries whose time has come."""

import datetime as dt

import pytest
from django.utils import timezone

from outbound.models import WebhookDelivery
from outbound.services import webhook_deliveries_due

from .test_webhooks import URL, open_ticket

pytestmark = pytest.mark.django_db


def test_it_is_not_starved_by_deliveries_waiting_behind_a_failing_one(
        api, tenant_a, subscription, receiver, django_capture_on_commit_callbacks):
    # Ticket 1: its first delivery failed and waits for a retry an hour away; two more wait behind it.
    tid = open_ticket(api, tenant_a, external_id="INC1")
    for status in ("triaged", "scheduled"):
        api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status})
    head, *behind = WebhookDelivery.objects.order_by("id")
    WebhookDelivery.objects.filter(pk=head.pk).update(
        status="failed", attempts=1, next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    # Ticket 2: a delivery whose task was lost (a killed worker): only the safety net can send it.
    open_ticket(api, tenant_a, external_id="INC2")
    lost = WebhookDelivery.objects.latest("id")

    with django_capture_on_commit_callbacks(execute=True):
        webhook_deliveries_due(limit=len(behind))  # a batch no larger than the queue behind the failing one

    lost.refresh_from_db()
    assert lost.status == "succeeded"
    assert [r["json"]["ticket"]["external_id"] for r in receiver.requests] == ["INC2"]
    assert set(WebhookDelivery.objects.filter(pk__in=[d.pk for d in behind]).values_list("status", flat=True)) == {
        "pending"}
