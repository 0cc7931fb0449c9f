"""What the adapters share: the `Intake` they return and the per-client mapping rules."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rest_framework import serializers

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.models import mapping_errors

from ..choices import Priority

DEFAULT_SITE_LOOKUP = ("external_id", "name")
_MISSING = object()
# Atlassian Document Format nodes whose content is a block of its own: their text ends with a line break.
BLOCK_NODES = {"paragraph", "heading", "listItem", "blockquote", "codeBlock", "rule", "panel", "tableRow",
               "mediaSingle", "taskItem", "decisionItem"}
# field_map targets that take a list (a multi-select field); the others take one text.
LIST_TARGETS = ("required_skills", "required_certifications")


@dataclass(frozen=True)
class StatusReport:
    """The ITSM's record is in a status we map (ServiceNow state, Jira / Freshservice status);
    `services.itsm_intake` applies it."""

    target: str  # one of our lifecycle statuses
    vendor_field: str  # e.g. "issue.fields.status", for the audit trail
    vendor_value: str  # as the ITSM shows it, e.g. "Waiting for customer"


@dataclass
class Intake:
    """One ITSM record, mapped: the upsert's arguments plus what the adapter found beside them."""

    source: str
    external_id: str
    data: dict[str, Any]  # INTAKE_FIELDS except site
    site_refs: list[str] = field(default_factory=list)
    site_field: str = "site"  # the vendor's name for it, for error messages
    site_lookups: tuple[str, ...] = DEFAULT_SITE_LOOKUP  # site fields a reference is matched against, in order
    defaults: dict[str, Any] = field(default_factory=dict)  # applied only when the ticket is created
    note: str = ""  # a work note to add as a note event
    note_key: str = ""  # the ITSM's id of the note (a Jira comment's): one note per key and text
    note_only: bool = False  # only add the note, to a ticket that must exist (a Jira comment event)
    status_report: StatusReport | None = None  # see services._apply_status_report
    field_names: dict[str, str] = field(default_factory=dict)  # our field → the vendor's, for errors


@dataclass(frozen=True)
class Ignored:
    """A well-formed event the adapter has no use for (e.g. Jira's issue_deleted): answered 200, not 4xx."""

    event: str


def error(vendor_field: str, message: str) -> ApplicationError:
    return ApplicationError(message, {vendor_field: [message]})


def config(mapping: dict | None, source: str) -> dict:
    """The client's section for `source`, checked by the same validator as the admin's (a row saved around
    model validation, or before it existed, answers 400 here instead of misbehaving)."""
    if errors := mapping_errors(mapping, sources=(source,)):
        raise ApplicationError("Bad mapping", {"mapping": errors})
    return (mapping or {}).get(source) or {}


def path_value(path: str, record: dict, payload: dict) -> Any:
    """The value at a dotted `path` (a mapping's `site_field` or `field_map` entry), or None when absent.

    The path is read from the vendor's record (ServiceNow's incident, Jira's issue, Freshservice's ticket),
    else from the whole body, so `fields.customfield_10050` and `issue.fields.customfield_10050` are the same
    field. A key that itself holds dots (ServiceNow's "cmdb_ci.serial_number") is found as it is; a number
    picks a list's item; a name across a list collects it from every item (`fields.components.name`).
    """
    for root in (record, payload):
        found = _walk(root, path.split("."))
        if found is not _MISSING:
            return found
    return None


def _walk(node: Any, segments: list[str]) -> Any:
    if not segments:
        return node
    if isinstance(node, dict):
        whole = ".".join(segments)
        if whole in node:
            return node[whole]
        if segments[0] not in node:
            return _MISSING
        return _walk(node[segments[0]], segments[1:])
    if isinstance(node, list):
        if segments[0].isdigit():
            index = int(segments[0])
            return _walk(node[index], segments[1:]) if index < len(node) else _MISSING
        found = [_walk(item, segments) for item in node]
        found = [f for f in found if f is not _MISSING]
        return found if found else _MISSING
    return _MISSING


def vendor_texts(value: Any, *, every: bool = False) -> list[str]:
    """The texts an ITSM field value carries: a string or number; each item of a list (a multi-select
    field); of an option or reference object, its `display_value`, `value` or `name` (the first there is),
    or with `every` all of them (a site reference is matched by any). Empty ones are left out."""
    if isinstance(value, list):
        return [t for item in value for t in vendor_texts(item, every=every)]
    if isinstance(value, dict):
        keys = ("value", "display_value", "name") if every else ("display_value", "value", "name")
        found = [text(value[k]) for k in keys
                 if isinstance(value.get(k), str | int | float) and not isinstance(value[k], bool) and text(value[k])]
        return list(dict.fromkeys(found)) if every else found[:1]
    if value is None or isinstance(value, bool):
        return []
    return [text(value)] if text(value) else []


def site_source(section: dict, record: dict, payload: dict) -> tuple[list[str], str] | None:
    """(references, vendor field) from the mapping's `site_field`, or None to use the adapter's default."""
    path = section.get("site_field")
    if not path:
        return None
    return vendor_texts(path_value(path, record, payload), every=True), path


@functools.cache
def field_map_fields() -> dict[str, serializers.Field]:
    """Our fields a mapping's `field_map` may fill, each with the field that validates it in
    `POST /api/v1/tickets/` (the same rules, so an ITSM cannot store what the API would refuse)."""
    from ..api import AssetSerializer, ContactSerializer, TicketSerializer

    ticket = TicketSerializer().fields
    return {
        **{name: ticket[name] for name in ("description", "diagnostics", "job_type", *LIST_TARGETS)},
        **{f"asset.{name}": f for name, f in AssetSerializer().fields.items()},
        **{f"contact.{name}": f for name, f in ContactSerializer().fields.items()},
    }


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):  # a list field's errors, by item index
        return [f"item {index}: {m}" for index, errors in detail.items() for m in _messages(errors)]
    if isinstance(detail, list):
        return [m for d in detail for m in _messages(d)]
    return [str(detail)]


def apply_field_map(intake_data: dict[str, Any], field_names: dict[str, str], section: dict, record: dict,
                    payload: dict) -> None:
    """Fills our fields from the vendor fields the mapping's `field_map` names (custom fields).

    Each value is read like a site reference (text, option object or list) and validated as
    `POST /api/v1/tickets/` would: bad ones are a 400 naming each vendor path, before anything is
    written. A vendor field that is absent or empty leaves ours alone (Jira sends unset custom fields as
    null). A mapped field replaces what the adapter read by default; `asset.*` and `contact.*` are merged
    into what it read.
    """
    fields = field_map_fields()
    problems: dict[str, list[str]] = {}
    for ours, path in (section.get("field_map") or {}).items():
        raw = path_value(path, record, payload)
        if ours in LIST_TARGETS:
            value: Any = vendor_texts(raw)
        elif isinstance(raw, dict) and raw.get("type") == "doc":  # a Jira rich-text field
            value = adf_text(raw)
        else:
            value = next(iter(vendor_texts(raw)), "")
        if not value:
            continue
        try:
            value = fields[ours].run_validation(value)
        except serializers.ValidationError as exc:
            problems[path] = _messages(exc.detail)
            continue
        group, _, key = ours.partition(".")
        if key:
            intake_data[group] = {**(intake_data.get(group) or {}), key: value}
        else:
            intake_data[ours] = value
            field_names[ours] = path
    if problems:
        raise ApplicationError("Invalid fields", problems)


def adf_text(node: Any) -> str:
    """The plain text of an Atlassian Document Format node: blocks on their own lines."""
    parts: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for child in n:
                walk(child)
            return
        if not isinstance(n, dict):
            return
        kind = n.get("type")
        attrs = n.get("attrs") or {}
        if kind == "text":
            parts.append(n.get("text", ""))
        elif kind == "hardBreak":
            parts.append("\n")
        elif kind in ("mention", "emoji", "status", "date"):
            parts.append(str(attrs.get("text") or attrs.get("shortName") or attrs.get("timestamp") or ""))
        elif kind in ("inlineCard", "blockCard"):
            parts.append(str(attrs.get("url", "")))
        walk(n.get("content") or [])
        if kind in BLOCK_NODES and parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    walk(node)
    lines = "".join(parts).splitlines()
    return "\n".join(line.rstrip() for line in lines).strip()


def site_lookups(section: dict) -> tuple[str, ...]:
    value = section.get("site_lookup") or DEFAULT_SITE_LOOKUP
    return (value,) if isinstance(value, str) else tuple(value)


def priority(value: Any, section: dict, defaults: dict[str, str], vendor_field: str) -> str:
    """Looks the vendor's priority up in the client's map, else the default map (keys case-insensitive)."""
    table = {str(k).strip().lower(): v for k, v in defaults.items()}
    table.update({str(k).strip().lower(): v for k, v in (section.get("priority_map") or {}).items()})
    key = str(value).strip().lower()
    mapped = table.get(key)
    if mapped not in Priority.values:
        raise error(vendor_field, f"No priority mapping for {value!r}.")
    return mapped


def status_target(section: dict, tiers: list[list[str]], defaults: dict[str, str]) -> str | None:
    """Our status for an ITSM status: the client's `status_map`, then the adapter's defaults (keys
    case-insensitive); None when unmapped. `tiers` go from specific to general (Jira: name or id, then
    "category:<key>"), so a default for "Canceled" beats a client's "category:done". A client's null stops
    the search: that is how a default is switched off.
    """
    client = {str(k).strip().lower(): v for k, v in (section.get("status_map") or {}).items()}
    table = {k.lower(): v for k, v in defaults.items()}
    for keys in tiers:
        for source in (client, table):
            for key in keys:
                if key and (found := source.get(key.strip().lower(), _MISSING)) is not _MISSING:
                    return found
    return None


def creation_defaults(section: dict) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    if job_type := section.get("default_job_type"):
        defaults["job_type"] = job_type
    if skills := section.get("default_skills"):
        defaults["required_skills"] = list(skills)
    return defaults


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_datetime(value: Any, vendor_field: str, tz_name: str = "UTC") -> dt.datetime | None:
    """ISO 8601 (with or without offset) or "YYYY-MM-DD HH:MM:SS"; no offset means `tz_name`."""
    raw = text(value)
    if not raw:
        return None
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise error(vendor_field, f"{raw!r} is not a date and time (YYYY-MM-DD HH:MM:SS).")
    if parsed.tzinfo is None:
        try:
            parsed = parsed.replace(tzinfo=ZoneInfo(tz_name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ApplicationError("Bad mapping", {"mapping": [f"timezone {tz_name!r} is not an IANA time zone."]})
    return parsed.astimezone(dt.UTC)
