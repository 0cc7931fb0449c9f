"""Weekly hours as one spreadsheet cell: `mon-fri 08:00-18:00; sat 09:00-13:00`, `24x7`, `closed`, or JSON.

Only a notation: `hours_from_text` turns the cell into the API's JSON shape (`{"mon": [["08:00", "18:00"]]}`)
without judging the times, so the API's own validation (calendar.parse_business_hours, through the sites and
technicians services) decides what is valid and names the faulty day. `hours_to_text` writes what
`hours_from_text` reads back to the same hours (the CSV export → import round trip).

Grammar: segments separated by ";"; a segment is days then intervals. Days: `mon`, `mon-fri` (a range, may
wrap: `fri-mon`), or a comma list `sat, sun`. Intervals: `HH:MM-HH:MM`, comma-separated, or `closed`. A day
not mentioned is closed; an interval ending before it starts is an overnight one (the API splits it at
midnight). A cell starting with "{" is the API's JSON as is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .calendar import DAY_KEYS, CalendarError, business_hours_to_spec, parse_business_hours

ALWAYS = "24x7"
CLOSED = "closed"
_ALWAYS_SPELLINGS = {"24x7", "24/7"}
_FIRST_TIME_OR_CLOSED = re.compile(r"\d|closed", re.IGNORECASE)


def hours_from_text(text: str, *, field: str = "business_hours") -> dict[str, list[list[str]]] | None:
    """The API's JSON shape for a cell; None for an empty cell. Raises CalendarError naming `field`."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CalendarError(field, f"Not valid JSON ({exc.msg} at character {exc.pos + 1}).")
        if not isinstance(spec, dict):
            raise CalendarError(field, 'JSON business hours are an object such as {"mon": [["08:00", "17:00"]]}.')
        return spec
    if text.lower() in _ALWAYS_SPELLINGS:
        return {day: [["00:00", "24:00"]] for day in DAY_KEYS}
    if text.lower() == CLOSED:
        return {}
    spec: dict[str, list[list[str]]] = {}
    for segment in (s.strip() for s in text.split(";")):
        if not segment:
            continue
        split = _FIRST_TIME_OR_CLOSED.search(segment)
        if split is None or not segment[: split.start()].strip():
            raise CalendarError(field, f'"{segment}" needs days then times, e.g. "mon-fri 08:00-17:00".')
        days = _days(segment[: split.start()], field)
        intervals = _intervals(segment[split.start():], field)
        for day in days:
            spec.setdefault(day, []).extend(list(interval) for interval in intervals)
    return spec


def _days(text: str, field: str) -> list[str]:
    days: list[str] = []
    for item in (i.strip().lower() for i in text.split(",")):
        if not item:
            continue
        first, _, last = (part.strip() for part in item.partition("-"))
        for name in (first, last) if last else (first,):
            if name not in DAY_KEYS:
                raise CalendarError(field, f"Unknown day {name!r}; days are {', '.join(DAY_KEYS)}.")
        start, end = DAY_KEYS.index(first), DAY_KEYS.index(last or first)
        days.extend(DAY_KEYS[(start + i) % 7] for i in range((end - start) % 7 + 1))
    if not days:
        raise CalendarError(field, f'"{text.strip()}" names no day; use e.g. "mon-fri" or "sat, sun".')
    return days


def _intervals(text: str, field: str) -> list[tuple[str, str]]:
    if text.strip().lower() == CLOSED:
        return []
    out = []
    for item in (i.strip() for i in text.split(",")):
        parts = [p.strip() for p in item.split("-")]
        if len(parts) != 2:
            raise CalendarError(field, f'"{item}" is not an interval; write it as HH:MM-HH:MM, e.g. 08:00-17:00.')
        out.append((parts[0], parts[1]))
    return out


def hours_to_text(spec: Mapping | None) -> str:
    """The cell for stored hours: "" for None (the default), `24x7`, `closed`, or the compact form with
    consecutive days of equal hours grouped. Hours that do not parse (never stored by the API) are written as
    JSON, which the import reads back as they are."""
    if spec is None:
        return ""
    try:
        canonical = business_hours_to_spec(parse_business_hours(spec))
    except CalendarError:
        return json.dumps(spec)
    week = [tuple(tuple(interval) for interval in canonical[day]) for day in DAY_KEYS]
    if all(day == (("00:00", "24:00"),) for day in week):
        return ALWAYS
    if not any(week):
        return CLOSED
    segments = []
    start = 0
    while start < 7:
        end = start
        while end + 1 < 7 and week[end + 1] == week[start]:
            end += 1
        if week[start]:
            days = DAY_KEYS[start] if start == end else f"{DAY_KEYS[start]}-{DAY_KEYS[end]}"
            segments.append(f"{days} " + ", ".join(f"{s}-{e}" for s, e in week[start]))
        start = end + 1
    return "; ".join(segments)
