"""Two jobs of the same technician completed at once, each using the van's last SFP: one takes it, the other
records a shortfall; the count never goes below zero and neither completion fails."""

import threading

import pytest
from django.db import connection, transaction

from inventory.models import Part, StockLevel, StockLocation
from tickets.models import TicketEvent
from tickets.services import SYSTEM, ticket_assign, ticket_transition, ticket_upsert


def on_site(tenant, external_id):
    ticket, _ = ticket_upsert(organization=tenant.org, actor=SYSTEM, source="sn", external_id=external_id,
                              data={"title": "Switch down", "priority": "P2", "site": tenant.site,
                                    "required_skills": ["network"]})
    ticket = ticket_assign(organization=tenant.org, actor=SYSTEM, ticket=ticket, technician=tenant.technician)
    for status in ("en_route", "on_site"):
        ticket = ticket_transition(organization=tenant.org, actor=SYSTEM, ticket=ticket, status=status)
    return ticket


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_part_in_the_van_is_taken_once(tenant_a):
    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    part = Part.objects.create(organization=tenant_a.org, sku="SFP-10G-SR", name="SFP")
    van = StockLocation.objects.create(organization=tenant_a.org, name="Van", kind="van", latitude=0, longitude=0,
                                       technician=tenant_a.technician)
    level = StockLevel.objects.create(location=van, part=part, quantity=1)
    first_ticket, second_ticket = on_site(tenant_a, "INC1"), on_site(tenant_a, "INC2")
    used = [{"sku": "SFP-10G-SR", "quantity": 1}]
    first_took, errors = threading.Event(), []

    def first():
        # Takes the SFP and holds its transaction open: the second completion reads the count meanwhile.
        try:
            with transaction.atomic():
                ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=first_ticket, status="completed",
                                  parts_used=used)
                first_took.set()
                threading.Event().wait(1.0)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            first_took.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_took.wait(30)
    second = ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=second_ticket, status="completed",
                               parts_used=used)
    thread.join(30)

    assert errors == []
    level.refresh_from_db()
    assert level.quantity == 0
    assert second.van_shortfall == used
    shortfalls = [e.data["van_shortfall"] for e in TicketEvent.objects.filter(to_status="completed").order_by("id")]
    assert shortfalls == [[], used]
