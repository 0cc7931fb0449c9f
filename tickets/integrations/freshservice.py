"""Freshservice: the API's `{"ticket": {...}}` shape, or a flat body rendered from a workflow's placeholders.

Defaults (overridable in the ApiClient mapping under "freshservice", see the package docstring):
- external_id = `id` (flat: `ticket_id`); "#INC-42", "INC-42", "SR-42" and 42 are the same ticket, 42
  (incidents and service requests share Freshservice's id sequence);
- title = `subject`; description = `description_text`, else `description` with its HTML tags removed;
- priority 4 or "Urgent"→P1, 3 or "High"→P2, 2 or "Medium"→P3, 1 or "Low"→P4;
- site = `custom_fields.site_code` (flat: `site_code`), else the department name (`department`,
  flat: `department_name`); `site_field` names another field instead (`custom_fields.store_zip`, or
  `ticket.custom_fields.store_zip`; flat: `store_zip`), matched per `site_lookup`;
- opened_at = `created_at`; contact = `requester_name` / `requester_email` (flat bodies).

Status (`status`: the API's number, or the name a workflow placeholder renders)
- Freshservice's own: 2 Open, 3 Pending, 4 Resolved, 5 Closed; custom statuses have their own ids/names.
- Mapped by `status_map` (keys: ids or names, case-insensitive; values: our statuses, or null to ignore),
  then by these defaults: 3 / Pending → on_hold (both sides stop the clock), 4 / Resolved → completed,
  5 / Closed → closed. Open is not mapped: it is every ticket's everyday status, and moving on it would undo
  the dispatcher's triage or schedule; a dispatcher releases a hold.
- Freshservice sends no changelog: each body's status is taken as the ITSM's current word, so fire the
  workflow on "Status is changed" (and "Ticket is raised"). A body with a top-level `changes` object (an
  app forwarding the onTicketUpdate product event) is read only when `changes` has "status".
- Applied where our lifecycle allows it (see `services._apply_status_report`): Resolved / Closed before a
  technician is dispatched cancels the ticket; a status that cannot apply (Pending on a completed ticket)
  changes no status and leaves a note for the dispatcher.
- Unmapped statuses are ignored rather than refused (a 4xx would drop the rest of the update and the ITSM
  cannot change our field state anyway); a 400 naming the status field is kept for a value that is no
  status at all (an object, a list, true/false).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import strip_tags

from . import common

SOURCE = "freshservice"
PRIORITY_MAP = {"4": "P1", "urgent": "P1", "3": "P2", "high": "P2", "2": "P3", "medium": "P3", "1": "P4", "low": "P4"}
DISPLAY_ID = re.compile(r"^#?(?:[A-Za-z]+-)?(\d+)$")
STATUS_MAP = {"3": "on_hold", "pending": "on_hold", "4": "completed", "resolved": "completed",
              "5": "closed", "closed": "closed"}


def _external_id(value: Any, vendor_field: str) -> str:
    raw = common.text(value)
    if not raw:
        raise common.error(vendor_field, "This field is required.")
    match = DISPLAY_ID.match(raw)
    return str(int(match.group(1))) if match else raw


def status_report(payload: dict, record: dict, section: dict, vendor_field: str) -> common.StatusReport | None:
    value = record.get("status")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise common.error(vendor_field, "Expected a status id (2 Open, 3 Pending, 4 Resolved, 5 Closed) or name.")
    changes = payload.get("changes")
    if isinstance(changes, dict) and "status" not in changes:
        return None
    shown = common.text(value)
    target = common.status_target(section, [[shown]], STATUS_MAP)
    if target is None:
        return None
    return common.StatusReport(target=target, vendor_field=vendor_field, vendor_value=shown)


def parse(payload: dict, mapping: dict | None = None) -> common.Intake:
    section = common.config(mapping, SOURCE)
    nested = isinstance(payload.get("ticket"), dict)
    record = payload["ticket"] if nested else payload
    custom = record.get("custom_fields") if isinstance(record.get("custom_fields"), dict) else {}

    id_field = "ticket.id" if nested else "ticket_id"
    external_id = _external_id(record.get("id") if nested else record.get("ticket_id", record.get("id")), id_field)
    data: dict[str, Any] = {}
    if subject := common.text(record.get("subject")):
        data["title"] = subject[:300]
    if common.text(record.get("description_text")):
        data["description"] = common.text(record["description_text"])
    elif "description" in record:
        data["description"] = strip_tags(common.text(record.get("description"))).strip()
    priority_field = "ticket.priority" if nested else "priority"
    if common.text(record.get("priority")):
        data["priority"] = common.priority(record["priority"], section, PRIORITY_MAP, priority_field)
    if opened := common.parse_datetime(record.get("created_at"), "created_at"):
        data["opened_at"] = opened
    requester = common.text(record.get("requester_name"))
    if requester:
        contact = {"name": requester[:200]}
        if email := common.text(record.get("requester_email")):
            contact["email"] = email
        data["contact"] = contact

    site_code = common.text(custom.get("site_code") or record.get("site_code"))
    department = common.text(record.get("department_name") or record.get("department"))
    if site_code:
        refs, site_field = [site_code], ("ticket.custom_fields.site_code" if nested else "site_code")
    else:
        refs = [department] if department else []
        site_field = "department_name" if not nested or "department_name" in record else "department"
        if nested and not department:
            site_field = "ticket.custom_fields.site_code"
    if configured := common.site_source(section, record, payload):
        refs, site_field = configured
    prefix = "ticket." if nested else ""
    report = status_report(payload, record, section, f"{prefix}status")
    field_names = {"title": f"{prefix}subject", "priority": priority_field, "site": site_field,
                   "opened_at": f"{prefix}created_at", "description": f"{prefix}description"}
    common.apply_field_map(data, field_names, section, record, payload)
    return common.Intake(
        source=SOURCE,
        external_id=external_id,
        data=data,
        site_refs=refs,
        site_field=site_field,
        site_lookups=common.site_lookups(section),
        defaults=common.creation_defaults(section),
        status_report=report,
        field_names=field_names,
    )
