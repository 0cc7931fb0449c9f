"""Dispatcher queue: open tickets ranked by SLA risk (htmx refreshes the rows)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from dispatch_platform.tenancy.decorators import DISPATCH_ROLES, role_required

from . import selectors
from .choices import Priority, TicketStatus
from .templatetags.dispatch_tags import risk


@role_required(*DISPATCH_ROLES)
def queue(request):
    filters = {k: [x for x in v if x] for k, v in request.GET.lists() if k in ("priority", "status")}
    filters = {k: v for k, v in filters.items() if v}
    if region := request.GET.get("region"):
        filters["region"] = region
    tickets = list(selectors.ticket_queue(organization=request.organization, filters=filters))
    now = timezone.now()
    context = {
        "tickets": tickets,
        "now": now,
        "priorities": Priority.choices,
        "statuses": [(s, label) for s, label in TicketStatus.choices if s not in ("completed", "closed", "cancelled")],
        "selected": filters,
        "counts": {
            "open": len(tickets),
            "breached": sum(1 for t in tickets if risk(t) == "breached"),
            "at_risk": sum(1 for t in tickets if risk(t) == "at_risk"),
            "unassigned": sum(1 for t in tickets if t.technician_id is None),
        },
    }
    template = "tickets/partials/_queue_rows.html" if request.htmx else "tickets/queue.html"
    return render(request, template, context)


