"""The delivery log keeps every attempt (status code, latency, error, the start of the answer), not only the last."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbound.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from outbound.services import webhook_deliver

from .test_webhooks import open_ticket

pytestmark = pytest.mark.django_db


def deliver_now(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    return webhook_deliver(delivery_id=delivery.pk)


def test_every_attempt_is_logged_and_shown_by_the_api_newest_first(api, tenant_a, tenant_b, subscription, receiver):
    receiver.fail_next = 2
    receiver.error_body = b'{"error": "database is down"}' + b"x" * 1000
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    assert [deliver_now(delivery) for _ in range(3)] == ["retry", "retry", "succeeded"]

    url = f"/api/v1/webhooks/{subscription.pk}/deliveries/"
    listed = api.get(url, tenant_a).json()["results"][0]
    assert (listed["attempts"], listed["last_status_code"], listed["status"]) == (3, 204, "succeeded")
    assert "attempt_log" not in listed  # the list is as it was
    detail = api.get(f"{url}{delivery.pk}/", tenant_a)
    assert detail.status_code == 200
    log = detail.json()["attempt_log"]
    assert [(a["number"], a["status_code"], a["error"]) for a in log] == [
        (3, 204, ""), (2, 500, "HTTP 500"), (1, 500, "HTTP 500")]
    assert log[2]["response_excerpt"].startswith('{"error": "database is down"}')
    assert len(log[2]["response_excerpt"]) == 500
    assert all(a["latency_ms"] >= 0 and a["started_at"] for a in log)
    assert {k: detail.json()[k] for k in listed} == listed  # the list's fields, unchanged

    assert api.get(f"{url}{delivery.pk}/", tenant_b).status_code == 404
    other = WebhookSubscription.objects.create(organization=tenant_a.org, url=receiver.url, secret="x" * 20)
    assert api.get(f"/api/v1/webhooks/{other.pk}/deliveries/{delivery.pk}/", tenant_a).status_code == 404


def test_an_unreachable_receiver_is_logged_with_its_error(api, tenant_a, subscription, receiver):
    receiver.server.shutdown()
    receiver.server.server_close()
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk) == "retry"
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "Connection refused" in attempt.error
    assert attempt.organization_id == tenant_a.org.pk


def test_an_attempt_costs_one_insert_more_and_no_other_query(api, tenant_a, subscription, receiver):
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    with CaptureQueriesContext(connection) as queries:
        assert webhook_deliver(delivery_id=delivery.pk) == "succeeded"
    statements = [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # read the delivery, earlier-open check, claim, outcome, the attempt row, the ticket's next in line
    assert statements == ["SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT", "SELECT"]


def test_attempts_go_with_their_delivery(api, tenant_a, subscription, receiver):
    open_ticket(api, tenant_a)
    webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk)
    assert WebhookAttempt.objects.count() == 1
    subscription.delete()
    assert not WebhookAttempt.objects.exists()


def test_the_admin_shows_a_deliverys_attempts(admin_client, api, tenant_a, subscription, receiver):
    receiver.fail_next = 1
    receiver.error_body = b"upstream timeout"
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    deliver_now(delivery)
    deliver_now(delivery)
    page = admin_client.get(f"/admin/outbound/webhookdelivery/{delivery.pk}/change/").content.decode()
    inline = page[page.index('id="attempt_log-group"'):]
    assert "upstream timeout" in inline and "HTTP 500" in inline
    assert inline.index("204") < inline.index("HTTP 500")  # newest first


def test_redelivery_keeps_the_attempt_log_and_shows_who_and_when(admin_client, admin_user, api, tenant_a, subscription,
                                                                 receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.fail_next = 2
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    assert [deliver_now(delivery) for _ in range(2)] == ["retry", "dead"]

    with django_capture_on_commit_callbacks(execute=True):  # the redelivery is sent at once (eager tasks)
        response = admin_client.post("/admin/outbound/webhookdelivery/", {
            "action": "redeliver", "_selected_action": [delivery.pk]}, follow=True)
    assert "1 deliveries queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.attempts_total) == ("succeeded", 1, 3)
    assert delivery.redelivered_by == admin_user and delivery.redelivered_at is not None
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [(3, 204), (2, 500), (1, 500)]
    page = admin_client.get(f"/admin/outbound/webhookdelivery/{delivery.pk}/change/").content.decode()
    redelivered_by = page[page.index("field-redelivered_by"):]
    assert admin_user.username in redelivered_by[:redelivered_by.index("</div>\n")]
