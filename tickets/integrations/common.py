"""What the adapters share: the `Intake` they return and the per-client mapping rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dispatch_platform.common.exceptions import ApplicationError

from ..choices import JobType, Priority
from ..selectors import SITE_LOOKUPS

DEFAULT_SITE_LOOKUP = ("external_id", "name")


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
    status: str = ""  # a status the ITSM asks for; applied only where our lifecycle allows it
    field_names: dict[str, str] = field(default_factory=dict)  # our field → the vendor's, for errors


def error(vendor_field: str, message: str) -> ApplicationError:
    return ApplicationError(message, {vendor_field: [message]})


def config(mapping: dict | None, source: str) -> dict:
    section = (mapping or {}).get(source) or {}
    if not isinstance(section, dict):
        raise ApplicationError("Bad mapping", {"mapping": [f"mapping['{source}'] must be an object."]})
    return section


def site_lookups(section: dict) -> tuple[str, ...]:
    value = section.get("site_lookup") or DEFAULT_SITE_LOOKUP
    lookups = (value,) if isinstance(value, str) else tuple(value)
    unknown = [v for v in lookups if v not in SITE_LOOKUPS]
    if unknown:
        raise ApplicationError("Bad mapping", {"mapping": [
            f"site_lookup {unknown[0]!r} is not one of {', '.join(SITE_LOOKUPS)}."]})
    return lookups


def priority(value: Any, section: dict, defaults: dict[str, str], vendor_field: str) -> str:
    """Looks the vendor's priority up in the client's map, else the default map (keys case-insensitive)."""
    table = {str(k).strip().lower(): v for k, v in defaults.items()}
    table.update({str(k).strip().lower(): v for k, v in (section.get("priority_map") or {}).items()})
    key = str(value).strip().lower()
    mapped = table.get(key)
    if mapped not in Priority.values:
        raise error(vendor_field, f"No priority mapping for {value!r}.")
    return mapped


def creation_defaults(section: dict) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    if job_type := section.get("default_job_type"):
        if job_type not in JobType.values:
            raise ApplicationError("Bad mapping", {"mapping": [f"default_job_type {job_type!r} is not a job type."]})
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
