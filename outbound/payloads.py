"""What each event says: the ticket as an ITSM needs it, plus the event's own data."""

from __future__ import annotations

from tickets.models import Ticket

# ServiceNow incident states for our statuses (1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled).
SERVICENOW_STATE = {"new": 1, "triaged": 1, "scheduled": 2, "dispatched": 2, "en_route": 2, "on_site": 2,
                    "needs_revisit": 2, "on_hold": 3, "completed": 6, "closed": 7, "cancelled": 8}


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


def servicenow_body(name: str, payload: dict) -> dict:
    """The write-back a ServiceNow scripted REST endpoint or inbound action can apply to the incident."""
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
    return {"number": t["external_id"], "work_notes": notes.get(name, name), "state": SERVICENOW_STATE.get(t["status"], 2)}
