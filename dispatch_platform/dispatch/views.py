"""The dispatcher's ticket page: details, SLA clocks, recommended technicians, assign, status, notes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.decorators import DISPATCH_ROLES, role_required
from technicians.selectors import technician_get
from tickets import lifecycle, selectors, services
from tickets.lookups import ticket_or_404

from .recommend import ticket_recommendations


@role_required(*DISPATCH_ROLES)
def ticket_detail(request, ticket_id: int):
    ticket = ticket_or_404(request, ticket_id)
    events = list(selectors.ticket_events(organization=request.organization, ticket=ticket))
    clocks = sorted(ticket.sla_clocks.all(), key=lambda c: c.kind != "response")
    for clock in clocks:
        # Why a clock stands where it does: its own history (started, paused, resumed, met, breached).
        clock.history = [e for e in events if e.kind == "sla" and e.data.get("clock") == clock.kind]
    context = {
        "ticket": ticket,
        "clocks": clocks,
        "events": events,
        "recommendations": ticket_recommendations(organization=request.organization, ticket=ticket)
        if ticket.status in lifecycle.ASSIGNABLE else [],
        "transitions": lifecycle.allowed_transitions(ticket.status),
        "now": timezone.now(),
    }
    return render(request, "tickets/detail.html", context)


@require_POST
@role_required(*DISPATCH_ROLES)
def ticket_assign(request, ticket_id: int):
    ticket = ticket_or_404(request, ticket_id)
    try:
        technician_id = int(request.POST.get("technician", ""))
    except ValueError:
        technician_id = 0
    technician = technician_get(organization=request.organization, technician_id=technician_id)
    if technician is None:
        raise Http404("No such technician")
    try:
        services.ticket_assign(organization=request.organization, actor=services.Actor.for_user(request.user),
                               ticket=ticket, technician=technician)
        messages.success(request, f"{ticket.number} assigned to {technician.name}.")
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("ticket-detail", ticket_id=ticket.pk)


@require_POST
@role_required(*DISPATCH_ROLES)
def ticket_transition(request, ticket_id: int):
    ticket = ticket_or_404(request, ticket_id)
    try:
        services.ticket_transition(organization=request.organization, actor=services.Actor.for_user(request.user),
                                   ticket=ticket, status=request.POST.get("status", ""),
                                   note=request.POST.get("note", ""))
        messages.success(request, f"{ticket.number} is now {request.POST.get('status', '').replace('_', ' ')}.")
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("ticket-detail", ticket_id=ticket.pk)


@require_POST
@role_required(*DISPATCH_ROLES)
def ticket_note(request, ticket_id: int):
    ticket = ticket_or_404(request, ticket_id)
    try:
        services.ticket_note_add(organization=request.organization, actor=services.Actor.for_user(request.user),
                                 ticket=ticket, text=request.POST.get("text", ""))
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("ticket-detail", ticket_id=ticket.pk)


def _error_text(exc: ApplicationError) -> str:
    details = [m for k, v in exc.extra.items() if k != "allowed" for m in (v if isinstance(v, list) else [v])]
    return exc.message + (" " + " ".join(details) if details else "")
