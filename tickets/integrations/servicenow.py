"""ServiceNow incidents (Table API / outbound REST message), bare or as `{"result": {...}}`.

Values may be raw (`"2"`, a sys_id) or display values (`"2 - High"`); a reference may be a string,
`{"value", "link"}` or `{"display_value", "value", ...}` (sysparm_display_value=all).

Defaults (each overridable in the ApiClient mapping under "servicenow", see the package docstring):
- external_id = `number`, title = `short_description`, description = `description`;
- priority 1→P1, 2→P2, 3→P3, 4 and 5→P4; without `priority`, ServiceNow's impact × urgency matrix;
- site = `location` (its value or display value) matched against site external_id, then name; `site_field`
  names another field (e.g. `u_store_number`, `location.zip`), `site_lookup` the site fields it is matched to;
- opened_at = `opened_at`, raw values being UTC "YYYY-MM-DD HH:MM:SS";
- `cmdb_ci` → asset model (its display text; a bare sys_id, or `{"value": sys_id}` without a display
  value, is no model and is skipped) and serial (`cmdb_ci.serial_number` if sent);
- `caller_id` → contact name (a bare sys_id is not a name and is skipped);
- `work_notes` → a note on the ticket;
- `state` 6 (Resolved) → completed, 7 (Closed) → closed, 8 (Canceled) → cancelled, applied as Jira's and
  Freshservice's statuses are (`services._apply_status_report`): resolved or closed before dispatch cancels
  the visit; a move our lifecycle cannot make leaves a note instead.
"""

from __future__ import annotations

import re
from typing import Any

from . import common

SOURCE = "servicenow"
PRIORITY_MAP = {"1": "P1", "2": "P2", "3": "P3", "4": "P4", "5": "P4"}
# ServiceNow's default priority lookup (dl_u_priority): (impact, urgency) → priority.
IMPACT_URGENCY = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}
STATE_MAP = {"6": "completed", "7": "closed", "8": "cancelled"}
STATE_NAMES = {"resolved": "6", "closed": "7", "canceled": "8", "cancelled": "8"}
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
LEADING_NUMBER = re.compile(r"^\s*(\d+)")


def _value(ref: Any) -> str:
    """The raw value of a field: a string, or the `value` of a reference object."""
    if isinstance(ref, dict):
        return common.text(ref.get("value") if ref.get("value") not in (None, "") else ref.get("display_value"))
    return common.text(ref)


def _display(ref: Any) -> str:
    """The human text of a field: a reference's display value, else its value."""
    if isinstance(ref, dict):
        return common.text(ref.get("display_value") or ref.get("value"))
    return common.text(ref)


def _refs(ref: Any) -> list[str]:
    """Every text a reference can be matched by (value first, then display value)."""
    if isinstance(ref, dict):
        return [t for t in (common.text(ref.get("value")), common.text(ref.get("display_value"))) if t]
    return [common.text(ref)] if common.text(ref) else []


def _number(value: Any) -> int | None:
    """1 from 1, "1", "1 - Critical" or {"value": "1", "display_value": "1 - Critical"}."""
    for candidate in (_value(value), _display(value)):
        if match := LEADING_NUMBER.match(candidate):
            return int(match.group(1))
    return None


def parse(payload: dict, mapping: dict | None = None) -> common.Intake:
    record = payload.get("result", payload)
    if isinstance(record, list) and len(record) == 1:
        record = record[0]
    if not isinstance(record, dict):
        raise common.error("result", "Expected an incident object.")
    section = common.config(mapping, SOURCE)

    number = _display(record.get("number"))
    if not number:
        raise common.error("number", "This field is required.")
    data: dict[str, Any] = {}
    if title := _display(record.get("short_description")):
        data["title"] = title[:300]
    if "description" in record:
        data["description"] = _display(record.get("description"))

    if _display(record.get("priority")):
        raw = _number(record["priority"])
        data["priority"] = common.priority(raw if raw is not None else _display(record["priority"]), section,
                                           PRIORITY_MAP, "priority")
    elif _display(record.get("impact")) and _display(record.get("urgency")):
        impact, urgency = _number(record["impact"]), _number(record["urgency"])
        if (impact, urgency) not in IMPACT_URGENCY:
            raise common.error("impact", f"No priority for impact {impact} and urgency {urgency}.")
        data["priority"] = common.priority(IMPACT_URGENCY[(impact, urgency)], section, PRIORITY_MAP, "priority")

    if opened := common.parse_datetime(_value(record.get("opened_at")), "opened_at",
                                       section.get("timezone") or "UTC"):
        data["opened_at"] = opened

    ci = record.get("cmdb_ci")
    asset = {}
    if (ci_name := _display(ci)) and not SYS_ID.match(ci_name):  # a bare sys_id names no model
        asset["model"] = ci_name[:100]
    serial = record.get("cmdb_ci.serial_number") or (ci.get("serial_number") if isinstance(ci, dict) else None)
    if _display(serial):
        asset["serial"] = _display(serial)[:100]
    if asset:
        data["asset"] = asset
    caller = record.get("caller_id")
    caller_name = _display(caller)
    if caller_name and not SYS_ID.match(caller_name):
        data["contact"] = {"name": caller_name[:200]}

    report = None
    if raw_state := _value(record.get("state")):
        code = str(_number(raw_state)) if _number(raw_state) is not None else STATE_NAMES.get(raw_state.lower(), "")
        state_map = {**STATE_MAP, **{str(k): v for k, v in (section.get("state_map") or {}).items()}}
        if target := state_map.get(code, ""):
            report = common.StatusReport(target=target, vendor_field="state", vendor_value=str(raw_state))

    site_refs, site_field = common.site_source(section, record, payload) or (_refs(record.get("location")), "location")
    defaults = common.creation_defaults(section)
    field_names = {"title": "short_description", "priority": "priority", "site": site_field,
                   "opened_at": "opened_at", "description": "description"}
    common.apply_field_map(data, field_names, section, record, payload)
    return common.Intake(
        source=SOURCE,
        external_id=number,
        data=data,
        site_refs=site_refs,
        site_field=site_field,
        site_lookups=common.site_lookups(section),
        defaults=defaults,
        note=_display(record.get("work_notes")),
        status_report=report,
        field_names=field_names,
    )
