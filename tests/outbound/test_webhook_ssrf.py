"""Webhooks go to public addresses only (SSRF): refused when saved, and again when delivered."""

import socket

import pytest

from outbound.models import WebhookDelivery, WebhookSubscription
from outbound.services import webhook_deliver

from .test_webhooks import open_ticket

pytestmark = pytest.mark.django_db
INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://localhost:8000/hook",
    "http://127.0.0.1/hook",
    "http://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://100.64.0.1/hook",  # carrier-grade NAT: not global
]


@pytest.fixture
def public_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


@pytest.mark.parametrize("url", INTERNAL)
def test_the_api_refuses_internal_addresses(api, tenant_a, public_only, url):
    response = api.post("/api/v1/webhooks/", tenant_a, {"url": url, "secret": "s" * 20})
    assert response.status_code == 400
    assert "private" in response.json()["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_a_name_resolving_to_an_internal_address_is_refused_and_a_public_one_accepted(
        api, tenant_a, public_only, monkeypatch):
    real = socket.getaddrinfo
    answers = {"itsm.example.com": "93.184.215.14", "intranet.example.com": "10.0.0.7"}

    def fake_dns(host, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    bad = api.post("/api/v1/webhooks/", tenant_a, {"url": "https://intranet.example.com/hook", "secret": "s" * 20})
    assert bad.status_code == 400 and "10.0.0.7" in bad.json()["url"][0]
    ok = api.post("/api/v1/webhooks/", tenant_a, {"url": "https://itsm.example.com/hook", "secret": "s" * 20})
    assert ok.status_code == 201, ok.json()
    changed = api.patch(f"/api/v1/webhooks/{ok.json()['id']}/", tenant_a, {"url": "http://169.254.169.254/"})
    assert changed.status_code == 400 and "url" in changed.json()
    assert WebhookSubscription.objects.get().url == "https://itsm.example.com/hook"


def test_the_admin_refuses_internal_addresses(admin_client, tenant_a, public_only):
    response = admin_client.post("/admin/outbound/webhooksubscription/add/", {
        "organization": tenant_a.org.pk, "url": "http://169.254.169.254/latest/",
        "secret": "s" * 20, "format": "json", "active": "on",
        "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"})
    assert response.status_code == 200  # the form again, with its error
    assert "public addresses only" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_private_addresses_are_allowed_when_the_setting_says_so(api, tenant_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    response = api.post("/api/v1/webhooks/", tenant_a, {"url": "http://127.0.0.1:9/hook", "secret": "s" * 20})
    assert response.status_code == 201


def test_a_delivery_to_an_address_that_became_internal_is_not_sent_and_not_retried(
        api, tenant_a, subscription, receiver, settings):
    # Saved while allowed (or while its name resolved elsewhere); now its address is internal.
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk) == "dead"
    delivery.refresh_from_db()
    assert delivery.status == "dead" and delivery.attempts == 1
    assert "127.0.0.1, a private or internal address" in delivery.last_error
    assert receiver.requests == []


def test_redirects_are_not_followed(api, tenant_a, subscription, receiver):
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    open_ticket(api, tenant_a)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_error) == (302, "HTTP 302")
