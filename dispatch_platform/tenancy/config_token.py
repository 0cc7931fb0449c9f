"""A tenant's configuration token: a random value that changes whenever a row of its configuration does.

Every new ticket needs its tenant's SLA targets and webhook subscriptions: two queries, about a sixth of
an intake's work, for rows that change a few times a year. A process keeps them (`ConfigCache`) and asks
the token instead, which a new ticket reads for free: the statement that reserves its number
(`UPDATE tenancy_organization … RETURNING`) returns the token too.

The database sets the token itself, by triggers on every configuration table (models with a
`tenant_config_owner` attribute: the field leading to the organization), so no write can forget it: a
service, the admin, `QuerySet.update()`, `bulk_create`, SQL by hand. On PostgreSQL the trigger runs BEFORE
the row changes, so a configuration change takes the organization's row lock first, as a ticket intake
does: the two are serialised, and an intake sees the configuration its token names (a change commits
before the intake's number is reserved, or waits for the intake's commit). The token is random, not a
counter: after a rolled-back change a counter would name two different configurations with one value.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def new_config_token() -> str:
    return uuid.uuid4().hex


def config_models(apps) -> list:
    return [m for m in apps.get_models() if getattr(m, "tenant_config_owner", None) and not m._meta.proxy]


def _organization_of(model, row: str) -> str:
    """SQL for the organization id of the trigger's row (NEW or OLD), one foreign key away at most."""
    field = model._meta.get_field(model.tenant_config_owner)
    if field.related_model._meta.label == "tenancy.Organization":
        return f'{row}."{field.column}"'
    parent = field.related_model
    owner = parent._meta.get_field("organization")
    return (f'(SELECT "{owner.column}" FROM "{parent._meta.db_table}" '
            f'WHERE "{parent._meta.pk.column}" = {row}."{field.column}")')


def trigger_sql(model, vendor: str, organization_table: str) -> list[str]:
    table = model._meta.db_table
    trigger = f"{table}_config_token"
    if vendor == "postgresql":
        def bump(row):
            return (f"UPDATE \"{organization_table}\" SET config_token = md5(random()::text || clock_timestamp()::text) "
                    f"WHERE id = {_organization_of(model, row)};")
        return [
            f'CREATE OR REPLACE FUNCTION "{trigger}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
            f"IF TG_OP <> 'INSERT' THEN {bump('OLD')} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {bump('NEW')} RETURN NEW; END IF; "
            f"RETURN OLD; END $$;",
            f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}";',
            f'CREATE TRIGGER "{trigger}" BEFORE INSERT OR UPDATE OR DELETE ON "{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{trigger}"();',
        ]
    if vendor == "sqlite":
        statements = []
        for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
            name = f"{trigger}_{event.lower()}"
            bumps = " ".join(f'UPDATE "{organization_table}" SET config_token = lower(hex(randomblob(16))) '
                             f"WHERE id = {_organization_of(model, row)};" for row in rows)
            statements += [f'DROP TRIGGER IF EXISTS "{name}";',
                           f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN {bumps} END;']
        return statements
    raise NotImplementedError(f"No configuration-token triggers for {vendor}")


def drop_sql(table: str, vendor: str) -> list[str]:
    trigger = f"{table}_config_token"
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}";', f'DROP FUNCTION IF EXISTS "{trigger}"();']
    return [f'DROP TRIGGER IF EXISTS "{trigger}_{event}";' for event in ("insert", "update", "delete")]


def ensure_config_triggers(sender, using="default", **kwargs) -> None:
    """post_migrate: (re)create the triggers on every configuration table; drop them if the database was
    migrated back to before the token (every write to those tables would fail)."""
    from django.apps import apps
    from django.db import connections

    if sender.name != "dispatch_platform.tenancy":
        return
    conn = connections[using]
    organization_table = apps.get_model("tenancy", "Organization")._meta.db_table
    with conn.cursor() as cursor:
        columns = {c.name for c in conn.introspection.get_table_description(cursor, organization_table)}
        for model in config_models(apps):
            if "config_token" in columns:
                statements = trigger_sql(model, conn.vendor, organization_table)
            else:
                statements = drop_sql(model._meta.db_table, conn.vendor)
            for statement in statements:
                cursor.execute(statement)


def drop_config_triggers(sender, using="default", **kwargs) -> None:
    """pre_migrate, SQLite: drop the triggers while migrations run. SQLite alters a table by rebuilding and
    renaming it, and refuses the rename while a trigger names a table that is briefly gone (adding a field
    to Organization failed so). post_migrate creates them again."""
    from django.apps import apps
    from django.db import connections

    conn = connections[using]
    if sender.name != "dispatch_platform.tenancy" or conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for model in config_models(apps):
            for statement in drop_sql(model._meta.db_table, conn.vendor):
                cursor.execute(statement)


class ConfigCache(Generic[T]):
    """Per process: `load(organization_id)` kept while the organization's configuration token is the same.

    `get(organization_id, token)` with token None (the caller did not read one) always loads. Values are
    shared between requests: treat them as read-only.
    """

    def __init__(self, load: Callable[[int], T]):
        self._load = load
        self._entries: dict[int, tuple[str, T]] = {}
        self._lock = threading.Lock()

    def get(self, organization_id: int, token: str | None) -> T:
        if token is None:
            return self._load(organization_id)
        entry = self._entries.get(organization_id)
        if entry is not None and entry[0] == token:
            return entry[1]
        value = self._load(organization_id)
        with self._lock:
            self._entries[organization_id] = (token, value)
        return value
