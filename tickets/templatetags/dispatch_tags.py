"""Template helpers for SLA countdowns and risk colours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def minutes_until(moment: dt.datetime | None) -> int | None:
    if moment is None:
        return None
    return int((moment - timezone.now()).total_seconds() // 60)


@register.filter
def duration(minutes: int | float | None) -> str:
    """"2 h 05 m", "overdue 35 m", "3 d 4 h"."""
    if minutes is None:
        return "—"
    late = minutes < 0
    m = abs(int(minutes))
    days, rest = divmod(m, 1440)
    hours, mins = divmod(rest, 60)
    text = f"{days} d {hours} h" if days else (f"{hours} h {mins:02d} m" if hours else f"{mins} m")
    return f"overdue {text}" if late else text


@register.filter
def risk(ticket) -> str:
    """The ticket's worst live clock: breached, at_risk, paused, ok, or none."""
    states = {c.state for c in ticket.sla_clocks.all() if c.met_at is None}
    for state in ("breached", "at_risk", "paused", "running"):
        if state in states:
            return {"running": "ok"}.get(state, state)
    return "none"


@register.filter
def local(moment: dt.datetime | None, tz: str) -> dt.datetime | None:
    return moment.astimezone(ZoneInfo(tz)) if moment else None


@register.filter
def label(value: str) -> str:
    return value.replace("_", " ")
