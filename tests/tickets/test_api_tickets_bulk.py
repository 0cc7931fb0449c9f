import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import Ticket

URL = "/api/v1/tickets/bulk/"


def item(tenant, n, **over):
    return {"source": "import", "external_id": f"B-{n}", "title": f"Ticket {n}", "priority": "P3",
            "site": tenant.site.pk, **over}


def test_mixed_results_one_per_item_in_order(api, tenant_a):
    api.post("/api/v1/tickets/", tenant_a, item(tenant_a, 1))
    payload = {"tickets": [item(tenant_a, 1, title="renamed"), item(tenant_a, 2), item(tenant_a, 3, priority="P9"),
                           item(tenant_a, 4, site=999999), "not an object"]}
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 200, response.json()
    results = response.json()
    assert [r["status"] for r in results] == ["updated", "created", "error", "error", "error"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert "priority" in results[2]["errors"] and "site" in results[3]["errors"]
    assert results[0]["id"] == Ticket.objects.get(external_id="B-1").pk
    assert set(Ticket.objects.values_list("external_id", flat=True)) == {"B-1", "B-2"}
    assert Ticket.objects.get(external_id="B-1").title == "renamed"


def test_a_failing_item_does_not_undo_the_others(api, tenant_a):
    # Valid to the serializer, refused by the service (a new ticket needs a site).
    payload = [item(tenant_a, 1), {"source": "import", "external_id": "B-2", "title": "x", "priority": "P1"},
               item(tenant_a, 3)]
    results = api.post(URL, tenant_a, payload).json()
    assert [r["status"] for r in results] == ["created", "error", "created"]
    assert results[1]["errors"] == {"site": ["This field is required."]}
    assert Ticket.objects.count() == 2


def test_more_than_1000_is_413_and_writes_nothing(api, tenant_a):
    response = api.post(URL, tenant_a, {"tickets": [item(tenant_a, n) for n in range(1001)]})
    assert response.status_code == 413
    assert "tickets" in response.json()
    assert Ticket.objects.count() == 0


def test_a_body_without_a_list_is_400(api, tenant_a):
    response = api.post(URL, tenant_a, {"rows": []})
    assert response.status_code == 400 and "tickets" in response.json()


def test_other_tenants_sites_are_errors_per_item(api, tenant_a, tenant_b):
    results = api.post(URL, tenant_b, [item(tenant_b, 1, site=tenant_a.site.pk)]).json()
    assert results[0]["status"] == "error" and "site" in results[0]["errors"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("kind", ["create", "update"])
def test_queries_per_item_are_constant(api, tenant_a, kind):
    def queries(n: int, offset: int) -> int:
        payload = [item(tenant_a, offset + i) for i in range(n)]
        if kind == "update":
            api.post(URL, tenant_a, payload)
            payload = [dict(p, title=p["title"] + " (changed)") for p in payload]
        with CaptureQueriesContext(connection) as ctx:
            response = api.post(URL, tenant_a, payload)
        assert response.status_code == 200
        assert all(r["status"] != "error" for r in response.json())
        return len(ctx.captured_queries)

    queries(1, 0)  # warm-up: the API client's last_used_at is written once a minute
    one, five, nine = queries(1, 100), queries(5, 200), queries(9, 300)
    if kind == "create":
        # New tickets are written set-wise and their sites read once: the same queries for 1 or 9 items.
        assert one == five == nine, (one, five, nine)
        return
    assert five - one == nine - five  # updates go one by one: the same number of queries for every item
    per_item = (nine - five) / 4
    assert per_item <= 20, per_item
