"""PostgreSQL row-level security: with the tenant setting on, another tenant's rows are invisible even to a
query that forgets `for_organization` (run in the PostgreSQL pass of .ci/run)."""

import pytest
from django.db import connection

from dispatch_platform.tenancy.rls import database_tenant
from tests.factories import TicketFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_an_unscoped_query_sees_only_the_current_tenants_rows(tenant_a, tenant_b, as_application_role):
    mine = TicketFactory(organization=tenant_a.org, site=tenant_a.site)
    theirs = TicketFactory(organization=tenant_b.org, site=tenant_b.site)
    with database_tenant(tenant_a.org.pk):
        assert set(Ticket.objects.values_list("pk", flat=True)) == {mine.pk}  # no filter: the wall holds
    with database_tenant(None):
        assert {mine.pk, theirs.pk} <= set(Ticket.objects.values_list("pk", flat=True))


def test_a_write_into_another_tenant_is_refused(tenant_a, tenant_b, as_application_role):
    from django.db import DatabaseError, transaction

    with database_tenant(tenant_a.org.pk), pytest.raises(DatabaseError), transaction.atomic():
        TicketFactory(organization=tenant_b.org, site=tenant_b.site)


def test_policies_cover_every_tenant_table(db):
    from django.apps import apps

    from dispatch_platform.tenancy.rls import tenant_tables

    if connection.vendor != "postgresql":
        pytest.fail("Row-level security needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")
        covered = {row[0] for row in cursor.fetchall()}
    assert set(tenant_tables(apps)) <= covered
    assert "tickets_ticket" in covered
