"""Idempotency-Key on POSTs under /api/v1/: a retry gets the first answer, never a second ticket."""

import datetime as dt
import json
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



def big_bulk(tenant, n=1000):
    """A full bulk intake of long ITSM tickets: about 2.4 MB, over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    return {"tickets": [body(tenant, external_id=f"INC{i:07d}", description="Till froze mid-sale. " * 110)
                        for i in range(n)]}


def test_a_bulk_over_two_megabytes_is_accepted_with_a_key_and_replayed(api, tenant_a, settings):
    payload = big_bulk(tenant_a)
    assert 2_300_000 < len(json.dumps(payload)) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    first = api.post(f"{URL}bulk/", tenant_a, payload, **KEY)
    assert first.status_code == 200, first.content[:300]
    assert [r["status"] for r in first.json()] == ["created"] * 1000
    again = api.post(f"{URL}bulk/", tenant_a, payload, **KEY)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Ticket.objects.count() == 1000


def test_a_bulk_over_two_megabytes_is_accepted_without_a_key_too(api, tenant_a):
    response = api.post(f"{URL}bulk/", tenant_a, big_bulk(tenant_a))
    assert response.status_code == 200, response.content[:300]
    assert Ticket.objects.count() == 1000


def test_a_body_over_the_api_limit_is_a_json_413_naming_it_and_keeps_the_key_free(api, tenant_a, settings):
    settings.API_MAX_JSON_BODY_BYTES = 5000
    payload = big_bulk(tenant_a, n=3)
    for extra in ({}, KEY):
        response = api.post(f"{URL}bulk/", tenant_a, payload, **extra)
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert "the limit is 5,000 bytes" in response.json()["detail"]
    assert Ticket.objects.count() == 0
    assert api.post(URL, tenant_a, body(tenant_a), **KEY).status_code == 201  # the key was not taken


def test_a_body_that_is_not_json_is_400_and_does_not_take_the_key(client, api, tenant_a):
    response = client.post(URL, data="{not json", content_type="application/json", **tenant_a.auth(), **KEY)
    assert response.status_code == 400 and "detail" in response.json()
    assert api.post(URL, tenant_a, body(tenant_a), **KEY).status_code == 201
