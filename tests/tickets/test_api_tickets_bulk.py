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


def test_a_large_bulk_writes_what_single_posts_write(api, tenant_a):
    """Past COPY_FROM_ROWS the rows go in by COPY on PostgreSQL: the tickets, their SLA clocks and their audit
    trail must be those a single POST writes."""
    from dispatch_platform.common.bulk import COPY_FROM_ROWS
    from sla.models import SlaClock
    from tickets.models import TicketEvent

    single = api.post("/api/v1/tickets/", tenant_a, item(tenant_a, "single", opened_at="2026-11-23T15:00:00Z"))
    assert single.status_code == 201
    payload = [item(tenant_a, n, opened_at="2026-11-23T15:00:00Z", required_skills=["printers"],
                    asset={"make": "Epson", "serial": f"S{n}"}) for n in range(COPY_FROM_ROWS + 10)]
    results = api.post(URL, tenant_a, payload).json()
    assert [r["status"] for r in results] == ["created"] * len(payload)

    def written(ticket_id):
        ticket = Ticket.objects.get(pk=ticket_id)
        clocks = sorted((c.kind, c.due_at, c.at_risk_at, c.state, c.target) for c in SlaClock.objects.filter(ticket=ticket))
        events = [(e.kind, e.to_status, e.message, e.actor_label, {k: v for k, v in e.data.items() if k != "external_id"})
                  for e in TicketEvent.objects.filter(ticket=ticket).order_by("id")]
        return ticket, clocks, events

    reference, ref_clocks, ref_events = written(single.json()["id"])
    assert len(ref_clocks) == 2 and [e[0] for e in ref_events] == ["created", "sla", "sla"]
    for result in (results[0], results[-1]):
        ticket, clocks, events = written(result["id"])
        assert ticket.number == result["number"] and ticket.external_id == payload[result["index"]]["external_id"]
        assert ticket.asset == {"make": "Epson", "serial": f"S{result['index']}"}
        assert ticket.required_skills == ["printers"] and ticket.opened_at == reference.opened_at
        assert clocks == ref_clocks
        assert events == ref_events
    assert SlaClock.objects.count() == 2 * (len(payload) + 1)  # every ticket, the single one too


def test_bulk_items_carry_access_windows_and_required_sla_policies(api, tenant_a):
    """New items go in set-wise (COPY on PostgreSQL past COPY_FROM_ROWS): the new columns too; the policies the
    items name are read once for the whole request."""
    from dispatch_platform.common.bulk import COPY_FROM_ROWS
    from sla.services import sla_policy_save
    from tests.conftest import STANDARD_TARGETS

    gold = sla_policy_save(organization=tenant_a.org, data={"name": "Gold", "targets": [dict(t) for t in STANDARD_TARGETS]})
    window = {"start": "2026-12-07T06:00:00-05:00", "end": "2026-12-07T09:00:00-05:00"}
    payload = [item(tenant_a, n, access_window=window, sla_policy="Gold" if n % 2 else gold.pk)
               for n in range(COPY_FROM_ROWS + 2)]
    payload.append(item(tenant_a, "bad", sla_policy="Platinum"))
    with CaptureQueriesContext(connection) as ctx:
        results = api.post(URL, tenant_a, payload).json()
    assert [r["status"] for r in results] == ["created"] * (len(payload) - 1) + ["error"]
    assert "sla_policy" in results[-1]["errors"]
    assert len([q for q in ctx.captured_queries if "sla_slapolicy" in q["sql"] and "targets" not in q["sql"]
                and q["sql"].startswith("SELECT")]) <= 2
    rows = Ticket.objects.filter(source="import")
    assert rows.count() == COPY_FROM_ROWS + 2
    assert {(t.access_start.isoformat(), t.access_end.isoformat(), t.sla_policy_id) for t in rows} == {
        ("2026-12-07T11:00:00+00:00", "2026-12-07T14:00:00+00:00", gold.pk)}
    assert {c.policy_id for t in rows for c in t.sla_clocks.all()} == {gold.pk}
