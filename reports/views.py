"""The VP's SLA compliance report: by site, region, customer, priority, technician or month; CSV export."""

from __future__ import annotations

import csv

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
    })
