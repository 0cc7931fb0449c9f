"""rows_insert / objects_insert: the same rows whichever way they go in (COPY on PostgreSQL from
COPY_FROM_ROWS rows, bulk_create below that and on SQLite), and row-level security still holds."""

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from dispatch_platform.common.bulk import COPY_FROM_ROWS, objects_insert, rows_insert
from dispatch_platform.tenancy.rls import database_tenant
from tests.factories import TicketFactory
from tickets.models import Ticket, TicketEvent

COLUMNS = ["organization_id", "ticket_id", "kind", "actor_label", "from_status",
           "to_status", "message", "data"]


def event_rows(ticket, count):
    return [(ticket.organization_id, ticket.pk, "note", "api:x", "", "", f"note {i}",
             {"i": i, "nested": {"list": [1, "two", None]}, "text": 'quote " and \\ backslash'})
            for i in range(count)]


@pytest.mark.parametrize("count", [3, COPY_FROM_ROWS + 50])
def test_rows_arrive_as_given_and_their_ids_come_back(tenant_a, count):
    ticket = TicketFactory(organization=tenant_a.org, site=tenant_a.site)
    before = timezone.now()
    returned = rows_insert(TicketEvent, COLUMNS, event_rows(ticket, count), returning=["id", "message"])

    stored = {e.pk: e for e in TicketEvent.objects.filter(ticket=ticket, kind="note")}
    assert sorted(pk for pk, _ in returned) == sorted(stored)
    # Ids ascend in the order the rows were given (an audit trail reads in id order).
    assert [message for _, message in sorted(returned)] == [f"note {i}" for i in range(count)]
    event = next(e for e in stored.values() if e.message == "note 2")
    assert event.data == {"i": 2, "nested": {"list": [1, "two", None]}, "text": 'quote " and \\ backslash'}
    assert before <= event.created_at <= event.updated_at <= timezone.now()
    assert event.actor_label == "api:x" and event.actor_client_id is None


@pytest.mark.parametrize("count", [2, COPY_FROM_ROWS])
def test_objects_get_their_primary_keys_and_timestamps(tenant_a, count):
    now = timezone.now()
    tickets = [Ticket(organization=tenant_a.org, site=tenant_a.site, source="bulk", external_id=f"X{i}",
                      number=f"WO-X{i:05d}", title=f"T{i}", priority="P2", opened_at=now,
                      required_skills=["printers"], asset={"serial": f"S{i}"})
               for i in range(count)]
    objects_insert(tickets, key=["number"])

    for ticket in (tickets[0], tickets[-1]):
        stored = Ticket.objects.get(pk=ticket.pk)
        assert (stored.number, stored.asset, stored.required_skills) == (ticket.number, ticket.asset, ["printers"])
        assert stored.created_at is not None and stored.status == "new" and stored.visits == 0


def test_timestamps_are_not_the_callers_to_set(tenant_a):
    with pytest.raises(ValueError, match="created_at"):
        rows_insert(TicketEvent, ["created_at", *COLUMNS], [])  # even with nothing to insert


def test_objects_a_key_cannot_tell_apart_still_get_their_own_keys(tenant_a):
    ticket = TicketFactory(organization=tenant_a.org, site=tenant_a.site)
    events = [TicketEvent(organization=tenant_a.org, ticket=ticket, kind="note", message=f"n{i}")
              for i in range(COPY_FROM_ROWS)]
    objects_insert(events, key=["ticket_id", "kind"])  # the same key for all: bulk_create's way
    assert len({e.pk for e in events}) == len(events)
    assert all(TicketEvent.objects.get(pk=e.pk).message == e.message for e in (events[0], events[-1]))


@pytest.mark.postgres
def test_copied_rows_for_another_tenant_are_refused(tenant_a, tenant_b, as_application_role):
    theirs = TicketFactory(organization=tenant_b.org, site=tenant_b.site)
    rows = event_rows(theirs, COPY_FROM_ROWS + 1)
    with database_tenant(tenant_a.org.pk), pytest.raises(DatabaseError, match="row-level security"):
        with transaction.atomic():
            rows_insert(TicketEvent, COLUMNS, rows)
    with database_tenant(None):
        assert not TicketEvent.objects.filter(ticket=theirs, kind="note").exists()
