"""An intake may name the SLA policy a ticket must run under (the customer's contract tier): `sla_policy`,
overriding "the most specific policy wins"."""

import copy

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla.models import SlaClock
from sla.services import sla_policy_save
from tests.conftest import STANDARD_TARGETS
from tickets.models import Ticket, TicketEvent

URL = "/api/v1/tickets/"
OPENED = "2026-11-23T14:00:00Z"


def gold(tenant, name="Gold", priorities=("P1", "P2", "P3", "P4")):
    """Every priority: response in 2 h, resolution in 6 h, round the clock. Its region has no sites: only
    naming it puts a ticket under it."""
    targets = [dict(copy.deepcopy(t), response={"kind": "duration", "minutes": 120, "calendar": "24x7"},
                    resolution={"kind": "duration", "minutes": 360, "calendar": "24x7"})
               for t in STANDARD_TARGETS if t["priority"] in priorities]
    return sla_policy_save(organization=tenant.org, data={"name": name, "targets": targets, "region": "contracts"})


def body(tenant, external_id="G-1", **over):
    return {"source": "script", "external_id": external_id, "title": "Till offline", "priority": "P3",
            "site": tenant.site.pk, "opened_at": OPENED, **over}


def due(answer, kind="response"):
    return answer["sla"][kind]["due_at"]


def test_a_ticket_posted_with_sla_policy_gold_gets_golds_due_times(api, tenant_a):
    gold(tenant_a)
    # A customer's own policy would win by specificity: the intake's choice overrides it.
    sla_policy_save(organization=tenant_a.org, data={"name": "Customer contract", "customer": tenant_a.customer,
                                                     "targets": [dict(t) for t in STANDARD_TARGETS]})
    response = api.post(URL, tenant_a, body(tenant_a, sla_policy="Gold"))
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (due(answer), due(answer, "resolution")) == ("2026-11-23T16:00:00Z", "2026-11-23T20:00:00Z")
    assert answer["sla_policy"]["name"] == "Gold"
    assert set(SlaClock.objects.values_list("policy__name", flat=True)) == {"Gold"}


def test_the_answer_names_the_chosen_policy_without_an_override(api, tenant_a):
    answer = api.post(URL, tenant_a, body(tenant_a)).json()
    assert answer["sla_policy"] == {"id": tenant_a.policy.pk, "name": "Standard"}
    assert api.get(f"{URL}{answer['id']}/", tenant_a).json()["sla_policy"]["name"] == "Standard"


def test_it_takes_the_policy_id_too(api, tenant_a):
    policy = gold(tenant_a)
    answer = api.post(URL, tenant_a, body(tenant_a, sla_policy=policy.pk)).json()
    assert answer["sla_policy"] == {"id": policy.pk, "name": "Gold"}
    assert due(answer) == "2026-11-23T16:00:00Z"


def test_an_unknown_or_other_tenants_policy_is_400_and_writes_nothing(api, tenant_a, tenant_b):
    theirs = gold(tenant_b)
    for reference in ("Platinum", theirs.pk, str(theirs.pk), "", True):
        response = api.post(URL, tenant_a, body(tenant_a, sla_policy=reference))
        assert response.status_code == 400, reference
        assert "sla_policy" in response.json()
    assert Ticket.objects.count() == 0


def test_an_inactive_policy_is_400(api, tenant_a):
    policy = gold(tenant_a)
    policy.active = False
    policy.save()
    response = api.post(URL, tenant_a, body(tenant_a, sla_policy="Gold"))
    assert response.status_code == 400 and "not active" in response.json()["sla_policy"][0]


def test_a_policy_without_a_target_for_the_priority_is_400_naming_both(api, tenant_a):
    gold(tenant_a, "P1 only", priorities=("P1",))
    response = api.post(URL, tenant_a, body(tenant_a, sla_policy="P1 only", priority="P3"))
    assert response.status_code == 400
    assert {"sla_policy", "priority"} <= response.json().keys()
    assert Ticket.objects.count() == 0
    assert api.post(URL, tenant_a, body(tenant_a, sla_policy="P1 only", priority="P1")).status_code == 201


def test_a_priority_change_the_required_policy_cannot_time_is_400_and_changes_nothing(api, tenant_a):
    gold(tenant_a, "P1 only", priorities=("P1",))
    ticket = api.post(URL, tenant_a, body(tenant_a, sla_policy="P1 only", priority="P1")).json()
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"priority": "P4"})
    assert response.status_code == 400
    assert {"sla_policy", "priority"} <= response.json().keys()
    assert Ticket.objects.get().priority == "P1"
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.UPDATED).exists()


def test_patching_the_policy_retimes_the_clocks_from_opened_at_and_is_audited(api, tenant_a):
    policy = gold(tenant_a)
    ticket = api.post(URL, tenant_a, body(tenant_a, priority="P1")).json()
    assert due(ticket) == "2026-11-23T18:00:00Z"  # Standard: P1 response in 4 h
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"sla_policy": "Gold"})
    assert response.status_code == 200, response.json()
    assert due(response.json()) == "2026-11-23T16:00:00Z"
    assert response.json()["sla_policy"]["name"] == "Gold"
    event = TicketEvent.objects.get(ticket_id=ticket["id"], kind=TicketEvent.Kind.UPDATED)
    assert event.data["changes"]["sla_policy_id"] == [None, policy.pk]
    assert TicketEvent.objects.filter(ticket_id=ticket["id"], message__contains="re-timed for P1 under Gold").exists()

    # null: back to the most specific policy.
    back = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"sla_policy": None}).json()
    assert (due(back), back["sla_policy"]["name"]) == ("2026-11-23T18:00:00Z", "Standard")


def test_a_priority_change_keeps_the_required_policy(api, tenant_a):
    gold(tenant_a)
    ticket = api.post(URL, tenant_a, body(tenant_a, sla_policy="Gold", priority="P4")).json()
    answer = api.post(URL, tenant_a, body(tenant_a, priority="P1")).json()  # the upsert, without sla_policy
    assert answer["id"] == ticket["id"] and answer["sla_policy"]["name"] == "Gold"
    assert due(answer) == "2026-11-23T16:00:00Z"


def test_naming_a_policy_costs_the_intake_at_most_one_query(api, tenant_a):
    gold(tenant_a)

    def queries(external_id, **over):
        with CaptureQueriesContext(connection) as ctx:
            assert api.post(URL, tenant_a, body(tenant_a, external_id, **over)).status_code == 201
        return len(ctx.captured_queries)

    queries("warm-up")  # the API client's last_used_at is written once a minute; the policy cache fills
    plain = queries("plain")
    assert queries("gold", sla_policy="Gold") <= plain + 1
