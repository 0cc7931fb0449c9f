"""Idempotency-Key on POSTs under /api/v1/: a retry gets the first answer, never a second ticket."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from dispatch_platform.api.idempotency import idempotency_keys_purge
from dispatch_platform.api.models import IdempotencyKey
from tickets.models import Ticket

URL = "/api/v1/tickets/"
KEY = {"HTTP_IDEMPOTENCY_KEY": "6f1c2a8e-4f4b-4d8a-9d7e-0c1b2a3d4e5f"}


def body(tenant, **over):
    return {"source": "script", "title": "Laptop will not charge", "priority": "P3", "site": tenant.site.pk, **over}


def test_a_repeat_with_the_same_key_replays_the_first_answer(api, tenant_a):
    first = api.post(URL, tenant_a, body(tenant_a), **KEY)  # no external_id: without the key, two tickets
    again = api.post(URL, tenant_a, body(tenant_a), **KEY)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api, tenant_a):
    api.post(URL, tenant_a, body(tenant_a), **KEY)
    response = api.post(URL, tenant_a, body(tenant_a, priority="P1"), **KEY)
    assert response.status_code == 422
    assert response.json() == {"Idempotency-Key": ["This Idempotency-Key was used with a different request body."]}
    assert Ticket.objects.get().priority == "P3"


def test_key_order_and_whitespace_do_not_make_another_body(client, tenant_a):
    site = tenant_a.site.pk
    a = f'{{"source": "script", "title": "T", "priority": "P3", "site": {site}}}'
    b = f'{{"site":{site},"priority":"P3","title":"T","source":"script"}}'
    for raw in (a, b):
        response = client.post(URL, data=raw, content_type="application/json", **tenant_a.auth(), **KEY)
        assert response.status_code == 201
    assert Ticket.objects.count() == 1


def test_keys_are_scoped_per_organization(api, tenant_a, tenant_b):
    api.post(URL, tenant_a, body(tenant_a), **KEY)
    response = api.post(URL, tenant_b, body(tenant_b), **KEY)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert Ticket.objects.filter(organization=tenant_b.org).count() == 1


def test_a_400_is_replayed_as_the_same_400(api, tenant_a):
    first = api.post(URL, tenant_a, body(tenant_a, site=999999), **KEY)
    again = api.post(URL, tenant_a, body(tenant_a, site=999999), **KEY)
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"


def test_an_auth_failure_does_not_burn_the_key(api, client, tenant_a):
    response = client.post(URL, data=body(tenant_a), content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer wrong", **KEY)
    assert response.status_code == 401
    assert api.post(URL, tenant_a, body(tenant_a), **KEY).status_code == 201


def test_other_endpoints_honour_it_too(api, tenant_a):
    from tests.tickets.integrations.conftest import load

    tenant_a.site.name = "Chicago Loop Office"
    tenant_a.site.save()
    url = "/api/v1/integrations/freshservice/webhook/"
    first = api.post(url, tenant_a, load("freshservice_ticket_flat.json"), **KEY)
    again = api.post(url, tenant_a, load("freshservice_ticket_flat.json"), **KEY)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"


def test_keys_expire_after_24_hours(api, tenant_a):
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        api.post(URL, tenant_a, body(tenant_a), **KEY)
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 1, tzinfo=dt.UTC), tick=False):
        response = api.post(URL, tenant_a, body(tenant_a), **KEY)
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
        assert idempotency_keys_purge() == 0  # the expired row was replaced
    assert Ticket.objects.count() == 2


def test_the_purge_deletes_expired_keys(api, tenant_a):
    api.post(URL, tenant_a, body(tenant_a), **KEY)
    assert idempotency_keys_purge(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)) == 1
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_make_one_ticket(tenant_a):
    """PostgreSQL: the second insert of the key waits for the first request's commit, then replays it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from django.test import Client

    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            barrier.wait()
            response = Client().post(URL, data=body(tenant_a), content_type="application/json",
                                     **tenant_a.auth(), **KEY)
            answers.append((response.status_code, response.json()["id"], response.headers.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Ticket.objects.filter(organization=tenant_a.org).count() == 1
    assert sorted(a[0] for a in answers) == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert sorted(str(a[2]) for a in answers) == ["None", "true"]

