"""The VP's SLA compliance report: by site, region, customer, priority, technician or month; CSV export."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render

from dispatch_platform.tenancy.decorators import READ_ROLES, role_required

from .api import ComplianceQuerySerializer
from .selectors import GROUPS, sla_compliance, sla_totals

COLUMNS = [
    "key", "tickets", "response_met", "response_breached", "response_compliance", "resolution_compliance",
    "first_time_fix_rate", "mean_time_on_site_minutes", "penalties",
]


@role_required(*READ_ROLES)
def reports(request):
    query = ComplianceQuerySerializer(data=request.GET)
    errors = None
    if not query.is_valid():
        errors = query.errors
        query = ComplianceQuerySerializer(data={})
        query.is_valid()
    params = query.validated_data
    rows = sla_compliance(organization=request.organization, **params)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="sla-{params["group_by"]}-{params["date_from"]}-{params["date_to"]}.csv"'
        )
        writer = csv.DictWriter(response, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return response
    return render(request, "reports/reports.html", {
        "rows": rows, "totals": sla_totals(rows), "params": params, "groups": sorted(GROUPS), "errors": errors,
        "trend": _trend(request.organization, params["date_to"]),
    })


def _trend(organization, last_day: dt.date, months: int = 6) -> list[dict]:
    """Response compliance and volume per month, for the bar chart (server-rendered SVG)."""
    first = (last_day.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = sla_compliance(organization=organization, group_by="month", date_from=first, date_to=last_day)
    peak = max((r["tickets"] for r in rows), default=0) or 1
    bars = []
    for i, r in enumerate(rows):
        compliance = r["response_compliance"]
        height = round(120 * (compliance or 0))  # the compliance bar grows up from y=140
        bars.append({**r, "x": 10 + i * 90, "label_x": 40 + i * 90, "y": 140 - height, "height": height,
                     "label_y": 134 - height, "volume_height": round(40 * r["tickets"] / peak),
                     "percent": None if compliance is None else round(compliance * 100)})
    return bars
