from django.db import models


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    SCHEDULED = "scheduled", "Scheduled"
    DISPATCHED = "dispatched", "Dispatched"
    EN_ROUTE = "en_route", "En route"
    ON_SITE = "on_site", "On site"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"
    ON_HOLD = "on_hold", "On hold"
    NEEDS_REVISIT = "needs_revisit", "Needs revisit"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which the ticket still needs field work (the dispatcher's queue).
OPEN_STATUSES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.TRIAGED,
        TicketStatus.SCHEDULED,
        TicketStatus.DISPATCHED,
        TicketStatus.EN_ROUTE,
        TicketStatus.ON_SITE,
        TicketStatus.ON_HOLD,
        TicketStatus.NEEDS_REVISIT,
    }
)
# Statuses in which a technician is committed to the ticket (counted as their load).
ACTIVE_WORK_STATUSES = frozenset(
    {TicketStatus.SCHEDULED, TicketStatus.DISPATCHED, TicketStatus.EN_ROUTE, TicketStatus.ON_SITE}
)


class ResolutionCode(models.TextChoices):
    """How the work ended, as the technician records it on completion (reports and ITSM close codes)."""

    FIXED = "fixed", "Fixed (repaired, no part)"
    REPLACED_PART = "replaced_part", "Replaced a part"
    RECONFIGURED = "reconfigured", "Reconfigured"
    CABLING_FIXED = "cabling_fixed", "Cabling fixed"
    INSTALLED = "installed", "Installed"
    MOVED = "moved", "Moved"
    MAINTENANCE_DONE = "maintenance_done", "Maintenance done"
    WORKAROUND = "workaround", "Workaround in place"
    NO_FAULT_FOUND = "no_fault_found", "No fault found"
    REFERRED = "referred", "Referred (vendor / other team)"


class Priority(models.TextChoices):
    P1 = "P1", "P1 – business critical"
    P2 = "P2", "P2 – high"
    P3 = "P3", "P3 – standard"
    P4 = "P4", "P4 – scheduled"


class JobType(models.TextChoices):
    BREAK_FIX = "break_fix", "Break/fix"
    INSTALL = "install", "Install"
    MOVE_ADD_CHANGE = "move_add_change", "Move/add/change"
    MAINTENANCE = "maintenance", "Preventive maintenance"
