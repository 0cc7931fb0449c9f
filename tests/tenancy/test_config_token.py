"""A tenant's configuration token (tenancy.config_token): every configuration write re-issues it, however
it is written, and a new ticket follows the configuration as it is now, though the process keeps it."""

import datetime as dt
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dispatch_platform.tenancy.models import Organization
from outbound.models import WebhookDelivery, WebhookSubscription
from sla.models import SlaClock, SlaPolicy, SlaTarget
from sla.services import sla_policy_save
from tests.conftest import STANDARD_TARGETS
from tickets.models import Ticket
from tickets.services import SYSTEM, ticket_upsert


def token(org) -> str:
    return Organization.objects.values_list("config_token", flat=True).get(pk=org.pk)


def _subscribe(org):
    return WebhookSubscription.objects.create(organization=org, url="https://itsm.example/hook", secret="s")


WRITES = {
    "policy saved by the service": lambda org: sla_policy_save(
        organization=org, data={"name": "Contract", "targets": [dict(t) for t in STANDARD_TARGETS]}),
    "policy switched off by update()": lambda org: SlaPolicy.objects.filter(organization=org).update(active=False),
    "target changed by update()": lambda org: SlaTarget.objects.filter(policy__organization=org).update(
        at_risk_percent=50),
    "target deleted": lambda org: SlaTarget.objects.filter(policy__organization=org, priority="P4").delete(),
    "subscription created": _subscribe,
    "subscription switched off by update()": lambda org: WebhookSubscription.objects.filter(
        pk=_subscribe(org).pk).update(active=False),
    "subscription deleted": lambda org: WebhookSubscription.objects.filter(pk=_subscribe(org).pk).delete(),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_configuration_write_reissues_the_token_of_its_tenant_only(tenant_a, tenant_b, write):
    mine, theirs = token(tenant_a.org), token(tenant_b.org)
    write(tenant_a.org)
    assert token(tenant_a.org) != mine
    assert token(tenant_b.org) == theirs


def test_other_writes_leave_the_token_alone(api, tenant_a):
    before = token(tenant_a.org)
    response = api.post("/api/v1/tickets/", tenant_a, {"source": "sn", "external_id": "INC1", "title": "Printer",
                                                        "priority": "P3", "site": tenant_a.site.pk})
    assert response.status_code == 201
    assert token(tenant_a.org) == before


def _intake(api, tenant, n, priority="P1"):
    response = api.post("/api/v1/tickets/", tenant, {"source": "sn", "external_id": f"INC{n}", "title": "Down",
                                                      "priority": priority, "site": tenant.site.pk})
    assert response.status_code == 201, response.content
    return response.json()


def _response_minutes(ticket: dict) -> float:
    clock = SlaClock.objects.get(ticket_id=ticket["id"], kind="response")
    return (clock.due_at - clock.started_at) / dt.timedelta(minutes=1)


def test_a_new_ticket_follows_a_target_changed_behind_the_services_back(api, tenant_a):
    assert _response_minutes(_intake(api, tenant_a, 1)) == 240  # the policy is now kept by this process
    SlaTarget.objects.filter(policy__organization=tenant_a.org, priority="P1").update(
        response={"kind": "duration", "minutes": 120, "calendar": "24x7"})
    assert _response_minutes(_intake(api, tenant_a, 2)) == 120
    SlaPolicy.objects.filter(organization=tenant_a.org).update(active=False)
    assert _intake(api, tenant_a, 3)["sla"] == {"response": None, "resolution": None}


def test_a_new_ticket_follows_subscriptions_added_and_switched_off(api, tenant_a):
    _intake(api, tenant_a, 1)
    assert not WebhookDelivery.objects.exists()
    subscription = _subscribe(tenant_a.org)
    second = _intake(api, tenant_a, 2)
    assert list(WebhookDelivery.objects.values_list("event__ticket_id", "event__name")) == [
        (second["id"], "ticket.created")]
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    _intake(api, tenant_a, 3)
    assert WebhookDelivery.objects.count() == 1


def test_a_new_ticket_reads_neither_targets_nor_subscriptions_while_they_are_unchanged(api, tenant_a):
    _subscribe(tenant_a.org)
    _intake(api, tenant_a, 1)
    with CaptureQueriesContext(connection) as queries:
        ticket = _intake(api, tenant_a, 2)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "sla_slatarget"' not in sql and 'FROM "outbound_webhooksubscription"' not in sql
    assert ticket["sla"]["response"] is not None
    assert WebhookDelivery.objects.filter(event__ticket_id=ticket["id"]).count() == 1


def test_saving_an_organization_loaded_earlier_puts_back_neither_token_nor_ticket_counter(api, tenant_a):
    form_copy = Organization.objects.get(pk=tenant_a.org.pk)  # as the admin's change form loads it
    _subscribe(tenant_a.org)
    ticket = _intake(api, tenant_a, 1)
    current = Organization.objects.values("config_token", "ticket_sequence").get(pk=tenant_a.org.pk)
    form_copy.name = "Alpha Renamed"
    form_copy.save()
    assert Organization.objects.values("config_token", "ticket_sequence").get(pk=tenant_a.org.pk) == current
    assert Organization.objects.get(pk=tenant_a.org.pk).name == "Alpha Renamed"
    assert _intake(api, tenant_a, 2)["number"] != ticket["number"]
    assert WebhookDelivery.objects.count() == 2


@contextmanager
def _intake_in_flight(tenant):
    """Inside: an intake (INC1) has written its ticket and holds its transaction, with the organization's row
    lock, for another second."""
    in_flight = threading.Event()

    def intake():
        try:
            with transaction.atomic():
                ticket_upsert(organization=tenant.org, actor=SYSTEM, source="sn", external_id="INC1",
                              data={"title": "Down", "priority": "P1", "site": tenant.site})
                in_flight.set()
                time.sleep(1.0)
        finally:
            connection.close()

    thread = threading.Thread(target=intake)
    thread.start()
    try:
        assert in_flight.wait(30)
        yield
    finally:
        thread.join(30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_configuration_change_waits_for_an_intake_in_flight(tenant_a):
    """The BEFORE trigger takes the organization's row lock before the change: an intake holding it (its
    number reserved, its token read) finishes under the configuration it read; the change comes after."""
    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    with _intake_in_flight(tenant_a):
        _subscribe(tenant_a.org)
        # The write returned only once the intake had committed: its ticket is there, without a delivery
        # for the subscription that came after it.
        ticket = Ticket.objects.get(source="sn", external_id="INC1")
    assert not WebhookDelivery.objects.filter(event__ticket=ticket).exists()
    later, _ = ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="sn", external_id="INC2",
                             data={"title": "Down", "priority": "P1", "site": tenant_a.site})
    assert WebhookDelivery.objects.filter(event__ticket=later).count() == 1


def _trigger_count() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%config_token%'")
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%config_token'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_migrating_back_before_the_token_and_forward_again(tenant_a):
    """Back before the column, no trigger may stay (every write to the tables would fail); forward again,
    SQLite rebuilds the organization table, which its triggers used to refuse."""
    from django.core.management import call_command

    installed = _trigger_count()
    assert installed > 0
    try:
        call_command("migrate", "tenancy", "0006", verbosity=0)
        assert _trigger_count() == 0
    finally:
        call_command("migrate", verbosity=0)
    assert _trigger_count() == installed
    before = token(tenant_a.org)
    _subscribe(tenant_a.org)
    assert token(tenant_a.org) != before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deleting_a_subscription_while_an_intake_emits_to_it(client, tenant_a):
    """The deletion waits for the intake (the organization's row lock), then removes its delivery too,
    instead of failing on the foreign key of a delivery committed after Django collected them."""
    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    subscription = _subscribe(tenant_a.org)
    with _intake_in_flight(tenant_a):
        response = client.delete(f"/api/v1/webhooks/{subscription.pk}/", **tenant_a.auth())
    assert response.status_code == 204
    assert Ticket.objects.filter(source="sn", external_id="INC1").exists()
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_admins_delete_selected_waits_for_an_intake_in_flight(admin_client, tenant_a):
    """The admin's bulk action deletes through the queryset, not Model.delete: it takes the same lock."""
    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    subscription = _subscribe(tenant_a.org)
    with _intake_in_flight(tenant_a):
        response = admin_client.post("/admin/outbound/webhooksubscription/", {
            "action": "delete_selected", "post": "yes", "_selected_action": [subscription.pk]})
    assert response.status_code == 302
    assert Ticket.objects.filter(source="sn", external_id="INC1").exists()
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    assert not WebhookDelivery.objects.exists()
