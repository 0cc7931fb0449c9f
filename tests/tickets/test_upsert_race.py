"""Two intakes of the same (source, external_id) at once: one ticket, the later one an update of it."""

import threading

import pytest
from django.db import connection, transaction

from tickets.models import Ticket, TicketEvent
from tickets.services import SYSTEM, ticket_upsert


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_insert_that_loses_the_race_becomes_an_update(tenant_a):
    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    data = {"title": "Printer offline", "priority": "P3", "site": tenant_a.site}
    first_written, first_done = threading.Event(), []

    def first():
        # Writes the ticket and holds its transaction open: the second intake cannot see the row yet,
        # so it tries an insert of its own, which waits (ticket numbers) and then conflicts.
        try:
            with transaction.atomic():
                first_done.append(ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="sn",
                                                external_id="INC1", data=data))
                first_written.set()
                threading.Event().wait(1.0)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_written.wait(30)
    ticket, created = ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="sn", external_id="INC1",
                                    data={**data, "title": "Printer offline, paper jam"})
    thread.join(30)

    (first_ticket, first_created), = first_done
    assert (first_created, created) == (True, False)
    assert ticket.pk == first_ticket.pk
    assert list(Ticket.objects.filter(source="sn", external_id="INC1").values_list("title", flat=True)) == [
        "Printer offline, paper jam"]
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True).order_by("id"))
    assert kinds.count("created") == 1 and kinds[-1] == "updated"
