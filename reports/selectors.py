"""Read-only aggregations for the VP reports: SLA compliance, first-time fix, time on site."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dispatch_platform.tenancy.models import Organization
from sla.models import SlaClock
from tickets.models import Ticket

GROUPS = {
    "site": "site__name",
    "region": "site__region",
    "customer": "site__customer__name",
    "priority": "priority",
    "technician": "technician__name",
    "month": "month",
}


def _clock_state(kind: str):
    return Subquery(SlaClock.objects.filter(ticket=OuterRef("pk"), kind=kind).values("state")[:1])


def _ratio(part, whole):
    return round(part / whole, 4) if whole else None


def sla_compliance(*, organization: Organization, group_by: str, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """One row per group of tickets opened in [date_from, date_to] (the organization's time zone).

    Compliance = met / (met + breached); running, paused and cancelled clocks count in neither.
    """
    tz = ZoneInfo(organization.default_timezone)
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = (
        Ticket.objects.for_organization(organization)
        .filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(response_state=_clock_state("response"), resolution_state=_clock_state("resolution"))
    )
    if group_by == "month":
        qs = qs.annotate(month=TruncMonth("opened_at", tzinfo=tz))
    key = GROUPS[group_by]
    penalties = _penalties(organization, start, end, group_by, tz)
    done = Q(completed_at__isnull=False)
    rows = (
        qs.values(group_key=F(key))
        .annotate(
            tickets=Count("id"),
            response_met=Count("id", filter=Q(response_state="met")),
            response_breached=Count("id", filter=Q(response_state="breached")),
            resolution_met=Count("id", filter=Q(resolution_state="met")),
            resolution_breached=Count("id", filter=Q(resolution_state="breached")),
            completed=Count("id", filter=done),
            first_time_fixed=Count("id", filter=done & Q(first_time_fix=True)),
            mean_time_on_site=Avg("time_on_site_minutes", filter=done),
        )
        .order_by("group_key")
    )
    result = []
    for r in rows:
        group = _label(r["group_key"], tz)
        result.append(
            {
                "key": group if group not in (None, "") else "(none)",
                "tickets": r["tickets"],
                "response_met": r["response_met"],
                "response_breached": r["response_breached"],
                "response_compliance": _ratio(r["response_met"], r["response_met"] + r["response_breached"]),
                "resolution_met": r["resolution_met"],
                "resolution_breached": r["resolution_breached"],
                "resolution_compliance": _ratio(r["resolution_met"], r["resolution_met"] + r["resolution_breached"]),
                "first_time_fix_rate": _ratio(r["first_time_fixed"], r["completed"]),
                "mean_time_on_site_minutes": round(r["mean_time_on_site"], 1) if r["mean_time_on_site"] is not None else None,
                "penalties": float(round(penalties.get(group, Decimal(0)), 2)),
            }
        )
    return result


def _label(group, tz: ZoneInfo) -> str:
    if isinstance(group, dt.datetime):
        return group.astimezone(tz).strftime("%Y-%m")
    return group if group not in (None, "") else "(none)"


def _penalties(organization: Organization, start: dt.datetime, end: dt.datetime, group_by: str,
               tz: ZoneInfo) -> dict[str, Decimal]:
    """Penalty exposure per group: per breach, plus per hour late (until met, or until now if still open)."""
    clocks = SlaClock.objects.for_organization(organization).filter(
        state=SlaClock.State.BREACHED, ticket__opened_at__gte=start, ticket__opened_at__lt=end
    )
    if group_by == "month":
        clocks = clocks.annotate(month=TruncMonth("ticket__opened_at", tzinfo=tz))
        key = "month"
    else:
        key = f"ticket__{GROUPS[group_by]}"
    now = timezone.now()
    totals: dict[str, Decimal] = {}
    for c in clocks.values(key, "penalty_per_breach", "penalty_per_hour_late", "due_at", "met_at"):
        hours_late = Decimal(max(0.0, ((c["met_at"] or now) - c["due_at"]).total_seconds() / 3600))
        amount = c["penalty_per_breach"] + c["penalty_per_hour_late"] * hours_late
        label = _label(c[key], tz)
        totals[label] = totals.get(label, Decimal(0)) + amount
    return totals


def sla_totals(rows: list[dict]) -> dict:
    """The whole period in one row (for the report's headline figures)."""
    def total(k):
        return sum(r[k] for r in rows)

    return {
        "tickets": total("tickets"),
        "response_compliance": _ratio(total("response_met"), total("response_met") + total("response_breached")),
        "resolution_compliance": _ratio(total("resolution_met"), total("resolution_met") + total("resolution_breached")),
        "response_breached": total("response_breached"),
        "resolution_breached": total("resolution_breached"),
        "penalties": round(sum(r["penalties"] for r in rows), 2),
    }
