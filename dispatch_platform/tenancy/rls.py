"""Row-level security on PostgreSQL: the second wall behind `for_organization()` (DESIGN §5).

Every tenant-owned table gets a policy that lets a session see and write only the rows of the organization
in the setting `app.organization_id`. The web tier sets it for each request once it knows the tenant; an
empty setting (Celery tasks, management commands) means "system": every row. A query that forgets its
tenant filter in a request therefore returns nothing of another tenant rather than their data.

Superusers bypass RLS in PostgreSQL; run the application as an ordinary role that owns the tables
(FORCE ROW LEVEL SECURITY makes the policy bind the owner too), as docker-compose.yml does.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

SETTING = "app.organization_id"


def enable_sql(table: str) -> str:
    condition = (f"coalesce(current_setting('{SETTING}', true), '') = '' "
                 f"OR organization_id = nullif(current_setting('{SETTING}', true), '')::bigint")
    return (
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY; '
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY; '
        f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"; '
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({condition}) WITH CHECK ({condition});'
    )


def disable_sql(table: str) -> str:
    return (f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"; '
            f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY; ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;')


def tenant_tables(apps) -> list[str]:
    """Tables of every installed model with an `organization` foreign key (OrganizationOwned)."""
    tables = []
    for model in apps.get_models():
        fields = {f.name for f in model._meta.get_fields()}
        if "organization" in fields and model._meta.app_label != "tenancy" and not model._meta.proxy:
            tables.append(model._meta.db_table)
    return sorted(tables)


def set_database_tenant(organization_id: int | None) -> None:
    """Scopes this connection's queries to one organization (None: system scope). PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, str(organization_id or "")])


@contextmanager
def database_tenant(organization_id: int | None):
    set_database_tenant(organization_id)
    try:
        yield
    finally:
        set_database_tenant(None)


def ensure_row_level_security(sender, using="default", **kwargs) -> None:
    """post_migrate: (re)create the policy on every tenant table, including tables added since."""
    from django.apps import apps
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql" or sender.name != "dispatch_platform.tenancy":
        return
    with conn.cursor() as cursor:
        for table in tenant_tables(apps):
            cursor.execute(enable_sql(table))
