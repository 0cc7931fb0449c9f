"""What each event says: the ticket as an ITSM needs it, plus the event's own data."""

from __future__ import annotations

from tickets.models import Ticket

# ServiceNow incident states (stock): 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled.
IN_PROGRESS, ON_HOLD, RESOLVED, CLOSED, CANCELED = 2, 3, 6, 7, 8
# The incident state our ticket status asks for, on any event but ticket.created and ticket.completed. Not
# mapped, so never sent: new/triaged (1 New would send an incident being worked back to New), completed (the
# ticket.completed event resolves, with its resolution notes), closed (ServiceNow closes resolved incidents
# itself; writing Closed is usually refused) and cancelled (a cancelled field visit is not a cancelled incident).
SERVICENOW_STATE = {"scheduled": IN_PROGRESS, "dispatched": IN_PROGRESS, "en_route": IN_PROGRESS,
                    "on_site": IN_PROGRESS, "needs_revisit": IN_PROGRESS, "on_hold": ON_HOLD}


def ticket_summary(ticket: Ticket) -> dict:
    clocks = {c.kind: c for c in ticket.sla_clocks.all()}

    def clock(kind):
        c = clocks.get(kind)
        return None if c is None else {"due_at": c.due_at.isoformat(), "state": c.state,
                                       "met_at": c.met_at.isoformat() if c.met_at else None}

    return {
        "id": ticket.pk, "number": ticket.number, "source": ticket.source, "external_id": ticket.external_id,
        "title": ticket.title, "priority": ticket.priority, "status": ticket.status,
        "technician": ({"id": ticket.technician_id, "name": ticket.technician.name} if ticket.technician_id else None),
        "scheduled_start": ticket.scheduled_start.isoformat() if ticket.scheduled_start else None,
        "eta": ticket.eta.isoformat() if ticket.eta else None,
        "sla": {"response": clock("response"), "resolution": clock("resolution")},
    }


def completion_data(ticket: Ticket) -> dict:
    return {"resolution_notes": ticket.resolution_notes, "resolution_code": ticket.resolution_code,
            "time_on_site_minutes": round(ticket.time_on_site_minutes, 1), "parts_used": ticket.parts_used,
            "first_time_fix": ticket.first_time_fix, "signed_off_by": ticket.signed_off_by,
            "completed_at": ticket.completed_at.isoformat() if ticket.completed_at else None}


def _parts_text(lines: list[dict]) -> str:
    return ", ".join(f"{line['quantity']} × {line['sku']}" for line in lines)


def servicenow_work_note(name: str, payload: dict) -> str:
    """The event in words, for the incident's work notes."""
    t = payload["ticket"]
    data = payload.get("data", {})
    notes = {
        "ticket.created": f"Dispatch work order {t['number']} created.",
        "ticket.assigned": f"Technician {(t['technician'] or {}).get('name', '?')} assigned ({t['number']}).",
        "ticket.status_changed": f"Field status: {data.get('from', '?')} → {t['status']} ({t['number']}).",
        "ticket.eta_changed": f"Technician ETA {t['eta']} ({t['number']}).",
        "ticket.completed": f"Work completed ({t['number']}): {data.get('resolution_notes') or 'no notes'}"
                            + (f" [{data['resolution_code']}]" if data.get("resolution_code") else "")
                            + f"; time on site {data.get('time_on_site_minutes')} min"
                            + (f"; parts used {_parts_text(data['parts_used'])}" if data.get("parts_used") else "")
                            + (f"; signed off by {data['signed_off_by']}" if data.get("signed_off_by") else "") + ".",
        "sla.at_risk": f"SLA {data.get('clock')} at risk, due {data.get('due_at')} ({t['number']}).",
        "sla.breached": f"SLA {data.get('clock')} breached, was due {data.get('due_at')} ({t['number']}).",
    }
    return notes.get(name, name)


def servicenow_update(name: str, payload: dict, *, incident_state: int | None, close_code: str) -> dict:
    """The fields to PATCH onto the incident (Table API) for one event, given the incident's current state.

    Never moves an incident backwards: nothing but a work note on ticket.created, none for statuses without a
    mapping, none onto a Closed or Canceled incident, and onto a Resolved one only "needs revisit" (reopen)."""
    update = {"work_notes": servicenow_work_note(name, payload)}
    status = payload["ticket"]["status"]
    if name == "ticket.created":
        return update
    if name == "ticket.completed":
        if not close_code:
            return update  # resolving needs a resolution code (data policy); without one, the note only
        target = RESOLVED
        extra = {"close_code": close_code,
                 "close_notes": payload.get("data", {}).get("resolution_notes") or update["work_notes"]}
    else:
        target, extra = SERVICENOW_STATE.get(status), {}
    if target is None or target == incident_state or incident_state in (CLOSED, CANCELED):
        return update
    if incident_state == RESOLVED and status != "needs_revisit":
        return update
    return {**update, "state": str(target), **extra}
