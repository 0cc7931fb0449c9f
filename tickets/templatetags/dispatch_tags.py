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


def clock_risk(clock, now: dt.datetime) -> str:
    """breached / at_risk / paused / ok / done — from the clock's times, so it is right even before the
    next sweep has recorded the change."""
    if clock.met_at is not None or clock.state in ("met", "cancelled"):
        return "done"
    if clock.state == "paused":
        return "paused"
    if clock.state == "breached" or clock.due_at <= now:
        return "breached"
    if clock.state == "at_risk" or clock.at_risk_at <= now:
        return "at_risk"
    return "ok"


@register.filter
def risk(ticket) -> str:
    """The ticket's worst open clock: breached, at_risk, paused, ok, or none."""
    now = timezone.now()
    found = {clock_risk(c, now) for c in ticket.sla_clocks.all()}
    return next((r for r in ("breached", "at_risk", "paused", "ok") if r in found), "none")


@register.filter
def local(moment: dt.datetime | None, tz: str) -> dt.datetime | None:
    """The wall-clock time at `tz` (naive, so Django's date filters don't convert it back to UTC)."""
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if moment else None


@register.filter
def access_window(ticket) -> str:
    """The ticket's access window in its site's time zone: "Mon 7 Dec 06:00–09:00", or with both dates when
    it runs past midnight; "" without one."""
    if ticket.access_window is None:
        return ""
    zone = ZoneInfo(ticket.site.timezone)
    start, end = (moment.astimezone(zone) for moment in ticket.access_window)
    if start.date() == end.date():
        return f"{start:%a} {start.day} {start:%b %H:%M}–{end:%H:%M}"
    return f"{start:%a} {start.day} {start:%b %H:%M} – {end:%a} {end.day} {end:%b %H:%M}"


@register.filter
def label(value: str) -> str:
    return value.replace("_", " ")
